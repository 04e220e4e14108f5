"""Builders for routing tests: a small centre, an engine that records every event, event lookups."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any, TypeVar

from blendcc.domain import events as ev
from blendcc.domain.agent import AgentConfig, Capacity
from blendcc.domain.calendar import BusinessHours
from blendcc.domain.channels import Channel
from blendcc.domain.queue import QueueConfig
from blendcc.routing.catalog import Catalog, RoutingSettings, build_catalog
from blendcc.routing.engine import Engine
from blendcc.routing.workflow import Target, Workflow

#: Monday 15 January 2024, 09:00 UTC: every test clock counts seconds from here.
T0 = datetime(2024, 1, 15, 9, 0, tzinfo=UTC).timestamp()

E = TypeVar("E", bound=ev.Event)

VOICE_ONLY = Capacity()
CHAT_3_EMAIL_2 = Capacity(limits={Channel.VOICE: 1, Channel.CHAT: 3, Channel.EMAIL: 2})


def queue(qid: str, **kwargs: Any) -> QueueConfig:
    return QueueConfig(id=qid, **kwargs)


def agent(aid: str, *queues: str, skills: dict[str, int] | None = None,
          capacity: Capacity | None = None) -> AgentConfig:
    return AgentConfig(id=aid, queues=list(queues), skills=skills or {},
                       capacity=capacity if capacity is not None else VOICE_ONLY)


def catalog(queues: Sequence[QueueConfig], agents: Sequence[AgentConfig], *,
            workflows: Sequence[Workflow] | None = None, calendars: Sequence[BusinessHours] = (),
            settings: RoutingSettings | None = None) -> Catalog:
    if workflows is None:
        workflows = [Workflow(id="main", default=[Target(queue=queues[0].id)])]
    return build_catalog(list(queues), list(calendars), list(agents), list(workflows), settings)


def workflow(*targets: Target, filters: Sequence[Any] = (), wid: str = "main") -> Workflow:
    return Workflow(id=wid, default=list(targets), filters=list(filters))


class Sim:
    """An Engine driven with times in seconds after T0, keeping a log of every event emitted."""

    def __init__(self, cat: Catalog, start: float = 0.0):
        self.catalog = cat
        self.engine = Engine(cat, T0 + start)
        self.log: list[ev.Event] = []

    def _rec(self, events: list[ev.Event]) -> list[ev.Event]:
        self.log.extend(events)
        return events

    def create(self, cid: str, t: float, channel: str = "voice", **kwargs: Any) -> list[ev.Event]:
        return self._rec(self.engine.create_contact(cid, channel, T0 + t, **kwargs))

    def login(self, aid: str, t: float, status: str = "available", reason: str | None = None) -> list[ev.Event]:
        return self._rec(self.engine.login(aid, T0 + t, status=status, reason=reason))

    def logout(self, aid: str, t: float, force: bool = False) -> list[ev.Event]:
        return self._rec(self.engine.logout(aid, T0 + t, force=force))

    def status(self, aid: str, t: float, status: str, reason: str | None = None) -> list[ev.Event]:
        return self._rec(self.engine.set_status(aid, status, T0 + t, reason=reason))

    def available(self, aid: str, t: float) -> list[ev.Event]:
        return self.status(aid, t, "available")

    def aux(self, aid: str, t: float, reason: str = "break") -> list[ev.Event]:
        return self.status(aid, t, "aux", reason)

    def accept(self, cid: str, aid: str, t: float) -> list[ev.Event]:
        return self._rec(self.engine.accept(cid, aid, T0 + t))

    def decline(self, cid: str, aid: str, t: float) -> list[ev.Event]:
        return self._rec(self.engine.decline(cid, aid, T0 + t))

    def hold(self, cid: str, aid: str, t: float) -> list[ev.Event]:
        return self._rec(self.engine.hold(cid, aid, T0 + t))

    def unhold(self, cid: str, aid: str, t: float) -> list[ev.Event]:
        return self._rec(self.engine.resume_contact(cid, aid, T0 + t))

    def end(self, cid: str, aid: str, t: float) -> list[ev.Event]:
        return self._rec(self.engine.end(cid, aid, T0 + t))

    def wrap_up(self, cid: str, aid: str, t: float, **kwargs: Any) -> list[ev.Event]:
        return self._rec(self.engine.wrap_up(cid, aid, T0 + t, **kwargs))

    def transfer(self, cid: str, aid: str, t: float, **kwargs: Any) -> list[ev.Event]:
        return self._rec(self.engine.transfer(cid, aid, T0 + t, **kwargs))

    def customer_left(self, cid: str, t: float) -> list[ev.Event]:
        return self._rec(self.engine.customer_left(cid, T0 + t))

    def move(self, cid: str, qid: str, t: float) -> list[ev.Event]:
        return self._rec(self.engine.move(cid, qid, T0 + t))

    def tick(self, t: float) -> list[ev.Event]:
        return self._rec(self.engine.tick(T0 + t))

    def handle(self, cid: str, aid: str, t: float, talk: float = 60.0) -> list[ev.Event]:
        """Accept at ``t``, end after ``talk`` seconds and complete the wrap-up at once."""
        out = self.accept(cid, aid, t)
        out += self.end(cid, aid, t + talk)
        if cid in self.engine.agents[aid].work:  # not already completed (zero wrap-up)
            out += self.wrap_up(cid, aid, t + talk)
        return out

    # ---------------------------------------------------------------- state queries

    def state(self, aid: str) -> str:
        return self.engine.agents[aid].state.value

    def offered_to(self, cid: str) -> str | None:
        c = self.engine.contacts.get(cid)
        return c.agent_id if c is not None and c.state.value == "offered" else None

    def contact_state(self, cid: str) -> str:
        c = self.engine.contacts.get(cid)
        return "gone" if c is None else c.state.value


def of(events: Iterable[ev.Event], kind: type[E]) -> list[E]:
    return [e for e in events if isinstance(e, kind)]


def one(events: Iterable[ev.Event], kind: type[E]) -> E:
    found = of(events, kind)
    assert len(found) == 1, f"expected one {kind.__name__}, got {[type(e).__name__ for e in events]}"
    return found[0]


def names(events: Iterable[ev.Event]) -> list[str]:
    return [type(e).__name__ for e in events]


def offers(events: Iterable[ev.Event]) -> list[tuple[str, str]]:
    """(contact, agent) of every ContactOffered, in order."""
    return [(e.contact_id, e.agent_id) for e in of(events, ev.ContactOffered)]
