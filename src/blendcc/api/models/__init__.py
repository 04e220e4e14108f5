"""Typed response models of the HTTP API, one module per router area (what /openapi.json documents)."""
