"""Schedules and adherence use cases: publish/read schedules (config kind ``schedules``), adherence reports
and the live out-of-adherence monitor (alerts raised after a grace period, published on topic ``wfm``)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from pydantic import ValidationError

from blendcc.app.admin.configuration import pydantic_message
from blendcc.domain.agent import AgentConfig
from blendcc.domain.errors import NotFound, ValidationFailed
from blendcc.ports import Clock, EventBus, ReportReader
from blendcc.wfm.adherence import Scheduled, adherence_report, current_segment, out_of_adherence_since
from blendcc.wfm.published import ScheduleDay, doc_id

KIND = "schedules"
MAX_WINDOW_S = 62 * 86400
DEFAULT_GRACE_S = 300.0


def _epoch(t: datetime) -> float:
    return t.astimezone(UTC).timestamp()


def segments_of(days: Iterable[ScheduleDay]) -> list[Scheduled]:
    return [Scheduled(d.agent_id, s.activity, _epoch(s.start), _epoch(s.end)) for d in days for s in d.segments]


class ScheduleService:
    """Published schedules (one document per agent and day) and adherence reports over the event log."""

    def __init__(self, config: Any, reader: ReportReader, clock: Clock):
        self.config = config  # ConfigService
        self.reader = reader
        self.clock = clock

    def days(self) -> list[ScheduleDay]:
        return [d for d in self.config.list(KIND) if isinstance(d, ScheduleDay)]

    def _agents(self) -> dict[str, AgentConfig]:
        return {a.id: a for a in self.config.list("agents") if isinstance(a, AgentConfig)}

    def team_of(self) -> dict[str, str | None]:
        """Team per agent: the agent's configured team, else the team the schedule names."""
        teams: dict[str, str | None] = {d.agent_id: d.team_id for d in self.days()}
        teams.update({a.id: a.team_id for a in self._agents().values()})
        return teams

    def require_agents(self, agent_ids: Iterable[str]) -> None:
        """Refuse (before any work) schedules for agents that are not configured."""
        known = self._agents()
        missing = sorted(set(agent_ids) - set(known))
        if missing:
            raise NotFound(f"agent(s) {', '.join(missing)} not configured (PUT /api/config/agents) - "
                           "schedules can only be published for configured agents")

    def publish(self, bodies: Sequence[Mapping[str, Any]], by: str | None) -> list[dict[str, Any]]:
        """Create or replace agent-day schedules (each a new version); every agent must be configured."""
        if not bodies:
            raise ValidationFailed("no schedules to publish")
        if len(bodies) > 5000:
            raise ValidationFailed("at most 5000 agent-days per request")
        known = self._agents()
        docs: list[ScheduleDay] = []
        for i, body in enumerate(bodies):
            data = dict(body)
            agent_id, day = data.get("agent_id"), data.get("date")
            if "id" not in data and isinstance(agent_id, str) and isinstance(day, str):
                data["id"] = f"{agent_id}.{day}"
            try:
                doc = ScheduleDay.model_validate(data)
            except ValidationError as exc:
                raise ValidationFailed(f"schedule {i}: {pydantic_message(exc)}") from None
            if doc.agent_id not in known:
                raise NotFound(f"schedule {doc.id}: agent {doc.agent_id!r} is not configured (PUT /api/config/agents)")
            docs.append(doc)
        stored = self.config.put_many(KIND, [(doc.id, doc.model_dump(mode="json")) for doc in docs], by)
        return [{"id": doc.id, "version": version} for doc, (_, version) in zip(docs, stored, strict=True)]

    def find(self, start: float, end: float, agent_id: str | None = None,
             team: str | None = None) -> list[ScheduleDay]:
        """Published days with a segment in [start, end), by agent and team."""
        if end <= start:
            raise ValidationFailed("end must be after start")
        teams = self.team_of() if team is not None else {}
        out = []
        for d in self.days():
            if agent_id is not None and d.agent_id != agent_id:
                continue
            if team is not None and teams.get(d.agent_id) != team:
                continue
            if any(_epoch(s.start) < end and _epoch(s.end) > start for s in d.segments):
                out.append(d)
        return sorted(out, key=lambda d: (d.agent_id, d.date))

    def get(self, agent_id: str, day: str) -> ScheduleDay:
        doc = self.config.get(KIND, doc_id(agent_id, datetime.fromisoformat(day).date()))
        assert isinstance(doc, ScheduleDay)
        return doc

    def adherence(self, start: float, end: float, team: str | None = None,
                  agent_id: str | None = None) -> dict[str, Any]:
        """Adherence and conformance per agent and team (KPIS.md) over [start, min(end, now))."""
        if end <= start:
            raise ValidationFailed("end must be after start")
        if end - start > MAX_WINDOW_S:
            raise ValidationFailed("an adherence report covers at most 62 days")
        now = self.clock.now()
        until = min(end, now)
        if until <= start:
            raise ValidationFailed("the window has not started yet: adherence is measured up to now")
        days = self.find(start, end, agent_id=agent_id, team=team)
        report = adherence_report(segments_of(days), self.reader.state_intervals(start, until), start, until,
                                  self.team_of(), listed_until=end)
        return {"start": start, "end": until, "filters": {"team": team, "agent_id": agent_id}, **report}


@dataclass(slots=True)
class Alert:
    agent_id: str
    team_id: str | None
    activity: str
    state: str
    reason: str | None
    since: float
    raised_at: float

    def to_dict(self, now: float) -> dict[str, Any]:
        return {"agent_id": self.agent_id, "team_id": self.team_id, "scheduled": self.activity,
                "state": self.state, "reason": self.reason, "since": self.since, "raised_at": self.raised_at,
                "out_for_s": now - self.since}


class AdherenceMonitor:
    """Watches agent states (bus topic ``agent``) against the published schedules and raises an alert when
    an agent has been out of adherence for ``grace_s``; clears it when they are back (or the schedule says
    otherwise). It re-checks on every agent state event, on every ``stats`` message (the API publishes one
    a second) and on every read; alerts go out on topic ``wfm`` as ``AdherenceAlertRaised`` /
    ``AdherenceAlertCleared``."""

    def __init__(self, schedules: ScheduleService, reader: ReportReader, bus: EventBus, clock: Clock,
                 grace_s: float = DEFAULT_GRACE_S):
        if not grace_s >= 0:
            raise ValueError("grace_s must be >= 0")
        self.schedules = schedules
        self.bus = bus
        self.clock = clock
        self.grace_s = grace_s
        self._lock = threading.RLock()
        self._states: dict[str, tuple[str, str | None, float]] = {}  # agent -> (state, reason, since)
        self._alerts: dict[str, Alert] = {}
        self._out_since: dict[str, float] = {}
        self._index_src: tuple[object, object] | None = None
        self._index: dict[str, list[Scheduled]] = {}
        self._teams: dict[str, str | None] = {}
        for iv in reader.open_state_intervals():  # each agent's current state (not a week of history: ADR 0059)
            self._states[iv.agent_id] = (iv.state, iv.reason, iv.start)
        self._unsubscribe: list[Callable[[], None]] = [bus.subscribe("agent", self._on_agent),
                                                       bus.subscribe("stats", self._on_heartbeat)]

    def close(self) -> None:
        for fn in self._unsubscribe:
            fn()
        self._unsubscribe = []

    # ------------------------------------------------------------------ inputs

    def _on_agent(self, _topic: str, message: Mapping[str, Any]) -> None:
        mtype, agent_id, at = message.get("type"), message.get("agent_id"), message.get("at")
        if not isinstance(agent_id, str) or not isinstance(at, int | float):
            return
        with self._lock:
            if mtype == "AgentStateChanged":
                state = message.get("state")
                reason = message.get("reason")
                if isinstance(state, str):
                    self._states[agent_id] = (state, reason if isinstance(reason, str) else None, float(at))
            elif mtype == "AgentLoggedOut":
                self._states[agent_id] = ("offline", None, float(at))
            else:
                return
        self.check()

    def _on_heartbeat(self, _topic: str, _message: Mapping[str, Any]) -> None:
        self.check()

    # ------------------------------------------------------------------ evaluation

    def _segments(self) -> dict[str, list[Scheduled]]:
        """Segments per agent, rebuilt when the published schedules change (ConfigService swaps its docs)."""
        docs = self.schedules.config.docs
        src = (docs.get("schedules"), docs.get("agents"))
        old = self._index_src
        if old is None or src[0] is not old[0] or src[1] is not old[1]:
            index: dict[str, list[Scheduled]] = {}
            for s in segments_of(self.schedules.days()):
                index.setdefault(s.agent_id, []).append(s)
            for segs in index.values():
                segs.sort(key=lambda s: s.start)
            self._index, self._index_src = index, src
            self._teams = self.schedules.team_of()
        return self._index

    def check(self, now: float | None = None) -> list[dict[str, Any]]:
        """Re-evaluate every scheduled agent at ``now``; publish raised/updated/cleared alerts; return the open
        ones. A mismatch that continues through state changes (aux 'personal' then 'missed' during work)
        is one episode, timed from its first check."""
        now = self.clock.now() if now is None else now
        out: list[tuple[str, Alert]] = []
        with self._lock:
            index = self._segments()
            teams = self._teams
            for agent_id in sorted(set(index) | set(self._alerts) | set(self._out_since)):
                segs = index.get(agent_id, [])
                state, reason, since = self._states.get(agent_id, ("offline", None, float("-inf")))
                began = out_of_adherence_since(segs, state, reason, since, now)
                current = self._alerts.get(agent_id)
                if began is None:
                    self._out_since.pop(agent_id, None)
                    if current is not None:
                        out.append(("AdherenceAlertCleared", self._alerts.pop(agent_id)))
                    continue
                began = min(began, self._out_since.get(agent_id, began))
                self._out_since[agent_id] = began
                if now - began < self.grace_s:
                    continue
                i = current_segment(segs, now)
                activity = segs[i].activity if i is not None else "?"
                if current is None:
                    alert = self._alerts[agent_id] = Alert(agent_id, teams.get(agent_id), activity, state, reason,
                                                           began, now)
                    out.append(("AdherenceAlertRaised", alert))
                elif (current.activity, current.state, current.reason) != (activity, state, reason):
                    current.activity, current.state, current.reason = activity, state, reason
                    out.append(("AdherenceAlertUpdated", current))
            messages = [{"type": kind, "at": now, **a.to_dict(now)} for kind, a in out]
            open_alerts = [a.to_dict(now) for a in sorted(self._alerts.values(), key=lambda a: (a.since, a.agent_id))]
        for m in messages:
            self.bus.publish("wfm", m)
        return open_alerts

    def alerts(self, team: str | None = None) -> dict[str, Any]:
        now = self.clock.now()
        rows = self.check(now)
        if team is not None:
            rows = [r for r in rows if r["team_id"] == team]
        return {"at": now, "grace_s": self.grace_s, "alerts": rows}
