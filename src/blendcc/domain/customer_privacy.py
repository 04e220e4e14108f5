"""Erasure rules: which fields of which stored events are a customer's personal data, and their erased form.

Pure: ``scrub_event`` returns the event with its personal fields blanked (or None when it has none), keeping
every id, time, queue, agent, channel, outcome, score and duration the reports and KPIs are computed from.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from blendcc.domain import conversation_events as ce
from blendcc.domain import customer_events as cue
from blendcc.domain import dialer_events as de
from blendcc.domain import events as ev
from blendcc.domain.ivr_events import IvrCallEnded
from blendcc.domain.transcript import UtteranceTranscribed

#: what an erased text field holds
ERASED = "[erased]"

#: contact attributes that hold what the customer said or who they are (the channels and the pre-chat form
#: put them there); routing attributes such as channel_instance, language, tier or queue stay
PERSONAL_ATTRIBUTES = frozenset({
    "caller_id", "text", "subject", "customer_name", "name", "email", "phone", "address", "thread_ref",
    "from", "to", "first_name", "last_name", "comment", "transcript_email",
})


def scrub_attributes(attributes: Mapping[str, Any], personal_values: frozenset[str] = frozenset()) -> dict[str, Any]:
    """``attributes`` without the personal keys, and without any string value that is one of
    ``personal_values`` (the customer's identities and name, compared case-insensitively)."""
    out: dict[str, Any] = {}
    for key, value in attributes.items():
        if key in PERSONAL_ATTRIBUTES:
            continue
        if isinstance(value, str) and value.strip().lower() in personal_values:
            continue
        out[key] = value
    return out


def _blank(text: str | None) -> str | None:
    return None if text is None else ERASED


def scrub_event(event: ev.Event, customer_id: str, personal_values: frozenset[str] = frozenset(),
                phones: frozenset[str] = frozenset()) -> ev.Event | None:
    """The erased form of ``event`` (an event of the customer's contacts, a dialer attempt to one of its
    ``phones``, or a merge involving ``customer_id``), or None if it carries no personal data."""
    r = dataclasses.replace
    if isinstance(event, ev.ContactCreated):
        attrs = scrub_attributes(event.attributes, personal_values)
        return r(event, attributes=attrs) if attrs != dict(event.attributes) else None
    if isinstance(event, ce.MessageReceived):
        return r(event, body=ERASED, html=None, attachments=(), address=None)
    if isinstance(event, ce.MessageSent):
        return r(event, body=ERASED, html=None, attachments=(), to=None, template=None)
    if isinstance(event, ce.NoteAdded):
        return r(event, body=ERASED, attachments=())
    if isinstance(event, UtteranceTranscribed):
        return r(event, text=ERASED)
    if isinstance(event, ev.WrapUpCompleted):
        return r(event, notes=_blank(event.notes)) if event.notes else None
    if isinstance(event, ce.SurveyAnswered):
        return r(event, comment=_blank(event.comment)) if event.comment else None
    if isinstance(event, ev.VoicemailLeft | IvrCallEnded):
        return r(event, caller_id=None)
    if isinstance(event, ev.CallbackRequested):
        return r(event, number=ERASED)
    if isinstance(event, de.CallPlaced):
        return r(event, phone=ERASED) if event.phone in phones else None
    if isinstance(event, cue.CustomerMerged | cue.CustomerUnmerged) and customer_id in (
            event.customer_id, event.from_customer_id):
        if isinstance(event, cue.CustomerMerged):
            return r(event, identities=(), fields_overwritten={}, fields_set={},
                     name_before=_blank(event.name_before), name_set=_blank(event.name_set))
        return r(event, identities=(), fields_restored={}, name_restored=_blank(event.name_restored))
    return _scrub_values(event, personal_values)


def _scrub_values(event: ev.Event, personal_values: frozenset[str]) -> ev.Event | None:
    """The safety net for other events of the customer's contacts: a text field holding one of the
    customer's identities or its name is erased."""
    changes: dict[str, Any] = {f.name: ERASED for f in dataclasses.fields(event)
               if isinstance(value := getattr(event, f.name), str) and value.strip().lower() in personal_values}
    return dataclasses.replace(event, **changes) if changes else None
