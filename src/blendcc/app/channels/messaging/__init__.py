"""The messaging channels' use cases: conversations and their threads."""
