"""Supervisor use cases over the live centre: the agent grid and the actions taken from it."""
