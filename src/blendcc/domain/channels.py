"""Channels and directions an interaction can have."""

from __future__ import annotations

from enum import StrEnum


class Channel(StrEnum):
    VOICE = "voice"
    CHAT = "chat"
    SMS = "sms"
    EMAIL = "email"
    SOCIAL = "social"


class Direction(StrEnum):
    INBOUND = "inbound"
    OUTBOUND = "outbound"


#: Default service-level threshold T per channel (seconds), from KPIS.md.
DEFAULT_SL_THRESHOLD_S: dict[Channel, float] = {
    Channel.VOICE: 20.0,
    Channel.CHAT: 60.0,
    Channel.SMS: 60.0,
    Channel.SOCIAL: 60.0,
    Channel.EMAIL: 3600.0,
}
