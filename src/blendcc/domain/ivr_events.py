"""IVR outcome events: a call that ended inside the IVR (abandoned there, or contained by the flow) as a fact.

A call that reaches a queue is a contact like any other (``ContactCreated`` ... with the IVR choices in its
attributes). A call that ends before that leaves ``IvrCallEnded``: the interactions projection makes it a
closed contact (outcome ``ivr_abandoned`` / ``ivr_contained``) and the IVR figures count it; it is never
offered to a queue, so no queue KPI sees it. It registers itself in ``EVENT_TYPES`` on import and changes
nothing in the ACD's live state.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import ClassVar

from blendcc.domain.events import EVENT_TYPES, Event

#: the caller hung up while the flow was still running (before a queue, voicemail or call-back)
IVR_ABANDONED = "ivr_abandoned"
#: the flow ended the call itself (a hang-up node: self-service done, closed message, goodbye)
IVR_CONTAINED = "ivr_contained"
IVR_OUTCOMES = (IVR_ABANDONED, IVR_CONTAINED)


@dataclass(frozen=True, slots=True, kw_only=True)
class IvrCallEnded(Event):
    """A call ended in the IVR without reaching a queue. ``reason``: ``ivr_abandoned`` or ``ivr_contained``;
    ``ivr``: the choices made (as a queued contact would carry them); ``path``: the nodes visited in order;
    ``ivr_s``: time in the IVR (answer to end)."""

    topic: ClassVar[str] = "contact"
    contact_id: str
    channel: str
    reason: str
    flow_id: str | None
    caller_id: str | None
    dialled: str | None
    ivr_s: float
    customer_id: str | None = None
    ivr: Mapping[str, str] = field(default_factory=dict)
    path: tuple[str, ...] = ()
    last_node: str | None = None


IVR_EVENT_TYPES: tuple[type[Event], ...] = (IvrCallEnded,)

EVENT_TYPES.update({cls.__name__: cls for cls in IVR_EVENT_TYPES})
