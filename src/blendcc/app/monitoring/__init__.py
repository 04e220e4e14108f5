"""Live monitoring for supervisors: the live contacts, joining a conversation, and alerts."""
