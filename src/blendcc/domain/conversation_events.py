"""Conversation events (topic "contact"): messages received, sent and noted, and their delivery progress.

They share the event log with the contact lifecycle (indexed by ``contact_id``), register themselves in
``EVENT_TYPES`` on import (so the stores rebuild them), and change nothing in the ACD's live state
(``LiveState`` folds them as no-ops when replaying); ``conversation.fold_thread`` reads them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from blendcc.domain.conversation import Attachment, attachments_of
from blendcc.domain.events import EVENT_TYPES, Event


@dataclass(frozen=True, slots=True, kw_only=True)
class MessageEvent(Event):
    """Base of the events that carry a message: attachments are stored as plain dicts, rebuilt on load."""

    contact_id: str
    message_id: str

    def __post_init__(self) -> None:
        items = getattr(self, "attachments", None)
        if items is not None and not (isinstance(items, tuple) and all(isinstance(a, Attachment) for a in items)):
            object.__setattr__(self, "attachments", attachments_of(items))
        cc = getattr(self, "cc", None)
        if cc is not None and not isinstance(cc, tuple):
            object.__setattr__(self, "cc", tuple(str(a) for a in cc))

    def to_dict(self) -> dict[str, Any]:
        out = Event.to_dict(self)
        if "attachments" in out:
            out["attachments"] = [a.to_dict() for a in getattr(self, "attachments", ())]
        return out


@dataclass(frozen=True, slots=True, kw_only=True)
class MessageReceived(MessageEvent):
    """The customer wrote on ``channel``/``channel_instance``. ``provider_message_id`` is never stored
    twice on one channel instance (a re-delivered webhook or mail creates nothing)."""

    channel: str
    channel_instance: str
    body: str
    html: str | None = None
    attachments: tuple[Attachment, ...] = ()
    provider_message_id: str | None = None
    address: str | None = None  # the customer's address on the channel, as the provider gave it
    cc: tuple[str, ...] = ()  # email: the mail's other recipients (To and Cc without the mailbox): reply-all


@dataclass(frozen=True, slots=True, kw_only=True)
class MessageSent(MessageEvent):
    """An agent, bot or the system wrote to the customer; the message is queued for delivery by the
    channel (``MessageDeliveryUpdated`` follows). ``author_kind``: agent, bot or system."""

    channel: str
    channel_instance: str
    author_kind: str
    author_id: str | None
    body: str
    html: str | None = None
    attachments: tuple[Attachment, ...] = ()
    to: str | None = None
    template: str | None = None  # JSON of MessageTemplate.to_dict() when an approved template was sent
    cc: tuple[str, ...] = ()  # email: copies (reply-all, or chosen by the agent)
    mode: str | None = None  # email: reply, reply_all or forward (None: a reply)


@dataclass(frozen=True, slots=True, kw_only=True)
class NoteAdded(MessageEvent):
    """An internal note in the thread: seen by agents and supervisors, never delivered to the customer."""

    author_kind: str
    author_id: str | None
    body: str
    attachments: tuple[Attachment, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class MessageDeliveryUpdated(MessageEvent):
    """Delivery of an outbound message progressed: sent (the provider accepted it, with its id),
    delivered, read, or failed with a ``reason`` (after ``attempt`` attempts)."""

    status: str
    attempt: int = 1
    provider_message_id: str | None = None
    reason: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class ConversationStateChanged(Event):
    """A digital conversation moved between ``open``, ``pending`` (waiting for the customer), ``snoozed``
    (until ``until``) and ``resolved``; ``agent_id`` is its owner (who gets the customer's next reply)."""

    contact_id: str
    state: str
    previous: str | None
    agent_id: str | None
    until: float | None = None
    reason: str | None = None
    by: str | None = None  # who changed it: an agent id, "customer", "bot" or "system" (idle timeout)


@dataclass(frozen=True, slots=True, kw_only=True)
class ConversationReopened(Event):
    """A customer wrote to a resolved conversation: ``contact_id`` (new) continues ``previous_contact_id``;
    ``resolved_at`` is when the previous one was resolved (the resolved-to-reopened gap is not
    resolution time, KPIS.md)."""

    contact_id: str
    previous_contact_id: str
    resolved_at: float
    agent_id: str | None = None  # the owner the reopened conversation prefers (sticky routing)


@dataclass(frozen=True, slots=True, kw_only=True)
class BotSessionEnded(Event):
    """A bot (a text IVR flow) stopped talking to the customer: ``contained`` (it resolved the contact, no
    agent needed), ``handed_off`` (to ``queue_id``) or ``abandoned`` (the customer left)."""

    contact_id: str
    flow_id: str
    outcome: str
    queue_id: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class SurveyAnswered(Event):
    """A customer answered a survey after a contact: ``score`` on 1..``scale_max`` (CSAT is 1-5,
    KPIS.md), with the agent and queue of the contact for the reports."""

    contact_id: str
    survey: str
    score: int
    scale_max: int = 5
    comment: str | None = None
    agent_id: str | None = None
    queue_id: str | None = None
    channel: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class SurveyInvited(Event):
    """A survey link was made for a contact (sent by the agent, a campaign or an automation): the base of the
    response rate; ``via`` says how it reaches the customer (email, sms, link, chat: the widget's stars, ivr:
    the post-call survey by DTMF)."""

    contact_id: str
    survey: str
    via: str = "link"
    agent_id: str | None = None
    queue_id: str | None = None
    channel: str | None = None


CONVERSATION_EVENT_TYPES: tuple[type[Event], ...] = (MessageReceived, MessageSent, NoteAdded, MessageDeliveryUpdated,
                                                     ConversationStateChanged, ConversationReopened,
                                                     BotSessionEnded, SurveyAnswered, SurveyInvited)

EVENT_TYPES.update({cls.__name__: cls for cls in CONVERSATION_EVENT_TYPES})

