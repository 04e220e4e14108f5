"""Reporting use cases: live statistics and historical reports."""
