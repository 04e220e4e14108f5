"""Telephony adapters besides SIP: the simulated (fake) telephony for demos and tests."""
