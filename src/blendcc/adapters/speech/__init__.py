"""Speech-to-text engines behind ``ports.SpeechToText``: PocketSphinx offline, or a Whisper-style HTTP server."""
