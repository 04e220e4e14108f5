"""Typed, immutable domain events: the facts every projection is built from."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar, TypeVar

from blendcc.domain.interaction import RouteStep


@dataclass(frozen=True, slots=True, kw_only=True)
class Event:
    """Base of all events. ``at`` is UTC epoch seconds from the injected clock."""

    at: float
    #: topic used on the event bus ("contact" or "agent")
    topic: ClassVar[str] = "contact"

    @property
    def type(self) -> str:
        return type(self).__name__

    def to_dict(self) -> dict[str, Any]:
        return {f.name: _plain(getattr(self, f.name)) for f in dataclasses.fields(self)}


def _plain(value: Any) -> Any:
    if isinstance(value, RouteStep):
        return value.to_dict()
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    return value


# ---------------------------------------------------------------- contact lifecycle


@dataclass(frozen=True, slots=True, kw_only=True)
class ContactCreated(Event):
    contact_id: str
    channel: str
    direction: str
    customer_id: str | None
    priority: int
    attributes: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True, kw_only=True)
class ContactRouted(Event):
    """The routing workflow chose a plan: ordered steps the contact walks through."""

    contact_id: str
    workflow_id: str
    filter_name: str
    steps: tuple[RouteStep, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class ContactQueued(Event):
    """A queue visit starts. ``reason``: new, overflow, transfer, moved."""

    contact_id: str
    queue_id: str
    channel: str
    step_index: int
    priority: int
    reason: str = "new"


@dataclass(frozen=True, slots=True, kw_only=True)
class ContactStepAdvanced(Event):
    """Within the same queue, requirements changed (e.g. skills relaxed after N seconds)."""

    contact_id: str
    queue_id: str
    step_index: int
    priority: int


@dataclass(frozen=True, slots=True, kw_only=True)
class ContactOverflowed(Event):
    """The contact left a queue for another without being answered there."""

    contact_id: str
    from_queue_id: str
    to_queue_id: str
    channel: str
    queued_at: float
    reason: str  # step_timeout, no_agents, closed, supervisor


@dataclass(frozen=True, slots=True, kw_only=True)
class ContactOffered(Event):
    """A reservation: the agent is offered the contact until ``expires_at``."""

    contact_id: str
    agent_id: str
    queue_id: str
    channel: str
    expires_at: float


@dataclass(frozen=True, slots=True, kw_only=True)
class OfferRevoked(Event):
    """The offer ended without connection; the contact returns to its place in line.

    ``reason``: declined, timeout (ring-no-answer), logout, abandoned, moved.
    """

    contact_id: str
    agent_id: str
    reason: str


@dataclass(frozen=True, slots=True, kw_only=True)
class ContactConnected(Event):
    contact_id: str
    agent_id: str
    queue_id: str
    channel: str
    queued_at: float
    wait_s: float


@dataclass(frozen=True, slots=True, kw_only=True)
class ContactHeld(Event):
    contact_id: str
    agent_id: str


@dataclass(frozen=True, slots=True, kw_only=True)
class ContactResumed(Event):
    contact_id: str
    agent_id: str


@dataclass(frozen=True, slots=True, kw_only=True)
class ContactTransferred(Event):
    """The handling agent passed the contact on: to a queue, or to a named agent."""

    contact_id: str
    from_agent_id: str
    from_queue_id: str
    channel: str
    queued_at: float
    to_queue_id: str
    to_agent_id: str | None


@dataclass(frozen=True, slots=True, kw_only=True)
class ContactEnded(Event):
    """The conversation of one agent leg ended; the agent enters wrap-up until ``wrap_up_until``.

    ``reason``: agent, customer, transfer.
    """

    contact_id: str
    agent_id: str
    queue_id: str
    reason: str
    wrap_up_until: float | None


@dataclass(frozen=True, slots=True, kw_only=True)
class WrapUpCompleted(Event):
    """One agent leg is complete; its talk, hold and after-contact work are final."""

    contact_id: str
    agent_id: str
    queue_id: str
    channel: str
    queued_at: float
    disposition: str | None
    notes: str | None
    talk_s: float
    hold_s: float
    acw_s: float
    timed_out: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class ContactAbandoned(Event):
    """The customer left before reaching an agent (queue_id is None if it never queued)."""

    contact_id: str
    queue_id: str | None
    channel: str
    queued_at: float | None
    wait_s: float


@dataclass(frozen=True, slots=True, kw_only=True)
class ContactTimedOut(Event):
    """The contact waited longer than the queue's maximum wait and was ended."""

    contact_id: str
    queue_id: str
    channel: str
    queued_at: float
    wait_s: float


@dataclass(frozen=True, slots=True, kw_only=True)
class ContactRejected(Event):
    """Routing could not place the contact (e.g. closed with no overflow)."""

    contact_id: str
    queue_id: str | None
    reason: str


@dataclass(frozen=True, slots=True, kw_only=True)
class ContactClosed(Event):
    """Terminal: ``outcome`` is completed, abandoned, timed_out or rejected."""

    contact_id: str
    outcome: str


# ---------------------------------------------------------------- agents


@dataclass(frozen=True, slots=True, kw_only=True)
class AgentLoggedIn(Event):
    topic: ClassVar[str] = "agent"
    agent_id: str


@dataclass(frozen=True, slots=True, kw_only=True)
class AgentLoggedOut(Event):
    topic: ClassVar[str] = "agent"
    agent_id: str


@dataclass(frozen=True, slots=True, kw_only=True)
class AgentStatusChanged(Event):
    """The agent (or a supervisor) set presence: available, or aux with a reason code."""

    topic: ClassVar[str] = "agent"
    agent_id: str
    status: str
    reason: str | None
    by: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class AgentStateChanged(Event):
    """The agent's observable state changed (offline, available, reserved, busy, wrap_up, aux)."""

    topic: ClassVar[str] = "agent"
    agent_id: str
    state: str
    reason: str | None


EVENT_TYPES: dict[str, type[Event]] = {
    cls.__name__: cls
    for cls in (
        ContactCreated,
        ContactRouted,
        ContactQueued,
        ContactStepAdvanced,
        ContactOverflowed,
        ContactOffered,
        OfferRevoked,
        ContactConnected,
        ContactHeld,
        ContactResumed,
        ContactTransferred,
        ContactEnded,
        WrapUpCompleted,
        ContactAbandoned,
        ContactTimedOut,
        ContactRejected,
        ContactClosed,
        AgentLoggedIn,
        AgentLoggedOut,
        AgentStatusChanged,
        AgentStateChanged,
    )
}


_MISSING: Any = object()


def _fast_init(cls: type[Event]) -> None:
    """Give a frozen event class a cheaper constructor with the same keyword-only signature.

    The generated ``__init__`` of a frozen dataclass writes every field through
    ``object.__setattr__`` (a global lookup, an attribute lookup and a generic call per field);
    this one writes each slot through its own slot descriptor, which is what ``object.__setattr__``
    ends up doing -- about twice as fast for a typical event, the engine's most frequent allocation.
    The instance is the same: frozen (assignment still raises), equal, hashable, picklable.
    """
    params: list[str] = []
    body: list[str] = []
    env: dict[str, Any] = {"_MISSING": _MISSING}
    for f in dataclasses.fields(cls):
        name = f.name
        descriptor = getattr(cls, name)
        env[f"_set_{name}"] = descriptor.__set__
        if f.default is not dataclasses.MISSING:
            env[f"_default_{name}"] = f.default
            params.append(f"{name}=_default_{name}")
            body.append(f"    _set_{name}(self, {name})")
        elif f.default_factory is not dataclasses.MISSING:
            env[f"_factory_{name}"] = f.default_factory
            params.append(f"{name}=_MISSING")
            body.append(f"    _set_{name}(self, _factory_{name}() if {name} is _MISSING else {name})")
        else:
            params.append(name)
            body.append(f"    _set_{name}(self, {name})")
    signature = ", ".join(params)
    source = (f"def __init__(self, *, {signature}):\n" + "\n".join(body) + "\n"
              f"def make(*, {signature}):\n    self = _new(_cls)\n" + "\n".join(body) + "\n    return self\n")
    env["_new"] = object.__new__
    env["_cls"] = cls
    namespace: dict[str, Any] = {}
    exec(source, env, namespace)  # generated from the class's own field names, as dataclasses does
    init = namespace["__init__"]
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    init.__module__ = cls.__module__
    init.__doc__ = cls.__init__.__doc__
    cls.__init__ = init  # type: ignore[method-assign]
    make = namespace["make"]
    make.__qualname__ = f"{cls.__qualname__}.make"
    make.__module__ = cls.__module__
    _FACTORIES[cls] = make


_FACTORIES: dict[type[Event], Any] = {}
E = TypeVar("E", bound=Event)


def factory(cls: type[E]) -> type[E]:
    """A constructor of ``cls`` events for hot paths: called with the same keywords, it builds the same
    event about 40% cheaper than calling the class (a class call with a Python ``__init__`` packs the
    keywords into a dict first; a plain function does not). Typed as the class so that type checkers
    check the keywords; use it only to construct (it is not the class: no isinstance)."""
    return _FACTORIES.get(cls, cls)  # type: ignore[no-any-return]


def event_from_dict(type_name: str, data: Mapping[str, Any]) -> Event:
    """Rebuild an event from its stored form (inverse of ``Event.to_dict``)."""
    cls = EVENT_TYPES.get(type_name)
    if cls is None:
        raise ValueError(f"unknown event type {type_name!r}")
    kwargs = dict(data)
    if cls is ContactRouted:
        kwargs["steps"] = tuple(RouteStep.from_dict(s) for s in kwargs["steps"])
    return cls(**kwargs)


def subject_ids(event: Event) -> tuple[str | None, str | None, str | None]:
    """(contact_id, agent_id, queue_id) an event is about, for indexing in the store."""
    contact = getattr(event, "contact_id", None)
    agent = getattr(event, "agent_id", None) or getattr(event, "from_agent_id", None)
    queue = getattr(event, "queue_id", None) or getattr(event, "from_queue_id", None)
    return contact, agent, queue


for _cls in EVENT_TYPES.values():
    _fast_init(_cls)

# dialer and conversation (message) events live in their own modules and register themselves into
# EVENT_TYPES on import
from blendcc.domain import callback_events as _callback_events  # noqa: E402,F401
from blendcc.domain import conversation_events as _conversation_events  # noqa: E402,F401
from blendcc.domain import crisis_events as _crisis_events  # noqa: E402,F401
from blendcc.domain import customer_events as _customer_events  # noqa: E402,F401
from blendcc.domain import dialer_events as _dialer_events  # noqa: E402,F401
from blendcc.domain import ivr_events as _ivr_events  # noqa: E402,F401
from blendcc.domain import problem_events as _problem_events  # noqa: E402,F401
from blendcc.domain import transcript as _transcript  # noqa: E402,F401

# ---------------------------------------------------------------- voice media and call-backs (topic "voice")
# Media files stay on disk (or in an object store); the log holds the facts and where the files are.


@dataclass(frozen=True, slots=True, kw_only=True)
class RecordingStored(Event):
    """A recording's file is complete. ``uri`` is relative to the recording directory ("c1.wav",
    "voicemail/sales/c1.wav"); ``kind`` is "call" (a conversation) or "voicemail" (the caller alone)."""

    topic: ClassVar[str] = "voice"
    contact_id: str
    recording_id: str
    uri: str
    duration_s: float | None
    kind: str = "call"
    agent_id: str | None = None
    queue_id: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class VoicemailLeft(Event):
    """A caller left a message in ``mailbox``; its audio is the RecordingStored with ``recording_id``."""

    topic: ClassVar[str] = "voice"
    contact_id: str
    mailbox: str
    recording_id: str
    uri: str
    duration_s: float | None
    caller_id: str | None
    dialled: str | None
    max_seconds: float
    ivr: Mapping[str, str] = field(default_factory=dict)
    attributes: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True, kw_only=True)
class CallbackRequested(Event):
    """The caller hung up asking to be called back on ``number``; the contact keeps its place in line."""

    topic: ClassVar[str] = "voice"
    contact_id: str
    number: str
    dialled: str | None = None
    queue_id: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class CallbackAttempted(Event):
    """One dial-back: ``outcome`` answered, busy, no_answer or failed; ``final``: no attempt follows."""

    topic: ClassVar[str] = "voice"
    contact_id: str
    number: str | None
    agent_id: str | None
    attempt: int
    outcome: str
    final: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class CallbackCompleted(Event):
    """The call-back is over: ``outcome`` answered, the last attempt's outcome, or "cancelled" (the
    contact ended before the customer was reached)."""

    topic: ClassVar[str] = "voice"
    contact_id: str
    outcome: str
    attempts: int


VOICE_EVENT_TYPES: tuple[type[Event], ...] = (
    RecordingStored, VoicemailLeft, CallbackRequested, CallbackAttempted, CallbackCompleted)
for _cls in VOICE_EVENT_TYPES:
    EVENT_TYPES[_cls.__name__] = _cls
    _fast_init(_cls)


# ---------------------------------------------------------------- voice call controls


@dataclass(frozen=True, slots=True, kw_only=True)
class ConferenceStarted(Event):
    """After a consultation, ``agent_id`` joined the customer and ``with_agent_id`` in a three-way call."""

    topic: ClassVar[str] = "voice"
    contact_id: str
    agent_id: str
    with_agent_id: str


@dataclass(frozen=True, slots=True, kw_only=True)
class ConferenceLeft(Event):
    """``party`` (``agent``: the first agent, which hands the customer to the other: a transfer follows;
    ``consulted``: the consulted agent; ``customer``) left the conference; the other two stay bridged."""

    topic: ClassVar[str] = "voice"
    contact_id: str
    party: str
    agent_id: str | None
    remaining_agent_id: str | None


CONTROL_EVENT_TYPES: tuple[type[Event], ...] = (ConferenceStarted, ConferenceLeft)
for _cls in CONTROL_EVENT_TYPES:
    EVENT_TYPES[_cls.__name__] = _cls
    _fast_init(_cls)
