"""Outbound dialer events (topic "dialer"): calls placed, answered, failed, abandoned, connected."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from blendcc.domain.events import EVENT_TYPES, Event


@dataclass(frozen=True, slots=True, kw_only=True)
class DialerEvent(Event):
    """Base of dialer events; every one belongs to a campaign."""

    topic: ClassVar[str] = "dialer"
    campaign_id: str


@dataclass(frozen=True, slots=True, kw_only=True)
class CallPlaced(DialerEvent):
    """The dialer asked telephony to place a call. ``agent_id`` is the reserved agent
    (preview/progressive) or None (power/predictive: connected to whoever is free on answer)."""

    call_id: str
    record_id: str
    phone: str
    mode: str
    agent_id: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class CallAnswered(DialerEvent):
    """The callee's line answered. ``answered_by``: human, machine, fax, unknown."""

    call_id: str
    record_id: str
    answered_by: str


@dataclass(frozen=True, slots=True, kw_only=True)
class CallFailed(DialerEvent):
    """The call did not reach a person. ``outcome``: busy, no_answer, failed, invalid,
    disconnected, machine, fax (the last two when AMD classified the answer)."""

    call_id: str
    record_id: str
    outcome: str


@dataclass(frozen=True, slots=True, kw_only=True)
class CallAbandoned(DialerEvent):
    """A live answer was not connected to an agent. ``reason``: no_agent (nobody free within
    connect_within_s), amd_false_positive (a human hung up on as a machine), governor."""

    call_id: str
    record_id: str
    reason: str


@dataclass(frozen=True, slots=True, kw_only=True)
class CallConnected(DialerEvent):
    """The answered call reached an agent; from here it is an ordinary engine interaction
    (``contact_id``, direction outbound) with talk, hold and wrap-up as inbound."""

    call_id: str
    record_id: str
    contact_id: str
    agent_id: str
    wait_s: float = 0.0


@dataclass(frozen=True, slots=True, kw_only=True)
class RecordUpdated(DialerEvent):
    """A dial record changed state after an outcome, disposition or skip."""

    record_id: str
    state: str
    attempts: int
    next_attempt_at: float | None
    reason: str | None


@dataclass(frozen=True, slots=True, kw_only=True)
class PreviewSkipped(DialerEvent):
    """An agent previewed a record and chose not to dial it."""

    record_id: str
    agent_id: str
    reason: str


@dataclass(frozen=True, slots=True, kw_only=True)
class CampaignStateChanged(DialerEvent):
    """``state``: running, paused, stopped (also: governed when the abandonment cap is reached)."""

    state: str
    reason: str | None = None


DIALER_EVENT_TYPES: tuple[type[Event], ...] = (
    CallPlaced,
    CallAnswered,
    CallFailed,
    CallAbandoned,
    CallConnected,
    RecordUpdated,
    PreviewSkipped,
    CampaignStateChanged,
)

EVENT_TYPES.update({cls.__name__: cls for cls in DIALER_EVENT_TYPES})
