"""Event bus adapters (in-process memory bus; Redis for multi-node deployments)."""
