"""The project's seed sentiment lexicons (Polish, Russian, Persian) as package data."""
