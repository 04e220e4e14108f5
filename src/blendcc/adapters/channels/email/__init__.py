"""The email channel: mailboxes as channel instances, an SMTP listener, IMAP polling and an SMTP relay."""
