"""Email channel tests (real SMTP and IMAP peers)."""
