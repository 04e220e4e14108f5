"""Several nodes: the routing leader's lease, fencing and take-over (ADR 0053)."""
