"""Customer use cases beyond the profile: merges, the timeline, the screen pop and privacy requests."""
