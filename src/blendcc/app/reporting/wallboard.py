"""The wallboard: per queue and per queue x channel (waiting, longest wait, today's KPIs against the queue's own
targets, agents by state) and per agent (state with hold apart, time in state, today's figures)."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, NamedTuple

from blendcc.analytics.digital_stats import DigitalCounters, digital_kpis
from blendcc.analytics.queue_stats import QueueCounters, queue_kpis
from blendcc.app.reporting.live_stats import LiveStats
from blendcc.domain.agent import AgentState
from blendcc.domain.channels import Channel
from blendcc.domain.events import EVENT_TYPES
from blendcc.domain.lifecycle.assignment import AssignmentStage
from blendcc.domain.lifecycle.contact import WAITING
from blendcc.domain.lifecycle.contact import ContactState as S
from blendcc.domain.queue import QueueConfig
from blendcc.ports import StoredEvent
from blendcc.routing.engine import Engine
from blendcc.routing.records import AgentRecord

#: The states an agent is counted in on the wallboard, in display order: "held" is "busy" with every
#: conversation on hold (``ContactHeld``; ``ContactResumed`` brings it back to "busy").
STATES = ("available", "reserved", "busy", "held", "wrap_up", "aux", "offline")
HELD = "held"
_DIGITS = re.compile(r"(\d+)")
_BUSY, _HELD = AssignmentStage.BUSY, AssignmentStage.HELD


@functools.lru_cache(maxsize=16384)
def natural_key(text: str) -> tuple[Any, ...]:
    """Sort key that orders digit runs as numbers: agent2 before agent10 (case-insensitive)."""
    return tuple((0, int(part), "") if part.isdigit() else (1, 0, part.casefold())
                 for part in _DIGITS.split(text) if part)


def wallboard_state(agent: AgentRecord) -> tuple[str, float]:
    """The agent's wallboard state and since when: ``held`` when connected work is all on hold."""
    state = agent.state.value
    if agent.state is AgentState.BUSY:
        held_since: float | None = None
        for asg in agent.work.values():
            if asg.stage is _BUSY:
                return state, agent.state_since
            if asg.stage is _HELD and asg.hold_started is not None:
                held_since = max(held_since or 0.0, asg.hold_started)
        if held_since is not None:
            return HELD, held_since
    return state, agent.state_since


def _empty_states() -> dict[str, int]:
    return {s: 0 for s in STATES if s != "offline"}


def _targets(q: QueueConfig, channel: Channel | None) -> dict[str, float]:
    sl_t = q.sl_threshold(channel) if channel is not None else (
        q.sl_threshold_s if q.sl_threshold_s is not None else q.sl_threshold(Channel.VOICE))
    return {"sl_target": q.sl_target, "sl_threshold_s": sl_t,
            "long_wait_s": q.long_wait_s if q.long_wait_s is not None else sl_t}


def _channel_counters(stats: LiveStats) -> dict[tuple[str, str], QueueCounters]:
    acc: dict[tuple[str, str], QueueCounters] = {}
    for (_, q, ch), c in stats.counters_today():
        total = acc.get((q, ch))
        if total is None:
            total = acc[(q, ch)] = QueueCounters()
        total.merge(c)
    return acc


class Captured(NamedTuple):
    """The live state a frame needs, copied out under the writer's lock (``capture``): plain values only,
    so the rest of the frame (``assemble``) is built after the lock is released."""

    queues: Mapping[str, QueueConfig]  # the catalog's (immutable, replaced whole on reconfiguration)
    waiting: list[tuple[str, str, float, bool]]  # (queue, channel, queued at, offered now)
    agents: list[AgentLine]


class AgentLine(NamedTuple):
    id: str
    name: str
    team_id: str | None
    logged_in: bool
    state: str
    reason: str | None
    since: float
    queues: tuple[str, ...]
    contacts: list[str]
    load: dict[str, int]
    limits: Mapping[Channel, int]


def _line(a: AgentRecord, configured: Mapping[str, Any]) -> AgentLine | None:
    """The agent's line, None if the board leaves it out (not configured any more and logged out)."""
    if a.id not in configured and not a.logged_in:
        return None
    state, since = wallboard_state(a)
    return AgentLine(a.id, a.config.name or a.id, a.config.team_id, a.logged_in, state, a.state_reason, since,
                     a.queues, sorted(a.work), {ch.value: n for ch, n in a.load.items()}, a.capacity.limits)


def _waiting(engine: Engine) -> list[tuple[str, str, float, bool]]:
    return [(c.queue.id, c.channel.value, c.queued_at, c.state is S.OFFERED)
            for c in engine.contacts.values() if c.state in WAITING]


def capture(engine: Engine) -> Captured:
    """Copy what the frame shows out of the engine (call under the writer's lock: ``Runtime.query``)."""
    configured = engine.catalog.agents
    agents = [line for a in engine.agents.values() if (line := _line(a, configured)) is not None]
    return Captured(engine.catalog.queues, _waiting(engine), agents)


@functools.lru_cache(maxsize=512)
def _agent_fields(event_type: str) -> tuple[str, ...]:
    """The event type's fields naming an agent (``agent_id``, ``from_agent_id``, ``with_agent_id``, ...)."""
    cls = EVENT_TYPES.get(event_type)
    return tuple(n for n in getattr(cls, "__dataclass_fields__", {}) if n.endswith("agent_id"))


class AgentLines:
    """The agents' lines kept from frame to frame (ADR 0060): a commit subscriber of the Runtime (called under the
    writer's lock) marks the agents an event names, and those holding its contact, and ``capture`` (under the same
    lock) copies only those again. Live state changes only by applying events (``LiveState.apply``), so an
    agent no event touched has the line it had. An event naming neither an agent nor a contact, a new catalog
    (reconfiguration) or a new engine (rebuild, take-over) copies every agent again."""

    def __init__(self) -> None:
        self._lines: dict[str, AgentLine] = {}
        self._holders: dict[str, set[str]] = {}  # contact id -> the agents whose line holds it
        self._dirty: set[str] = set()
        self._all = True
        self._engine: Engine | None = None
        self._catalog: object | None = None

    def committed(self, batch: Sequence[StoredEvent]) -> None:
        if self._all:
            return
        for stored in batch:
            e = stored.event
            agents = [v for n in _agent_fields(e.type) if (v := getattr(e, n, None))]
            contact = getattr(e, "contact_id", None)
            if not agents and contact is None:
                self._all = True
                return
            self._dirty.update(agents)
            if contact is not None:
                self._dirty.update(self._holders.get(contact, ()))

    def capture(self, engine: Engine) -> Captured:
        """``capture(engine)``'s frame data, copying only the agents changed since the last call."""
        configured = engine.catalog.agents
        if self._all or engine is not self._engine or engine.catalog is not self._catalog:
            self._lines.clear()
            self._holders.clear()
            ids: Iterable[str] = engine.agents
            self._engine, self._catalog, self._all = engine, engine.catalog, False
        else:
            ids = self._dirty
        for agent_id in list(ids):
            self._set(agent_id, engine.agents.get(agent_id), configured)
        self._dirty = set()
        return Captured(engine.catalog.queues, _waiting(engine), list(self._lines.values()))

    def _set(self, agent_id: str, record: AgentRecord | None, configured: Mapping[str, Any]) -> None:
        old = self._lines.pop(agent_id, None)
        for contact in old.contacts if old is not None else ():
            holders = self._holders.get(contact)
            if holders is not None:
                holders.discard(agent_id)
                if not holders:
                    del self._holders[contact]
        line = _line(record, configured) if record is not None else None
        if line is not None:
            self._lines[agent_id] = line
            for contact in line.contacts:
                self._holders.setdefault(contact, set()).add(agent_id)


def build(engine: Engine, stats: LiveStats, now: float) -> dict[str, Any]:
    """The wallboard frame in one go (``capture`` then ``assemble``)."""
    return assemble(capture(engine), stats, now)


def assemble(cap: Captured, stats: LiveStats, now: float) -> dict[str, Any]:
    """The wallboard frame (``GET /api/stats/live`` and the supervisor socket's ``stats`` frames) from the
    captured live state and today's statistics (``LiveStats`` has its own lock)."""
    stats.tick(now)
    digital = stats.digital_today(now)
    no_digital = digital_kpis(DigitalCounters())
    per_channel = _channel_counters(stats)
    queues: dict[str, dict[str, Any]] = {}
    tiles: dict[tuple[str, str], dict[str, Any]] = {}
    totals: dict[str, QueueCounters] = {}
    for (qid, _), c in per_channel.items():
        totals.setdefault(qid, QueueCounters()).merge(c)
    catalog = cap.queues
    for qid, q in catalog.items():
        queues[qid] = {"id": qid, "name": q.name or qid, "waiting": 0, "offered_now": 0, "longest_wait_s": 0.0,
                       "agents": _empty_states(), "agents_offline": 0, **_targets(q, None),
                       "today": queue_kpis(totals.get(qid, QueueCounters())),
                       "digital": digital["queues"].get(qid, no_digital), "channels": []}

    def tile(qid: str, ch: str) -> dict[str, Any]:
        t = tiles.get((qid, ch))
        if t is None:
            q = catalog[qid]
            t = tiles[(qid, ch)] = {"queue_id": qid, "queue_name": q.name or qid, "channel": ch, "waiting": 0,
                                    "longest_wait_s": 0.0, "agents": _empty_states(), "agents_offline": 0,
                                    **_targets(q, Channel(ch)),
                                    "today": queue_kpis(per_channel.get((qid, ch), QueueCounters()))}
        return t

    for (qid, ch), c in per_channel.items():
        if qid in catalog and c.offered:
            tile(qid, ch)
    for qid, ch, queued_at, offered in cap.waiting:
        if qid in queues:
            wait = max(0.0, now - queued_at)
            for row in (queues[qid], tile(qid, ch)):
                row["waiting"] += 1
                row["longest_wait_s"] = max(row["longest_wait_s"], wait)
            if offered:
                queues[qid]["offered_now"] += 1
    agents = _agents(cap.agents, stats, now, queues, tiles)
    for (qid, _), t in sorted(tiles.items(), key=lambda kv: kv[0][1]):
        queues[qid]["channels"].append(t)
    rows = sorted(queues.values(), key=lambda r: (natural_key(r["name"]), natural_key(r["id"])))
    by_state = {s: 0 for s in STATES}
    for a in agents:
        by_state[a["state"]] += 1
    return {"at": now, "day_start": stats.day, "timezone": stats.tz, "queues": rows, "agents": agents,
            "digital": digital, "ivr": stats.ivr_today(now), "states": list(STATES),
            "totals": {"waiting": sum(r["waiting"] for r in rows),
                       "longest_wait_s": max((r["longest_wait_s"] for r in rows), default=0.0),
                       "agents": by_state}}


def _agents(lines: list[AgentLine], stats: LiveStats, now: float, queues: dict[str, dict[str, Any]],
            tiles: dict[tuple[str, str], dict[str, Any]]) -> list[dict[str, Any]]:
    """Each agent's row; counts every agent in its queues' (and their active channels') state columns."""
    channels_of: dict[str, list[tuple[Channel, dict[str, Any]]]] = {}
    for (qid, ch), t in tiles.items():
        channels_of.setdefault(qid, []).append((Channel(ch), t))
    out: list[dict[str, Any]] = []
    for a in lines:
        state = a.state
        for qid in a.queues:
            row = queues.get(qid)
            if row is None:
                continue
            if not a.logged_in:
                row["agents_offline"] += 1
            else:
                row["agents"][state] += 1
            for ch, t in channels_of.get(qid, ()):
                if a.limits.get(ch, 0) > 0:
                    if a.logged_in:
                        t["agents"][state] += 1
                    else:
                        t["agents_offline"] += 1
        today = stats.agent_today(a.id, now)
        out.append({
            "id": a.id, "name": a.name, "team_id": a.team_id, "state": state, "reason": a.reason, "since": a.since,
            "time_in_state_s": max(0.0, now - a.since), "queues": list(a.queues), "contacts": a.contacts,
            "load": a.load, "handled_today": today["handled"], "occupancy_today": today["occupancy"],
            "utilization_today": today["utilization"],
        })
    out.sort(key=lambda r: (natural_key(r["name"]), natural_key(r["id"])))
    return out
