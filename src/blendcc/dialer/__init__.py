"""Outbound dialer core: campaigns, contact lists, eligibility (DNC, calling windows, retries), pacing."""
