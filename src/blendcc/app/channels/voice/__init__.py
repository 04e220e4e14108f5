"""The voice channel's use cases: calls, IVR, bridging, consult, voicemail, supervision."""
