"""Crisis events (topic "crisis"): emergency modes set and cleared, crises started and ended, their actions
applied and reverted, notifications sent, acknowledged and escalated.

They share the event log with the contact lifecycle and register themselves in ``EVENT_TYPES`` on import.
Only ``EmergencyModeSet`` and ``EmergencyModeCleared`` change the ACD's live state (``LiveState`` keeps the
emergency mode of each scope: a queue id, or ``*`` for the whole centre); the others are no-ops there.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

from blendcc.domain.events import EVENT_TYPES, Event

#: the scope of a centre-wide emergency mode
CENTRE = "*"
#: the prefix of a site's scope: ``site:<id>`` is every queue whose ``site`` is ``<id>``
SITE = "site:"
#: what an emergency mode does to contacts arriving at its queue (or at any queue, for the centre)
EMERGENCY_MODES = ("closed", "callback_only", "overflow")


@dataclass(frozen=True, slots=True, kw_only=True)
class CrisisEvent(Event):
    topic: ClassVar[str] = "crisis"


@dataclass(frozen=True, slots=True, kw_only=True)
class EmergencyModeSet(CrisisEvent):
    """``scope`` (a queue id or ``*``) is in emergency mode from now: arrivals are rejected (``closed``,
    ``callback_only``) or sent to ``overflow_queue``; ``message`` is the announcement or chat banner text.
    ``previous``: the mode this one replaced (its ``to_dict``), None when the scope was in normal mode.
    ``since``: when the mode began, when that is earlier than this event (set again after a restart)."""

    scope: str
    mode: str
    overflow_queue: str | None = None
    message: str = ""
    by: str | None = None
    crisis_id: str | None = None
    previous: Mapping[str, Any] | None = None
    since: float | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class EmergencyModeCleared(CrisisEvent):
    """``scope`` is back in normal mode."""

    scope: str
    by: str | None = None
    crisis_id: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class CrisisStarted(CrisisEvent):
    """A playbook's triggers fired (or a supervisor switched it on): ``triggers`` are the ones holding."""

    crisis_id: str
    playbook_id: str
    version: int
    triggers: tuple[str, ...] = ()
    figures: Mapping[str, Any] = field(default_factory=dict)
    by: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class CrisisEnded(CrisisEvent):
    crisis_id: str
    playbook_id: str
    by: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class CrisisActionApplied(CrisisEvent):
    """Action ``index`` of the crisis's playbook was applied; ``prior`` is what reverting it restores."""

    crisis_id: str
    index: int
    kind: str
    detail: Mapping[str, Any] = field(default_factory=dict)
    prior: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True, kw_only=True)
class CrisisActionReverted(CrisisEvent):
    crisis_id: str
    index: int
    kind: str
    detail: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True, kw_only=True)
class CrisisNotificationSent(CrisisEvent):
    """One message of the communication plan to one recipient; ``error`` when the channel refused it."""

    crisis_id: str
    rule: int
    reason: str  # start, repeat, end, escalation
    channel: str
    to: str
    recipient: str
    error: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class CrisisAcknowledged(CrisisEvent):
    crisis_id: str
    by: str


@dataclass(frozen=True, slots=True, kw_only=True)
class CrisisEscalated(CrisisEvent):
    """Nobody acknowledged in time: the plan's next recipient (``step``) is notified."""

    crisis_id: str
    rule: int
    step: int


@dataclass(frozen=True, slots=True, kw_only=True)
class TempAgentsOnboarded(CrisisEvent):
    """A batch of temporary agents was created: their logins work until ``expires_at``."""

    batch_id: str
    name: str
    agents: tuple[str, ...]
    expires_at: float
    by: str | None = None
    crisis_id: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class TempAgentsRemoved(CrisisEvent):
    """A batch of temporary agents was removed: logins disabled, agents logged out, configuration deleted."""

    batch_id: str
    agents: tuple[str, ...]
    by: str | None = None


CRISIS_EVENT_TYPES: tuple[type[Event], ...] = (
    EmergencyModeSet, EmergencyModeCleared, CrisisStarted, CrisisEnded, CrisisActionApplied, CrisisActionReverted,
    CrisisNotificationSent, CrisisAcknowledged, CrisisEscalated, TempAgentsOnboarded, TempAgentsRemoved)

EVENT_TYPES.update({cls.__name__: cls for cls in CRISIS_EVENT_TYPES})
