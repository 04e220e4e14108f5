"""Adapters: storage, event bus and channel implementations of the ports."""
