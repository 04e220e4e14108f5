"""Simulator: a discrete-event kernel with a virtual clock that drives the real routing engine."""
