"""The supervisor's agent grid: every configured agent's live state and contacts, today's handled, AHT and
occupancy (the KPI projections, as the desktop's "today") and schedule adherence now, filterable."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

from blendcc.analytics.agent_day import DAY_TYPES, AgentDay
from blendcc.app.acd.runtime import Runtime
from blendcc.app.container import Container
from blendcc.app.planning.adherence import ScheduleService, segments_of
from blendcc.app.reporting.live_stats import LiveStats, day_start
from blendcc.domain.errors import DomainError, NotFound
from blendcc.domain.events import Event
from blendcc.ports import Clock, Store
from blendcc.routing.engine import Engine
from blendcc.wfm.adherence import Scheduled, current_segment, matches


@dataclass(frozen=True, slots=True)
class GridFilter:
    """Rows to keep: an agent of ``team``, serving ``queue``, with ``skill`` (each None: any)."""

    team: str | None = None
    queue: str | None = None
    skill: str | None = None

    def keeps(self, row: Mapping[str, Any]) -> bool:
        return ((self.team is None or row["team_id"] == self.team)
                and (self.queue is None or self.queue in row["queues"])
                and (self.skill is None or self.skill in row["skills"]))


def live_rows(engine: Engine, now: float) -> list[dict[str, Any]]:
    """Every configured agent now: state, reason, since, team, queues, skills and the contacts it holds."""
    rows = []
    for aid, config in engine.catalog.agents.items():
        a = engine.agents.get(aid)
        if a is None:
            continue
        contacts = []
        for cid, asg in a.work.items():
            c = engine.contacts.get(cid)
            contacts.append({"contact_id": cid, "channel": asg.channel.value, "queue_id": asg.queue_id,
                             "stage": asg.stage.value, "state": c.state.value if c is not None else "closed"})
        rows.append({"id": aid, "name": config.name or aid, "team_id": config.team_id, "logged_in": a.logged_in,
                     "state": a.state.value, "reason": a.state_reason, "since": a.state_since,
                     "seconds": max(0.0, now - a.state_since), "queues": list(a.queues),
                     "skills": dict(a.skills), "contacts": sorted(contacts, key=lambda x: x["contact_id"])})
    return rows


class AgentGrid:
    """``rows(filter, agent_ids)``: the grid (only those agents, when given: the console re-reads the rows
    events touched); ``row(agent_id)``: one agent's row (NotFound for an unknown agent). Handled and
    occupancy come from the live statistics (the wallboard's fold of today's events, in memory); AHT from
    the agents' leg events today; adherence from the published schedules and today's state intervals."""

    def __init__(self, runtime: Runtime, stats: LiveStats, store: Store, schedules: ScheduleService | None,
                 config: Any, clock: Clock, tz: str) -> None:
        self.runtime = runtime
        self.stats = stats
        self.store = store
        self.schedules = schedules
        self.config = config  # ConfigService: the catalogue's teams, queues and skills for the filters
        self.clock = clock
        self.tz = tz

    def rows(self, where: GridFilter | None = None, agent_ids: Collection[str] | None = None) -> dict[str, Any]:
        where = where or GridFilter()
        now = self.clock.now()
        start = day_start(now, self.tz)
        end = now + 1e-3  # events at this very instant count (the store reads at < end)
        live = [r for r in self.runtime.query(live_rows) if where.keeps(r)
                and (agent_ids is None or r["id"] in agent_ids)]
        one = next(iter(agent_ids)) if agent_ids is not None and len(agent_ids) == 1 else None
        days = self._days(start, end, one) if live else {}
        plans = self._plans(start, end, one) if live else {}
        today = self._adherence_today(start, end, one) if live else {}
        for r in live:
            k = self.stats.agent_today(r["id"], now)
            figures = days.get(r["id"], AgentDay()).figures()
            r["handled"] = int(k["handled"])
            r["aht_s"] = figures["aht_s"]
            r["occupancy"] = k["occupancy"]
            r["adherence"] = _adherence_now(plans.get(r["id"], []), r["state"], r["reason"], now,
                                            today.get(r["id"]))
        return {"at": now, "day_start": start, "timezone": self.tz, "agents": live,
                "filters": {"team": where.team, "queue": where.queue, "skill": where.skill},
                "options": self._options()}

    def row(self, agent_id: str) -> dict[str, Any]:
        rows: list[dict[str, Any]] = self.rows(agent_ids={agent_id})["agents"]
        if not rows:
            raise NotFound(f"agent {agent_id} is not configured")
        return rows[0]

    # ------------------------------------------------------------------ parts

    def _days(self, start: float, end: float, agent_id: str | None) -> dict[str, AgentDay]:
        """Each agent's handled contacts and handle time today from its leg events (one read for all)."""
        names = [t.__name__ for t in DAY_TYPES]
        by_agent: dict[str, list[Event]] = defaultdict(list)
        for s in self.store.events_of_type(names, start, end, agent_id=agent_id):
            aid = getattr(s.event, "agent_id", None)
            if isinstance(aid, str):
                by_agent[aid].append(s.event)
        return {aid: AgentDay().apply_all(aid, events) for aid, events in by_agent.items()}

    def _plans(self, start: float, end: float, agent_id: str | None) -> dict[str, list[Scheduled]]:
        """Today's published segments per agent, in time order (none without schedules)."""
        if self.schedules is None:
            return {}
        out: dict[str, list[Scheduled]] = defaultdict(list)
        for s in segments_of(self.schedules.find(start, end + 86400, agent_id=agent_id)):
            out[s.agent_id].append(s)
        for segs in out.values():
            segs.sort(key=lambda s: s.start)
        return out

    def _adherence_today(self, start: float, end: float, agent_id: str | None) -> dict[str, float | None]:
        if self.schedules is None or end <= start:
            return {}
        try:
            report = self.schedules.adherence(start, end, agent_id=agent_id)
        except DomainError:  # no window yet (just after midnight): no figure
            return {}
        return {r["agent_id"]: r["adherence"] for r in report["agents"]}

    def _options(self) -> dict[str, list[str]]:
        """What the filters offer: the configured teams, queues and skills."""
        def ids(kind: str) -> list[str]:
            try:
                return sorted(str(getattr(d, "id", "")) for d in self.config.list(kind))
            except DomainError:  # a kind this deployment does not configure
                return []

        return {"teams": ids("teams"), "queues": ids("queues"), "skills": ids("skills")}


def _adherence_now(segments: list[Scheduled], state: str, reason: str | None, now: float,
                   today: float | None) -> dict[str, Any]:
    """The scheduled activity now (None: not scheduled), whether the actual state matches it, and the
    day's adherence so far (scheduled seconds in adherence / scheduled seconds)."""
    i = current_segment(segments, now)
    if i is None:
        return {"scheduled": None, "in_adherence": None, "today": today}
    activity = segments[i].activity
    return {"scheduled": activity, "in_adherence": matches(activity, state, reason), "today": today}


def grid_of(c: Container) -> AgentGrid:
    """The grid over a wired container (the centre's time zone decides "today")."""
    return AgentGrid(c.runtime, c.stats, c.store, c.schedules, c.config, c.clock, c.settings.timezone)
