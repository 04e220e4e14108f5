"""Automatic call distribution use cases: the single writer, contacts, agents, customers, live views."""
