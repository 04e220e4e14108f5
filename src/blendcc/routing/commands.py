"""Engine commands as frozen, wire-serialisable records, and the one dispatcher that runs them on an engine.

A command is an imperative request (``AcceptOffer``, ``CreateContact``); the engine decides what
happens and answers with past-tense events. Every command has ``to_dict()`` (JSON-plain, with its
``type``) and ``command_from_dict`` rebuilds it, so a command can be sent to the routing leader on
another node; ``run(engine, command, now)`` executes it there as the single writer.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from blendcc.domain import dialer_events as _dialer_events  # noqa: F401 -- registers dialer event types
from blendcc.domain.agent import AgentConfig
from blendcc.domain.calendar import BusinessHours
from blendcc.domain.channels import Direction
from blendcc.domain.errors import DomainError, ValidationFailed
from blendcc.domain.events import Event, event_from_dict
from blendcc.domain.queue import QueueConfig
from blendcc.routing.catalog import Catalog, RoutingSettings, build_catalog
from blendcc.routing.workflow import Workflow

if TYPE_CHECKING:
    from blendcc.routing.engine import Engine

@dataclass(frozen=True, slots=True)
class Command:
    """Base of all engine commands (each is registered by name in ``COMMAND_TYPES`` with its runner)."""

    @property
    def type(self) -> str:
        return type(self).__name__

    def to_dict(self) -> dict[str, Any]:
        """JSON-plain form: ``{"type": ..., field: value, ...}``."""
        out: dict[str, Any] = {"type": type(self).__name__}
        for f in dataclasses.fields(self):
            out[f.name] = _plain(getattr(self, f.name))
        return out

    @classmethod
    def _from_fields(cls, data: Mapping[str, Any]) -> Command:
        names = {f.name for f in dataclasses.fields(cls)}
        unknown = set(data) - names
        if unknown:
            raise ValidationFailed(f"{cls.__name__}: unknown field(s) {', '.join(sorted(unknown))}")
        try:
            return cls(**data)
        except TypeError as exc:
            raise ValidationFailed(f"{cls.__name__}: {exc}") from None


def _plain(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    return value


def command_from_dict(data: Mapping[str, Any]) -> Command:
    """Rebuild a command from its ``to_dict`` form (the inverse); unknown types or fields are refused."""
    body = dict(data)
    name = body.pop("type", None)
    cls = COMMAND_TYPES.get(str(name)) if name is not None else None
    if cls is None:
        raise ValidationFailed(f"unknown command type {name!r}")
    special = _DECODERS.get(cls)
    return special(body) if special is not None else cls._from_fields(body)


# ---------------------------------------------------------------------- contacts


@dataclass(frozen=True, slots=True)
class CreateContact(Command):
    """A new contact arrives: record it, plan its route, queue it and offer it if anyone is free.
    ``once``: refuse the id if it was ever used (client-chosen ids make retries idempotent; the
    writer checks the event log, which the engine alone cannot)."""

    contact_id: str
    channel: str
    direction: str = Direction.INBOUND.value
    attributes: Mapping[str, Any] = field(default_factory=dict)
    priority: int = 0
    customer_id: str | None = None
    tier: str | None = None
    last_agent_id: str | None = None
    workflow_id: str | None = None
    once: bool = False


@dataclass(frozen=True, slots=True)
class DisconnectCustomer(Command):
    """The customer hung up or left: abandoned if not yet connected, else the conversation ends.
    ``if_open``: do nothing when the contact is already closed (else that is refused). ``at``: when the
    customer hung up, as the channel saw it (a SIP BYE): the conversation's end is stamped then (never
    before its connect nor after now), not when the writer got to the command."""

    contact_id: str
    if_open: bool = False
    at: float | None = None


@dataclass(frozen=True, slots=True)
class MoveContact(Command):
    """Supervisor moves a waiting contact to another queue (it keeps its time in line)."""

    contact_id: str
    queue_id: str


# ---------------------------------------------------------------------- agent actions on a contact


@dataclass(frozen=True, slots=True)
class AcceptOffer(Command):
    contact_id: str
    agent_id: str


@dataclass(frozen=True, slots=True)
class DeclineOffer(Command):
    contact_id: str
    agent_id: str


@dataclass(frozen=True, slots=True)
class HoldContact(Command):
    contact_id: str
    agent_id: str


@dataclass(frozen=True, slots=True)
class ResumeContact(Command):
    contact_id: str
    agent_id: str


@dataclass(frozen=True, slots=True)
class EndContact(Command):
    """The agent ends the conversation; wrap-up starts (timed by the queue's wrap_up_s)."""

    contact_id: str
    agent_id: str


@dataclass(frozen=True, slots=True)
class CompleteWrapUp(Command):
    """Finish after-contact work with a disposition and notes (ends the conversation first if needed)."""

    contact_id: str
    agent_id: str
    disposition: str | None = None
    notes: str | None = None


@dataclass(frozen=True, slots=True)
class TransferContact(Command):
    """Blind transfer to a queue, or to an agent (falling back to the queue if unanswered)."""

    contact_id: str
    agent_id: str
    to_queue: str | None = None
    to_agent: str | None = None


@dataclass(frozen=True, slots=True)
class SetConversationState(Command):
    """Move a digital conversation: open, pending, snoozed (``until``) or resolved. ``agent_id``: the agent
    asking (it must hold or own the conversation); None when a supervisor or the system does it."""

    contact_id: str
    state: str
    agent_id: str | None = None
    by: str | None = None
    until: float | None = None
    reason: str | None = None
    disposition: str | None = None
    notes: str | None = None


# ---------------------------------------------------------------------- presence


@dataclass(frozen=True, slots=True)
class LogIn(Command):
    agent_id: str
    status: str = "available"
    reason: str | None = None


@dataclass(frozen=True, slots=True)
class SetStatus(Command):
    """Agent (or supervisor ``by``: forcing a state) sets presence: 'available' or 'aux' with a reason."""

    agent_id: str
    status: str
    reason: str | None = None
    by: str | None = None


@dataclass(frozen=True, slots=True)
class LogOut(Command):
    """Log out; ``force`` (supervisor) ends contacts in progress instead of refusing."""

    agent_id: str
    force: bool = False


# ---------------------------------------------------------------------- outbound


@dataclass(frozen=True, slots=True)
class ReserveOutbound(Command):
    """Hold an agent for a preview/progressive call of ``campaign_id``."""

    agent_id: str
    campaign_id: str


@dataclass(frozen=True, slots=True)
class ReleaseOutbound(Command):
    """End an outbound reservation (a no-op when the agent changed its own status meanwhile)."""

    agent_id: str


@dataclass(frozen=True, slots=True)
class ConnectOutbound(Command):
    """An answered dialer call becomes contact ``call_id`` connected to ``agent_id`` (reserved) or to
    the longest-idle agent of ``queue_id`` free for outbound."""

    call_id: str
    queue_id: str
    agent_id: str | None = None
    attributes: Mapping[str, Any] = field(default_factory=dict)
    customer_id: str | None = None


# ---------------------------------------------------------------------- time, configuration, composition


@dataclass(frozen=True, slots=True)
class Tick(Command):
    """Fire every timer due by now: ring-no-answer, step timeouts, maximum wait, timed wrap-up."""


@dataclass(frozen=True, slots=True, eq=False)
class Configure(Command):
    """Switch to a new routing catalog (agents keep their state, then everything rematches). On the
    wire it travels as the catalog's documents; ``command_from_dict`` validates and compiles them."""

    catalog: Catalog

    def to_dict(self) -> dict[str, Any]:
        cat = self.catalog
        return {
            "type": "Configure",
            "queues": [q.model_dump(mode="json") for q in cat.queues.values()],
            "calendars": [c.model_dump(mode="json") for c in cat.calendars.values()],
            "agents": [a.model_dump(mode="json") for a in cat.agents.values()],
            "workflows": [w.workflow.model_dump(mode="json") for w in cat.workflows.values()],
            "settings": cat.settings.model_dump(mode="json"),
        }

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Configure) and self.to_dict() == other.to_dict()

    def __hash__(self) -> int:
        return id(self.catalog)


def _configure_from(data: Mapping[str, Any]) -> Command:
    try:
        return Configure(build_catalog(
            [QueueConfig.model_validate(q) for q in data.get("queues", ())],
            [BusinessHours.model_validate(c) for c in data.get("calendars", ())],
            [AgentConfig.model_validate(a) for a in data.get("agents", ())],
            [Workflow.model_validate(w) for w in data.get("workflows", ())],
            RoutingSettings.model_validate(data.get("settings", {}))))
    except ValueError as exc:  # pydantic's ValidationError is a ValueError
        raise ValidationFailed(f"Configure: {exc}") from None


@dataclass(frozen=True, slots=True)
class AppendEvents(Command):
    """Store facts decided outside the engine (the dialer's and campaigns' events) in the same log and
    commit as the engine's; replaying them changes nothing in the routing state. ``stamp``: the events
    carry the writer's time (``at`` replaced by the time the command runs)."""

    events: tuple[Event, ...]
    stamp: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {"type": "AppendEvents", "events": [{"type": e.type, **e.to_dict()} for e in self.events],
                "stamp": self.stamp}


def _append_from(data: Mapping[str, Any]) -> Command:
    out = []
    for item in data.get("events", ()):
        body = dict(item)
        try:
            out.append(event_from_dict(str(body.pop("type")), body))
        except (KeyError, TypeError, ValueError) as exc:
            raise ValidationFailed(f"AppendEvents: bad event {item!r}: {exc}") from None
    return AppendEvents(tuple(out), bool(data.get("stamp")))


@dataclass(frozen=True, slots=True)
class SetEmergency(Command):
    """Put a queue (or the centre, scope ``*``) in emergency mode: closed, callback_only or overflow."""

    scope: str
    mode: str
    overflow_queue: str | None = None
    message: str = ""
    by: str | None = None
    crisis_id: str | None = None
    since: float | None = None  # when the mode began, if before now (set again after a restart)


@dataclass(frozen=True, slots=True)
class ClearEmergency(Command):
    """Back to normal mode (nothing happens when the scope is not in emergency mode)."""

    scope: str
    by: str | None = None
    crisis_id: str | None = None


@dataclass(frozen=True, slots=True)
class Batch(Command):
    """Several commands run one after the other in one writer step (one store transaction).
    ``skip_refused``: a command refused by the engine's rules (a DomainError, raised before it changed
    anything) is skipped and the rest still run; otherwise the first refusal refuses the batch."""

    commands: tuple[Command, ...]
    skip_refused: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {"type": "Batch", "commands": [c.to_dict() for c in self.commands], "skip_refused": self.skip_refused}


def _batch_from(data: Mapping[str, Any]) -> Command:
    return Batch(tuple(command_from_dict(c) for c in data.get("commands", ())), bool(data.get("skip_refused")))


_DECODERS: dict[type[Command], Callable[[Mapping[str, Any]], Command]] = {
    Configure: _configure_from,
    AppendEvents: _append_from,
    Batch: _batch_from,
}


# ---------------------------------------------------------------------- the dispatcher


def run(engine: Engine, command: Command, now: float) -> list[Event]:
    """Execute ``command`` on ``engine`` at ``now``; return the events it produced (already applied).
    ``CreateContact.once`` is the writer's check (see ``Runtime.execute``), not the engine's."""
    handler = _RUN.get(type(command))
    if handler is None:  # a programming error (never a refusal a ``Batch`` could skip)
        raise TypeError(f"not an engine command: {command!r}")
    return handler(engine, command, now)


def _create(e: Engine, c: Any, now: float) -> list[Event]:
    return e.create_contact(c.contact_id, c.channel, now, direction=c.direction, attributes=c.attributes,
                            priority=c.priority, customer_id=c.customer_id, tier=c.tier,
                            last_agent_id=c.last_agent_id, workflow_id=c.workflow_id)


def _disconnect(e: Engine, c: Any, now: float) -> list[Event]:
    if c.if_open and e.is_terminal(c.contact_id):
        return []
    return e.customer_left(c.contact_id, now, ended_at=c.at)


def _batch(e: Engine, c: Any, now: float) -> list[Event]:
    events: list[Event] = []
    try:
        for sub in c.commands:
            if c.skip_refused:
                try:
                    events += run(e, sub, now)
                except DomainError:  # refused before it changed anything (the engine's rule)
                    continue
            else:
                events += run(e, sub, now)
    except Exception:
        # the earlier commands' events are applied but will not be stored: hand them back as pending,
        # so the writer sees a command that failed after applying events and rebuilds its live state
        e._out[:0] = events
        raise
    return events


_RUN: dict[type[Command], Callable[[Engine, Any, float], list[Event]]] = {
    CreateContact: _create,
    DisconnectCustomer: _disconnect,
    MoveContact: lambda e, c, now: e.move(c.contact_id, c.queue_id, now),
    AcceptOffer: lambda e, c, now: e.accept(c.contact_id, c.agent_id, now),
    DeclineOffer: lambda e, c, now: e.decline(c.contact_id, c.agent_id, now),
    HoldContact: lambda e, c, now: e.hold(c.contact_id, c.agent_id, now),
    ResumeContact: lambda e, c, now: e.resume_contact(c.contact_id, c.agent_id, now),
    EndContact: lambda e, c, now: e.end(c.contact_id, c.agent_id, now),
    CompleteWrapUp: lambda e, c, now: e.wrap_up(c.contact_id, c.agent_id, now, disposition=c.disposition,
                                                notes=c.notes),
    TransferContact: lambda e, c, now: e.transfer(c.contact_id, c.agent_id, now, to_queue=c.to_queue,
                                                  to_agent=c.to_agent),
    SetConversationState: lambda e, c, now: e.set_conversation_state(
        c.contact_id, c.state, now, agent_id=c.agent_id, by=c.by, until=c.until, reason=c.reason,
        disposition=c.disposition, notes=c.notes),
    LogIn: lambda e, c, now: e.login(c.agent_id, now, status=c.status, reason=c.reason),
    SetStatus: lambda e, c, now: e.set_status(c.agent_id, c.status, now, reason=c.reason, by=c.by),
    LogOut: lambda e, c, now: e.logout(c.agent_id, now, force=c.force),
    ReserveOutbound: lambda e, c, now: e.reserve_outbound(c.agent_id, now, campaign_id=c.campaign_id),
    ReleaseOutbound: lambda e, c, now: e.release_outbound(c.agent_id, now),
    ConnectOutbound: lambda e, c, now: e.connect_outbound(c.call_id, c.queue_id, now, agent_id=c.agent_id,
                                                          attributes=c.attributes, customer_id=c.customer_id),
    Tick: lambda e, _c, now: e.tick(now),
    Configure: lambda e, c, now: e.configure(c.catalog, now),
    AppendEvents: lambda _e, c, now: [dataclasses.replace(x, at=now) for x in c.events] if c.stamp else list(c.events),
    SetEmergency: lambda e, c, now: e.set_emergency(c.scope, c.mode, now, overflow_queue=c.overflow_queue,
                                                    message=c.message, by=c.by, crisis_id=c.crisis_id,
                                                    since=c.since),
    ClearEmergency: lambda e, c, now: e.clear_emergency(c.scope, now, by=c.by, crisis_id=c.crisis_id),
    Batch: _batch,
}

#: command type name -> class: every command the dispatcher runs, and only those
COMMAND_TYPES: dict[str, type[Command]] = {cls.__name__: cls for cls in _RUN}
