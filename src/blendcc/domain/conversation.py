"""The conversation model of every channel: messages, their authors and attachments, and the thread fold.

An interaction (a contact) has an ordered thread of messages. Inbound messages come from the customer,
outbound ones from an agent, a bot or the system and are delivered by the contact's channel; internal
notes are seen by agents only and are never delivered. Attachments are references (the bytes live
elsewhere). The thread is folded from the contact's events by ``fold_thread``; the commands channels and
agents send (``ReceiveMessage``, ``UpdateDelivery``, ``SendMessage``) are frozen, serialisable records.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any

from blendcc.domain.errors import ValidationFailed
from blendcc.domain.sms import sms_segments


class MessageDirection(StrEnum):
    INBOUND = "inbound"  # from the customer
    OUTBOUND = "outbound"  # to the customer, delivered by the channel
    NOTE = "note"  # internal note: agents only, never delivered


class AuthorKind(StrEnum):
    CUSTOMER = "customer"
    AGENT = "agent"
    BOT = "bot"
    SYSTEM = "system"


class DeliveryStatus(StrEnum):
    """queued -> sent -> delivered -> read; failed (with a reason) instead of sent or delivered."""

    QUEUED = "queued"
    SENT = "sent"
    DELIVERED = "delivered"
    READ = "read"
    FAILED = "failed"


#: order of progress: a late "delivered" receipt never undoes "read"; "failed" ends a message's delivery
_PROGRESS: dict[DeliveryStatus, int] = {DeliveryStatus.QUEUED: 0, DeliveryStatus.SENT: 1,
                                        DeliveryStatus.DELIVERED: 2, DeliveryStatus.READ: 3,
                                        DeliveryStatus.FAILED: 4}


def advances(current: DeliveryStatus | None, new: DeliveryStatus) -> bool:
    """True if a delivery update to ``new`` moves a message on from ``current`` (receipts arrive out of
    order and twice; a message that failed or was read stays so, except that a provider may report
    failure of a message it had accepted)."""
    if current is None:
        return True
    if current is DeliveryStatus.FAILED:
        return False
    if new is DeliveryStatus.FAILED:
        return current in (DeliveryStatus.QUEUED, DeliveryStatus.SENT)
    return _PROGRESS[new] > _PROGRESS[current]


@dataclass(frozen=True, slots=True)
class ChannelRef:
    """A channel instance: its kind (voice, chat, email, sms, social) and which one (a mailbox, a number,
    a page, a widget; ``default`` when a kind has one instance)."""

    kind: str
    instance: str = "default"

    def __str__(self) -> str:
        return f"{self.kind}:{self.instance}"


@dataclass(frozen=True, slots=True)
class Author:
    kind: AuthorKind
    id: str | None = None  # agent id, bot name; None for the customer and the system

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind.value, "id": self.id}


CUSTOMER = Author(AuthorKind.CUSTOMER)

#: a supervisor who joins a conversation writes as an agent whose id is this prefix and their username
SUPERVISOR_PREFIX = "supervisor:"


def supervisor_author(username: str) -> Author:
    """The author of a supervisor's message in a conversation they joined from the monitor."""
    return Author(AuthorKind.AGENT, f"{SUPERVISOR_PREFIX}{username}")


def is_supervisor(author_id: object) -> bool:
    """Whether a message's author id names a supervisor (shown to the customer as "Supervisor", not by id)."""
    return isinstance(author_id, str) and author_id.startswith(SUPERVISOR_PREFIX)


@dataclass(frozen=True, slots=True)
class Attachment:
    """A file referenced by a message: where it is, never its bytes."""

    id: str
    name: str
    media_type: str
    size: int
    uri: str

    def __post_init__(self) -> None:
        if self.size < 0:
            raise ValidationFailed(f"attachment {self.name!r}: size must be >= 0")
        if "/" not in self.media_type:
            raise ValidationFailed(f"attachment {self.name!r}: media type {self.media_type!r} is not type/subtype")

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "media_type": self.media_type, "size": self.size, "uri": self.uri}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Attachment:
        return cls(id=str(data["id"]), name=str(data["name"]), media_type=str(data["media_type"]),
                   size=int(data["size"]), uri=str(data["uri"]))


def attachments_of(items: Iterable[Attachment | Mapping[str, Any]]) -> tuple[Attachment, ...]:
    """Attachments from their objects or their stored dicts."""
    return tuple(a if isinstance(a, Attachment) else Attachment.from_dict(a) for a in items)


# ---------------------------------------------------------------------- message ids

#: a message id is its contact's id, this separator and a suffix, so a receipt that echoes our id finds
#: its thread without an index
_ID_SEPARATOR = ".m"


def message_id_for(contact_id: str, suffix: str) -> str:
    if not suffix or not suffix.isalnum():
        raise ValueError(f"a message id suffix is alphanumeric, not {suffix!r}")
    return f"{contact_id}{_ID_SEPARATOR}{suffix}"


def contact_of_message(message_id: str) -> str | None:
    """The contact a message id belongs to (None when it is not one of ours)."""
    contact_id, sep, suffix = message_id.rpartition(_ID_SEPARATOR)
    if not sep or not contact_id or not suffix.isalnum():
        return None
    return contact_id


# ---------------------------------------------------------------------- errors and results


class ChannelUnsupported(ValidationFailed):
    """The channel cannot do this (send text on voice, an attachment type it refuses, HTML only...)."""

    code = "unsupported"


class DeliveryFailed(Exception):
    """A channel could not hand a message to its provider. ``retryable``: worth another attempt
    (timeouts, 5xx, rate limits), else final (invalid number, opted out, blocked)."""

    def __init__(self, reason: str, *, retryable: bool = True, retry_after_s: float | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retryable = retryable
        #: the provider asked to wait this long before the next attempt (a rate limit's retry-after)
        self.retry_after_s = retry_after_s


@dataclass(frozen=True, slots=True)
class Received:
    """What receiving a message did: the contact it joined, whether that contact is new, and whether
    the message was a duplicate (same provider id on the same channel: nothing stored)."""

    contact_id: str
    message_id: str
    created_contact: bool
    duplicate: bool = False


@dataclass(frozen=True, slots=True)
class MessageTemplate:
    """A provider-approved message template (WhatsApp): the only kind of message a channel with a reply
    window may send outside it. ``parameters`` fill the body's placeholders in order."""

    name: str
    language: str
    parameters: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not self.name.strip() or not self.language.strip():
            raise ValidationFailed("a template needs a name and a language")

    def summary(self) -> str:
        """The text shown in the thread for a template message."""
        params = f": {', '.join(self.parameters)}" if self.parameters else ""
        return f"[template {self.name} ({self.language}){params}]"

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "language": self.language, "parameters": list(self.parameters)}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> MessageTemplate:
        return cls(str(data["name"]), str(data["language"]), tuple(str(p) for p in data.get("parameters") or ()))


# ---------------------------------------------------------------------- commands


@dataclass(frozen=True, slots=True)
class ReceiveMessage:
    """A channel received a customer's message (the command an adapter makes of provider input).

    ``address`` identifies the customer on the channel (phone, email address, chat session, handle);
    ``provider_message_id`` makes the command idempotent on its channel; ``thread_ref`` is the
    provider's conversation key when it has one (an email's References root, a chat session)."""

    channel: ChannelRef
    address: str
    body: str
    provider_message_id: str | None = None
    html: str | None = None
    attachments: tuple[Attachment, ...] = ()
    customer_name: str | None = None
    subject: str | None = None
    thread_ref: str | None = None
    attributes: Mapping[str, Any] = field(default_factory=dict)
    workflow_id: str | None = None  # the routing workflow of a new contact (a number's queue); None: by channel
    cc: tuple[str, ...] = ()  # email: the other recipients of the customer's mail (reply-all)


@dataclass(frozen=True, slots=True)
class UpdateDelivery:
    """A provider reported progress of an outbound message (a delivery or read receipt, a failure).

    The message is found by ``message_id`` when the provider echoes ours, else by the provider's id."""

    channel: ChannelRef
    status: DeliveryStatus
    provider_message_id: str | None = None
    message_id: str | None = None
    reason: str | None = None


@dataclass(frozen=True, slots=True)
class SendMessage:
    """An agent (or a bot) writes in a contact's thread: an outbound message or an internal note."""

    contact_id: str
    author: Author
    body: str
    direction: MessageDirection = MessageDirection.OUTBOUND
    html: str | None = None
    attachments: tuple[Attachment, ...] = ()
    template: MessageTemplate | None = None  # an approved template instead of free text (WhatsApp)
    #: email reply modes: "reply" (the customer), "reply_all" (and the original's other recipients),
    #: "forward" (``forward_of``'s text and attachments to ``to``); ``cc``: more copies
    mode: str = "reply"
    to: str | None = None
    cc: tuple[str, ...] = ()
    forward_of: str | None = None


@dataclass(frozen=True, slots=True)
class OutboundMessage:
    """What a channel adapter is asked to deliver: one stored outbound message and where it goes."""

    contact_id: str
    message_id: str
    channel: ChannelRef
    to: str | None  # the customer's address on the channel (None when the channel keeps the session)
    body: str
    html: str | None = None
    attachments: tuple[Attachment, ...] = ()
    thread_ref: str | None = None
    attempt: int = 1
    template: MessageTemplate | None = None
    cc: tuple[str, ...] = ()  # email copies
    mode: str | None = None  # email: reply, reply_all, forward


# ---------------------------------------------------------------------- delivery retries


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Outbound delivery retries: ``attempts`` in all, waiting base * factor**(n-1) (at most ``max_s``)."""

    attempts: int = 5
    base_s: float = 2.0
    factor: float = 2.0
    max_s: float = 300.0

    def delay_after(self, attempt: int) -> float | None:
        """Seconds to wait after failed attempt ``attempt`` (1-based), or None when no attempt is left."""
        if attempt >= self.attempts:
            return None
        return float(min(self.max_s, self.base_s * self.factor ** (attempt - 1)))


# ---------------------------------------------------------------------- the thread


@dataclass(frozen=True, slots=True)
class Message:
    """One message of a thread as folded from its events."""

    id: str
    contact_id: str
    direction: MessageDirection
    author: Author
    body: str
    at: float
    channel: ChannelRef | None = None
    html: str | None = None
    attachments: tuple[Attachment, ...] = ()
    provider_message_id: str | None = None
    address: str | None = None  # inbound: the customer's address on the channel; outbound: the recipient
    status: DeliveryStatus | None = None  # None for inbound messages and notes
    status_reason: str | None = None
    status_at: float | None = None
    attempts: int = 0
    cc: tuple[str, ...] = ()  # email: the other recipients (inbound) or the copies sent (outbound)

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "contact_id": self.contact_id, "direction": self.direction.value,
                "author": self.author.to_dict(), "body": self.body, "html": self.html, "at": self.at,
                "channel": None if self.channel is None else {"kind": self.channel.kind,
                                                              "instance": self.channel.instance},
                "attachments": [a.to_dict() for a in self.attachments],
                "provider_message_id": self.provider_message_id, "address": self.address,
                "status": None if self.status is None else self.status.value,
                "status_reason": self.status_reason, "status_at": self.status_at, "attempts": self.attempts,
                "cc": list(self.cc),
                "segments": (sms_segments(self.body).segments
                             if self.channel is not None and self.channel.kind == "sms" else None)}


@dataclass(frozen=True, slots=True)
class Thread:
    contact_id: str
    messages: tuple[Message, ...] = ()

    def find(self, message_id: str) -> Message | None:
        for m in self.messages:
            if m.id == message_id:
                return m
        return None

    def has_provider_id(self, channel: ChannelRef, provider_message_id: str) -> bool:
        return any(m.provider_message_id == provider_message_id and m.channel == channel for m in self.messages)

    @property
    def last_inbound_at(self) -> float | None:
        """When the customer last wrote (the start of a messaging channel's reply window)."""
        times = [m.at for m in self.messages if m.direction is MessageDirection.INBOUND]
        return max(times) if times else None


def fold_thread(contact_id: str, events: Iterable[Any]) -> Thread:
    """The thread of ``contact_id`` from its events in log order (other events are skipped)."""
    from blendcc.domain import conversation_events as ce

    messages: dict[str, Message] = {}
    for e in events:
        if getattr(e, "contact_id", None) != contact_id:
            continue
        if isinstance(e, ce.MessageReceived):
            messages.setdefault(e.message_id, Message(
                e.message_id, contact_id, MessageDirection.INBOUND, CUSTOMER, e.body, e.at,
                ChannelRef(e.channel, e.channel_instance), e.html, attachments_of(e.attachments),
                e.provider_message_id, e.address, cc=tuple(e.cc)))
        elif isinstance(e, ce.MessageSent):
            messages.setdefault(e.message_id, Message(
                e.message_id, contact_id, MessageDirection.OUTBOUND, Author(AuthorKind(e.author_kind), e.author_id),
                e.body, e.at, ChannelRef(e.channel, e.channel_instance), e.html, attachments_of(e.attachments),
                None, e.to, DeliveryStatus.QUEUED, None, e.at, cc=tuple(e.cc)))
        elif isinstance(e, ce.NoteAdded):
            messages.setdefault(e.message_id, Message(
                e.message_id, contact_id, MessageDirection.NOTE, Author(AuthorKind(e.author_kind), e.author_id),
                e.body, e.at, None, None, attachments_of(e.attachments)))
        elif isinstance(e, ce.MessageDeliveryUpdated):
            m = messages.get(e.message_id)
            if m is None or m.direction is not MessageDirection.OUTBOUND:
                continue
            status = DeliveryStatus(e.status)
            attempts = max(m.attempts, e.attempt)
            if advances(m.status, status):
                messages[e.message_id] = replace(m, status=status, status_reason=e.reason, status_at=e.at,
                                                 provider_message_id=e.provider_message_id or m.provider_message_id,
                                                 attempts=attempts)
            else:
                messages[e.message_id] = replace(m, attempts=attempts)
    return Thread(contact_id, tuple(messages.values()))


def check_body(body: str, html: str | None, attachments: tuple[Attachment, ...]) -> None:
    """A message needs text, HTML or an attachment."""
    if not body.strip() and not (html or "").strip() and not attachments:
        raise ValidationFailed("a message needs a body, HTML or an attachment")
