"""Importers: parsers that turn external call logs into typed records (and from there into events)."""
