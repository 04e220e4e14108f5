"""Administration use cases: users, sessions and sign-in, configuration documents, the audit trail."""
