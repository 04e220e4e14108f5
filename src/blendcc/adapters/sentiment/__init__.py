"""Sentiment and topic resources from installed packages and the project's seed lexicons (no download)."""
