"""Outbound use cases: campaigns, the dialing loop, agent preview, dialer call state."""
