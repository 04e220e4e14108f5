"""The web-chat channel's use cases: sessions, the live hub of customer sockets, the bot, transcripts."""
