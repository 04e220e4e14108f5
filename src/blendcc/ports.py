"""Ports: the Protocols the application needs from the outside world (clock, storage, bus, telephony, channels)."""

from __future__ import annotations

import builtins
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

from blendcc.analytics.agent_stats import AgentTime, StateInterval
from blendcc.analytics.interval_counters import AgentInterval, AgentKey, WrapCounts, WrapKey
from blendcc.analytics.queue_stats import CounterKey, QueueCounters
from blendcc.domain.conversation import (
    Attachment,
    ChannelRef,
    OutboundMessage,
    Received,
    ReceiveMessage,
    UpdateDelivery,
)
from blendcc.domain.events import Event
from blendcc.domain.webchat import ChatSession
from blendcc.routing.commands import Command


class Clock(Protocol):
    def now(self) -> float:
        """Current time as UTC epoch seconds."""
        ...


class Commands(Protocol):
    """The single writer's command port: runs one engine command (a serialisable record from
    ``blendcc.routing.commands``) and returns the events it produced, once they are stored. A refused
    command raises a ``DomainError`` and leaves no trace. ``Runtime`` implements it live."""

    def execute(self, command: Command) -> list[Event]: ...


class Scheduler(Protocol):
    """Runs functions at given times: ``when`` is in the Clock's time (UTC epoch seconds), ``delay`` in
    seconds. Functions due at different times run in time order; a cancelled one never runs (cancelling
    one that already ran, or twice, does nothing). Live implementations accept calls from any thread.
    The asyncio adapter implements it live, the simulator's ``Kernel`` in virtual time."""

    def call_at(self, when: float, fn: Callable[[], object]) -> object:
        """Run ``fn()`` at ``when`` (at once if that is past); return a handle for ``cancel``."""
        ...

    def call_later(self, delay: float, fn: Callable[[], object]) -> object:
        """Run ``fn()`` ``delay`` seconds from now; return a handle for ``cancel``."""
        ...

    def cancel(self, handle: object) -> None: ...


class Rng(Protocol):
    def random(self) -> float: ...
    def expovariate(self, lambd: float) -> float: ...
    def choice(self, seq: Sequence[Any]) -> Any: ...


@dataclass(frozen=True, slots=True)
class StoredEvent:
    seq: int
    event: Event


@dataclass(frozen=True, slots=True)
class ConfigDocument:
    kind: str
    id: str
    version: int
    body: Mapping[str, Any]
    at: float
    by: str | None
    deleted: bool = False


@dataclass(frozen=True, slots=True)
class User:
    username: str
    role: str  # agent, supervisor, admin
    agent_id: str | None
    password_hash: str
    active: bool = True  # an inactive user cannot log in and its tokens stop working
    totp_secret: str | None = None  # base32 TOTP secret (enrolled; in force once totp_confirmed)
    totp_confirmed: bool = False
    totp_last_step: int = 0  # the last TOTP time step accepted (a code is never accepted twice)
    expires_at: float | None = None  # a temporary user: no login and no token works from this time on
    email: str | None = None  # where crisis notifications reach the user (recipients by role or team)
    phone: str | None = None  # E.164, for SMS notifications


@dataclass(frozen=True, slots=True)
class AuthSession:
    """One login: its refresh-token family. Access tokens name it; revoking it ends them all at once."""

    id: str
    username: str
    created_at: float
    expires_at: float
    refresh_hash: str  # sha256 of the current refresh secret (rotated on every refresh)
    revoked_at: float | None = None


@dataclass(frozen=True, slots=True)
class AuditEvent:
    """Something security-relevant that happened: ``actor`` did ``action`` (past tense) to ``target``."""

    actor: str | None
    action: str
    target: str | None
    detail: Mapping[str, Any]
    at: float
    client: str | None = None


class EventStore(Protocol):
    """The durable event log plus its projections, written in one transaction per append."""

    def append(self, events: Sequence[Event]) -> list[int]:
        """Persist ``events`` (and their projections) atomically; return each event's sequence number
        (increasing, in the order given; empty for no events)."""
        ...

    def read(self, after_seq: int = 0, limit: int | None = None) -> list[StoredEvent]: ...

    def replay_window(self) -> list[Event]:
        """Events needed to rebuild live state: from the oldest open contact or logged-in agent on."""
        ...

    def contact_events(self, contact_id: str) -> list[StoredEvent]: ...

    def events_of_type(self, types: Iterable[str], start: float | None = None,
                       end: float | None = None, agent_id: str | None = None) -> list[StoredEvent]:
        """Stored events whose type is in ``types`` (with ``start <= at < end``; about ``agent_id`` when
        given), in log order."""
        ...


class Projector(Protocol):
    """A read model folded from the event log, registered once (``adapters.storage.projectors``) and run
    by every store on every append, with each event's sequence number.

    The store hands a projector only the events whose types are in ``event_types`` (a precomputed
    type -> projectors table, so an unrelated event costs nothing). The SQL store calls ``apply_sql``
    inside the append transaction (the events and all projections commit or roll back together); the
    memory store calls ``prepare_memory`` for every projector first (it may raise ``ValueError``: then
    nothing is stored) and then the returned functions, which write its in-memory tables.
    """

    name: str
    event_types: frozenset[type[Event]]

    def apply_sql(self, tx: Any, batch: Sequence[StoredEvent]) -> None:
        """Write this batch's change to the projection's tables (``tx``: the SQL store's transaction)."""
        ...

    def prepare_memory(self, tables: Any, batch: Sequence[StoredEvent]) -> Callable[[], None]:
        """Compute this batch's change against the memory store's tables; return the function writing it."""
        ...


class CommitSubscriber(Protocol):
    """Fed each durably appended batch after the append, in log order (live statistics)."""

    def committed(self, batch: Sequence[StoredEvent]) -> None: ...


class ConfigRepository(Protocol):
    """Versioned configuration documents (queues, agents, workflows, calendars, teams, skills...)."""

    def put(self, kind: str, doc_id: str, body: Mapping[str, Any], at: float, by: str | None) -> ConfigDocument: ...
    def put_many(self, kind: str, docs: Sequence[tuple[str, Mapping[str, Any]]], at: float,
                 by: str | None) -> builtins.list[ConfigDocument]:
        """Create or replace several documents of ``kind`` in one transaction (all or none)."""
        ...

    def delete(self, kind: str, doc_id: str, at: float, by: str | None) -> ConfigDocument: ...
    def get(self, kind: str, doc_id: str) -> ConfigDocument | None: ...
    def list(self, kind: str) -> list[ConfigDocument]: ...
    def history(self, kind: str, doc_id: str) -> builtins.list[ConfigDocument]: ...


class CustomerRepository(Protocol):
    def find_by_identity(self, kind: str, value: str) -> Mapping[str, Any] | None: ...
    def create(self, customer_id: str, identities: Iterable[tuple[str, str]], tier: str, name: str,
               fields: Mapping[str, Any], at: float) -> Mapping[str, Any]: ...
    def get(self, customer_id: str) -> Mapping[str, Any] | None: ...
    def update(self, customer_id: str, changes: Mapping[str, Any]) -> Mapping[str, Any] | None: ...
    def add_identity(self, customer_id: str, kind: str, value: str) -> None: ...
    def change_tags(self, customer_id: str, add: Iterable[str], remove: Iterable[str]) -> Mapping[str, Any]: ...
    def with_tag(self, tag: str, limit: int = 100, offset: int = 0) -> builtins.list[Mapping[str, Any]]: ...


class CustomerHistory(Protocol):
    """The customer timeline projection: rows of the customer's contacts and of dialer attempts to its
    ``phones``, newest first (by sequence number, below ``before_seq``), filtered by text ``q``."""

    def timeline(self, customer_id: str, phones: Sequence[str] = (), before_seq: int | None = None,
                 limit: int = 50, q: str | None = None) -> builtins.list[dict[str, Any]]: ...


class CrmLookup(Protocol):
    """A centre's CRM, asked about a customer's identities (``adapters.crm``)."""

    async def lookup(self, identities: Mapping[str, str]) -> dict[str, Any]:
        """The CRM's answer (a JSON object) for ``identities`` (kind -> value); raises CrmUnavailable."""
        ...


class UserRepository(Protocol):
    def get(self, username: str) -> User | None:
        """The user whose name matches case-insensitively (domain.usernames.username_key)."""
        ...

    def put(self, user: User) -> None:
        """Create or replace; raises InvalidState if another user has the same username key."""
        ...

    def list(self) -> builtins.list[User]: ...
    def delete(self, username: str) -> bool: ...


class SessionRepository(Protocol):
    """Login sessions (refresh-token families), stored with hashed refresh secrets."""

    def create(self, session: AuthSession) -> None: ...
    def get(self, session_id: str) -> AuthSession | None: ...

    def rotate(self, session_id: str, old_hash: str, new_hash: str) -> bool:
        """Replace the refresh hash if it is still ``old_hash`` and the session is live (compare-and-set)."""
        ...

    def revoke(self, session_id: str, at: float) -> bool: ...

    def revoke_user(self, username: str, at: float) -> int:
        """Revoke every live session of ``username``; return how many."""
        ...

    def purge(self, before: float) -> int:
        """Delete sessions that expired or were revoked before ``before``."""
        ...


class IdentityProvider(Protocol):
    """An OpenID Connect provider for single sign-on (authorization code flow with PKCE S256)."""

    def authorization_url(self, state: str, nonce: str, code_challenge: str) -> str:
        """Where to send the browser to sign in."""
        ...

    def exchange(self, code: str, code_verifier: str, nonce: str) -> Mapping[str, Any]:
        """Redeem ``code``; return the ID token's claims once its signature, issuer, audience, expiry and
        nonce are verified (raises the app's Unauthenticated otherwise)."""
        ...


class AuditLog(Protocol):
    """Append-only record of who changed, forced, listened to or exported what; newest first."""

    def record(self, event: AuditEvent) -> None: ...

    def query(self, *, actor: str | None = None, action: str | None = None, target: str | None = None,
              since: float | None = None, until: float | None = None, limit: int = 100,
              offset: int = 0) -> builtins.list[AuditEvent]: ...


class EventBus(Protocol):
    """Narrow publish/subscribe by topic ('contact', 'agent', 'stats', ...)."""

    def publish(self, topic: str, message: Mapping[str, Any]) -> None: ...
    def subscribe(self, topic: str, handler: Callable[[str, Mapping[str, Any]], None]) -> Callable[[], None]:
        """Register ``handler``; return a function that unsubscribes it."""
        ...


class ReportReader(Protocol):
    """Read side of the projections, for reports, live-stat warm-up and contact lookups."""

    def queue_counters(self, start: float, end: float, starts: Sequence[float] = (),
                       ends: Sequence[float] = ()) -> dict[CounterKey, QueueCounters]:
        """Queue counters per (15-minute interval, queue, channel) starting in [start, end); given the report's
        periods (``starts``/``ends``, on interval edges), merged per period (``QueueCounters.merge``: sums, and
        the longest wait's maximum) and keyed by its start."""
        ...

    def queue_offered(self, start: float, end: float) -> dict[CounterKey, int]:
        """The offered contacts of each (15-minute interval, queue, channel) starting in [start, end) that has any
        (the forecast-accuracy KPIs' history)."""
        ...

    def state_intervals(self, start: float, end: float) -> list[StateInterval]: ...
    def open_state_intervals(self) -> list[StateInterval]:
        """Each agent's interval still open (its current state), whenever it began (one indexed read)."""
        ...
    def agent_counters(self, start: float, end: float, starts: Sequence[float] = (),
                       ends: Sequence[float] = ()) -> dict[AgentKey, AgentInterval]:
        """Agent legs and wrap-ups per (15-minute interval, agent, channel) starting in [start, end); given the
        report's periods (``starts``/``ends``, on interval edges), summed per period and keyed by its start."""
        ...

    def state_seconds(self, starts: Sequence[float], ends: Sequence[float],
                      until: float) -> dict[tuple[float, str], AgentTime]:
        """Each agent's state seconds per period [starts[i], ends[i]) from the state intervals (open ones run to
        ``until``), as ``AgentTime.add`` sums them."""
        ...

    def wrapup_counters(self, start: float, end: float, starts: Sequence[float] = (),
                        ends: Sequence[float] = ()) -> dict[WrapKey, WrapCounts]:
        """Wrap-ups per (interval of the contact's queueing, queue, channel), as ``agent_counters``."""
        ...

    def handled_by_agent(self, start: float, end: float) -> dict[str, int]: ...
    def interaction(self, contact_id: str) -> dict[str, Any] | None: ...
    def interactions(self, start: float | None = None, end: float | None = None, queue_id: str | None = None,
                     agent_id: str | None = None, customer_id: str | None = None, state: str | None = None,
                     limit: int = 100, offset: int = 0) -> list[dict[str, Any]]: ...

    def message_by_provider_id(self, direction: str, channel: str, instance: str,
                               provider_id: str) -> tuple[str, str] | None:
        """(contact id, message id) of the ``direction`` ('inbound' or 'outbound') message that the provider
        knows as ``provider_id`` on that channel kind and instance (the messages projection)."""
        ...


class Store(EventStore, ReportReader, Protocol):
    """An event store that also answers the report queries (what the SQL and memory stores are)."""

    def set_thresholds(self, thresholds: Callable[[str, str], tuple[float, float]]) -> None: ...


# ---------------------------------------------------------------------- channels


@dataclass(frozen=True, slots=True)
class ChannelCapabilities:
    """What a channel kind can carry; the application checks outbound messages against it.

    ``attachment_types``: media types or ``type/*`` patterns (empty: any type). ``reply_window_s``: a
    messaging window after the customer's last message (WhatsApp: 24 h) outside which only approved
    templates may be sent; None: no window."""

    realtime: bool
    text: bool = True
    threading: bool = False
    html: bool = False
    attachments: bool = False
    max_attachment_bytes: int | None = None
    attachment_types: tuple[str, ...] = ()
    typing_indicators: bool = False
    delivery_receipts: bool = False
    read_receipts: bool = False
    max_message_length: int | None = None
    reply_window_s: float | None = None
    templates: bool = False  # approved templates can be sent (the only messages outside the reply window)

    def __post_init__(self) -> None:
        problems = []
        if not self.text and (self.html or self.attachments or self.typing_indicators or self.delivery_receipts
                              or self.max_message_length is not None or self.reply_window_s is not None):
            problems.append("a channel without text carries no HTML, attachments, typing, receipts or limits")
        if not self.attachments and (self.max_attachment_bytes is not None or self.attachment_types):
            problems.append("attachment limits need attachments")
        if self.read_receipts and not self.delivery_receipts:
            problems.append("read receipts need delivery receipts")
        if self.max_message_length is not None and self.max_message_length < 1:
            problems.append("max_message_length must be >= 1")
        if self.max_attachment_bytes is not None and self.max_attachment_bytes < 1:
            problems.append("max_attachment_bytes must be >= 1")
        if self.reply_window_s is not None and self.reply_window_s <= 0:
            problems.append("reply_window_s must be > 0")
        if self.templates and not self.text:
            problems.append("templates need text")
        if problems:
            raise ValueError("inconsistent channel capabilities: " + "; ".join(problems))

    def accepts_type(self, media_type: str) -> bool:
        if not self.attachment_types:
            return True
        major = media_type.split("/", 1)[0]
        return any(t in (media_type, f"{major}/*") for t in self.attachment_types)

    def refusal(self, body: str, html: str | None, attachments: Sequence[Attachment],
                last_inbound_at: float | None = None, now: float | None = None,
                template: bool = False) -> str | None:
        """Why this channel cannot send the message (None: it can). ``template``: the message is an
        approved template (allowed outside the reply window, refused by channels without templates)."""
        if not self.text:
            return "this channel carries no text messages (it is a voice channel)"
        if template:
            return None if self.templates else "this channel cannot send templates"
        if self.max_message_length is not None and len(body) > self.max_message_length:
            return f"the message has {len(body)} characters; this channel sends at most {self.max_message_length}"
        if html is not None and not self.html and not body.strip():
            return "this channel sends plain text only, and the message has no plain-text body"
        if attachments and not self.attachments:
            return "this channel cannot send attachments"
        for a in attachments:
            if self.max_attachment_bytes is not None and a.size > self.max_attachment_bytes:
                return (f"attachment {a.name!r} has {a.size} bytes; "
                        f"this channel sends at most {self.max_attachment_bytes}")
            if not self.accepts_type(a.media_type):
                return f"attachment {a.name!r}: this channel does not send {a.media_type}"
        if self.reply_window_s is not None and now is not None and (
                last_inbound_at is None or now - last_inbound_at > self.reply_window_s):
            if last_inbound_at is None:
                return ("the customer has not written on this channel, so its "
                        f"{self.reply_window_s / 3600:g} h reply window is closed; only an approved template "
                        "can be sent now")
            closed = datetime.fromtimestamp(last_inbound_at + self.reply_window_s, UTC).isoformat(timespec="seconds")
            return (f"the customer has not written in the last {self.reply_window_s / 3600:g} h: the reply window "
                    f"closed at {closed}; only an approved template can be sent now")
        return None


class RecipientCheck(Protocol):
    """Optional on a ``ChannelAdapter``: refuses recipients it must not write to (an SMS opt-out)."""

    def recipient_refusal(self, address: str) -> str | None:
        """Why nothing may be sent to ``address`` (None: it may)."""
        ...


class ChannelAdapter(Protocol):
    """One channel instance (a mailbox, a number, a page, the SIP edge) behind the same port.

    Provider input comes in through ``translate`` as application commands (the adapter's entry point --
    a webhook, a mail listener -- hands them to a ``ConversationInbox``); outbound messages go out
    through ``deliver``. An operation the channel cannot do raises ``ChannelUnsupported``."""

    @property
    def channel(self) -> ChannelRef: ...

    @property
    def capabilities(self) -> ChannelCapabilities: ...

    def translate(self, payload: Mapping[str, Any]) -> list[ReceiveMessage | UpdateDelivery]:
        """Provider input as commands; ``ValidationFailed`` on malformed input."""
        ...

    def deliver(self, message: OutboundMessage) -> str:
        """Hand ``message`` to the provider; return the provider's message id. Raises ``DeliveryFailed``
        (``retryable`` or not) when the provider refused or could not be reached."""
        ...


class ChannelDirectory(Protocol):
    """Finds the adapter of a channel instance (the channel registry implements it)."""

    def adapter(self, channel: ChannelRef) -> ChannelAdapter | None: ...


class ConversationInbox(Protocol):
    """What channel adapters hand their commands to (the conversation use case implements it)."""

    def receive(self, command: ReceiveMessage) -> Received: ...

    def update_delivery(self, command: UpdateDelivery) -> bool:
        """Apply a provider's delivery report; False when no stored message matches it."""
        ...


class CallLater(Protocol):
    """Runs a function after a delay (delivery retries); asyncio, a timer thread or a simulated kernel."""

    def call_later(self, delay_s: float, fn: Callable[[], None]) -> None: ...


class VoiceLeg(Protocol):
    """A call leg of the voice gateway (customer, agent phone, supervisor phone, call-back)."""

    id: str


class VoiceCallHandler(Protocol):
    """What the SIP gateway calls when calls and legs progress (the voice use case implements it)."""

    def incoming(self, leg: VoiceLeg, caller_id: str | None, dialled: str | None) -> None: ...
    def dtmf(self, leg: VoiceLeg, digit: str) -> None: ...
    def leg_ended(self, leg: VoiceLeg) -> None: ...
    def agent_answered(self, leg: VoiceLeg) -> None: ...
    def agent_failed(self, leg: VoiceLeg, status: int) -> None: ...
    def phone_hold(self, leg: VoiceLeg, held: bool) -> None: ...
    def listener_answered(self, leg: VoiceLeg) -> bool: ...
    def callback_event(self, leg: VoiceLeg, name: str, detail: Any) -> None: ...
    def phone_transfer(self, leg: VoiceLeg, target: str, report: Callable[[int, str], None]) -> None:
        """The agent's phone asked for a blind transfer (SIP REFER) to ``target`` (an agent or a queue id);
        ``report(status, reason)`` once with the outcome (200 when transferred)."""
        ...


class AttachmentStore(Protocol):
    """Where attachment bytes live (messages keep an ``Attachment`` reference): content-addressed, so the
    same file stored twice is kept once; ``read`` of an unknown id raises ``NotFound``."""

    def put(self, name: str, media_type: str, data: bytes) -> Attachment: ...
    def read(self, attachment_id: str) -> bytes: ...


class WebchatSessionRepository(Protocol):
    """Web-chat sessions (``domain.webchat.ChatSession``): resumable across reloads and restarts."""

    def create(self, session: ChatSession) -> None: ...
    def get(self, session_id: str) -> ChatSession | None: ...
    def put(self, session: ChatSession) -> None:
        """Replace a stored session (NotFound when it does not exist)."""
        ...
    def by_contact(self, contact_id: str) -> ChatSession | None: ...
    def purge(self, before: float) -> int:
        """Delete sessions that expired before ``before``; return how many."""
        ...


class CallbackReader(Protocol):
    """The scheduled callbacks projection (``CallbackScheduled``/``Cancelled``/``Done``): rows with
    callback_id, state (scheduled, cancelled, done), phone, due_at, customer_id, agent_id (personal),
    queue_id, note, source_contact_id, created_at/by, closed_at/by, seq; lists are by due time."""

    def callback(self, callback_id: str) -> dict[str, Any] | None: ...

    def callbacks(self, *, agent_id: str | None = None, personal: bool | None = None,
                  state: str | None = "scheduled", due_after: float | None = None, due_by: float | None = None,
                  limit: int = 500) -> builtins.list[dict[str, Any]]:
        """Rows filtered by agent, personal or queue, state and ``due_after < due_at <= due_by``."""
        ...
