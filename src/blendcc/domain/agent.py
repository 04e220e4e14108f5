"""Agent configuration, observable states, aux reason codes and per-channel capacity."""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, field_validator

from blendcc.domain.channels import Channel


class AgentState(StrEnum):
    """What a supervisor sees; derived from presence and the agent's current work."""

    OFFLINE = "offline"
    AVAILABLE = "available"
    RESERVED = "reserved"
    BUSY = "busy"
    WRAP_UP = "wrap_up"
    AUX = "aux"


class Presence(StrEnum):
    """What the agent asked for: ready for contacts, or in an aux (not ready) state."""

    AVAILABLE = "available"
    AUX = "aux"


#: Built-in aux reason codes; centres may add their own.
AUX_REASONS = ("break", "lunch", "meeting", "training", "missed", "personal", "coaching")
MISSED = "missed"


class Capacity(BaseModel):
    """How many contacts of each channel an agent handles at once.

    ``exclusive`` channels take the agent whole: while one is in progress nothing else is offered,
    and it is only offered when nothing else is in progress (e.g. voice).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    limits: dict[Channel, int] = Field(default_factory=lambda: {Channel.VOICE: 1})
    exclusive: frozenset[Channel] = frozenset({Channel.VOICE})

    @field_validator("limits")
    @classmethod
    def _non_negative(cls, v: dict[Channel, int]) -> dict[Channel, int]:
        for ch, n in v.items():
            if n < 0 or n > 50:
                raise ValueError(f"capacity for {ch.value} must be between 0 and 50")
        return v

    def can_take(self, load: Mapping[Channel, int], channel: Channel) -> bool:
        """True if one more contact of ``channel`` fits beside the current ``load``."""
        if load.get(channel, 0) >= self.limits.get(channel, 0):
            return False
        for ch, n in load.items():
            if n and ch != channel and (ch in self.exclusive or channel in self.exclusive):
                return False
        return True


#: what an agent configured without a capacity handles: 3 chats + 2 emails + 3 SMS + 3 social
#: conversations at once, or one voice call alone (voice exclusive)
DEFAULT_LIMITS: dict[Channel, int] = {Channel.VOICE: 1, Channel.CHAT: 3, Channel.EMAIL: 2, Channel.SMS: 3,
                                      Channel.SOCIAL: 3}


def default_capacity() -> Capacity:
    """The capacity of an agent configured without one (``DEFAULT_LIMITS``, voice exclusive). An explicit
    ``capacity`` replaces it whole (``Capacity()`` alone is one exclusive voice call)."""
    return Capacity(limits=dict(DEFAULT_LIMITS))


class AgentConfig(BaseModel):
    """An agent as configured by an administrator."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.\-]+$")
    name: str = ""
    team_id: str | None = None
    skills: dict[str, int] = Field(default_factory=dict)
    queues: list[str] = Field(default_factory=list)
    capacity: Capacity = Field(default_factory=default_capacity)

    @field_validator("skills")
    @classmethod
    def _proficiency(cls, v: dict[str, int]) -> dict[str, int]:
        for skill, level in v.items():
            if not 1 <= level <= 5:
                raise ValueError(f"proficiency for skill {skill!r} must be 1-5, got {level}")
        return v


def has_skills(skills: Mapping[str, int], required: tuple[tuple[str, int], ...]) -> bool:
    """True if every required (skill, minimum proficiency) is met."""
    for skill, minimum in required:
        if skills.get(skill, 0) < minimum:
            return False
    return True
