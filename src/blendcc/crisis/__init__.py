"""Crisis readiness, the pure core: playbook documents, their evaluation with hysteresis, the notification
schedule and message templates (no clock, no I/O; the application passes the time in)."""
