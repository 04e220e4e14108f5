"""Crisis readiness: playbook documents, the live evaluation, actions, notifications (docs/crisis.md)."""
