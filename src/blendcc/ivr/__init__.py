"""IVR: validated flow documents and a pure interpreter (also the basis of chat bots)."""
