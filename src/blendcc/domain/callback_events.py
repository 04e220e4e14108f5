"""Scheduled callback events (topic "callback"): a callback to a customer's phone scheduled, cancelled or done.

They share the event log with the contact lifecycle, register themselves in ``EVENT_TYPES`` on import (so
the stores rebuild them) and change nothing in the ACD's live state (``LiveState`` folds them as no-ops).
The ``scheduled_callbacks`` projection is folded from them. A callback is *personal* when ``agent_id`` is
set (only that agent is reminded), else it is for ``queue_id``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from blendcc.domain.events import EVENT_TYPES, Event


@dataclass(frozen=True, slots=True, kw_only=True)
class CallbackEvent(Event):
    topic: ClassVar[str] = "callback"
    callback_id: str


@dataclass(frozen=True, slots=True, kw_only=True)
class CallbackScheduled(CallbackEvent):
    """Call ``phone`` (E.164) back at ``due_at``; ``source_contact_id`` is the contact it came from."""

    phone: str
    due_at: float
    customer_id: str | None = None
    agent_id: str | None = None
    queue_id: str | None = None
    note: str = ""
    source_contact_id: str | None = None
    by: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class CallbackCancelled(CallbackEvent):
    by: str | None = None
    reason: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class CallbackDone(CallbackEvent):
    by: str | None = None


CALLBACK_EVENT_TYPES: tuple[type[Event], ...] = (CallbackScheduled, CallbackCancelled, CallbackDone)

EVENT_TYPES.update({cls.__name__: cls for cls in CALLBACK_EVENT_TYPES})
