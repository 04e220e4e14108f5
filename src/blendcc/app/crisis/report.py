"""The post-incident report of a crisis: its timeline (triggers, actions, notifications, acknowledgements), the
queue figures per interval against the same hours of the four weeks before, the contact reasons during it, and
the agent hours it cost beyond those weeks' (docs/crisis.md)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from blendcc.analytics import queue_stats as qs
from blendcc.app.analytics.reasons import ReasonService
from blendcc.domain import crisis_events as ce
from blendcc.domain.errors import NotFound
from blendcc.ports import Clock, Store

TYPES = ("CrisisStarted", "CrisisEnded", "CrisisActionApplied", "CrisisActionReverted", "CrisisNotificationSent",
         "CrisisAcknowledged", "CrisisEscalated", "EmergencyModeSet", "EmergencyModeCleared")
INTERVAL_S = 900
MARGIN_S = 3600  # the hour before and after, for context
WEEKS_BEFORE = 4
WEEK_S = 7 * 86_400


def _detail(e: Any) -> dict[str, Any]:
    raw = e.to_dict() if hasattr(e, "to_dict") else {}
    return {k: v for k, v in raw.items() if k not in ("at", "crisis_id", "previous", "prior") and v not in (None, "")}


class IncidentReports:
    def __init__(self, store: Store, clock: Clock, reasons: ReasonService | None = None) -> None:
        self.store = store
        self.clock = clock
        self.reasons = reasons
        #: crisis id -> the problem records linked to it (set by bootstrap.problems)
        self.problems: Callable[[str], list[dict[str, Any]]] | None = None

    def report(self, crisis_id: str) -> dict[str, Any]:
        events = [s.event for s in self.store.events_of_type(TYPES) if getattr(s.event, "crisis_id", None) == crisis_id]
        started = next((e for e in events if isinstance(e, ce.CrisisStarted)), None)
        if started is None:
            raise NotFound(f"no crisis {crisis_id}")
        ended = next((e for e in events if isinstance(e, ce.CrisisEnded)), None)
        start, end = started.at, (ended.at if ended is not None else self.clock.now())
        timeline = [{"at": e.at, "what": e.type, **_detail(e)} for e in sorted(events, key=lambda e: e.at)]
        intervals, during = self._figures(start, end)
        hours = self._agent_seconds(start, end) / 3600
        usual = sum(self._agent_seconds(start - w * WEEK_S, end - w * WEEK_S)
                    for w in range(1, WEEKS_BEFORE + 1)) / WEEKS_BEFORE / 3600
        return {
            "crisis_id": crisis_id, "playbook_id": started.playbook_id, "version": started.version,
            "started_at": start, "ended_at": ended.at if ended is not None else None, "duration_s": end - start,
            "triggers": list(started.triggers), "figures_at_start": dict(started.figures), "timeline": timeline,
            "notifications": sum(1 for e in events if isinstance(e, ce.CrisisNotificationSent) and not e.error),
            "failed_notifications": sum(1 for e in events if isinstance(e, ce.CrisisNotificationSent) and e.error),
            "acknowledged": [{"by": e.by, "at": e.at} for e in events if isinstance(e, ce.CrisisAcknowledged)],
            "intervals": intervals, "during": during,
            "agent_hours": round(hours, 2), "usual_agent_hours": round(usual, 2),
            "extra_agent_hours": round(hours - usual, 2),
            "reasons": self.reasons.pareto(start, end, "disposition") if self.reasons is not None else None,
            "problems": [{k: p.get(k) for k in ("problem_id", "title", "status", "contacts", "kb_article_id",
                                                 "resolution", "resolved_at")}
                         for p in (self.problems(crisis_id) if self.problems is not None else ())],
        }

    def _figures(self, start: float, end: float) -> tuple[list[dict[str, Any]], dict[str, Any]]:
        """Per interval (every queue and channel together) from an hour before to an hour after: the KPIs, and
        the mean offered of the same interval in the weeks before; the KPIs over the crisis itself."""
        first, last = qs.interval_start(start - MARGIN_S, INTERVAL_S), end + MARGIN_S

        def per_interval(shift: float) -> dict[float, qs.QueueCounters]:
            out: dict[float, qs.QueueCounters] = {}
            table = self.store.queue_counters(first - shift, last - shift)
            for (at, _q, _ch), c in qs.rollup(table, INTERVAL_S).items():
                out.setdefault(at + shift, qs.QueueCounters()).merge(c)
            return out

        now = per_interval(0.0)
        before = [per_interval(w * WEEK_S) for w in range(1, WEEKS_BEFORE + 1)]
        rows, total = [], qs.QueueCounters()
        at = first
        while at < last:
            c = now.get(at, qs.QueueCounters())
            if start - INTERVAL_S < at < end:
                total.merge(c)
            usual = sum(b[at].offered for b in before if at in b) / WEEKS_BEFORE
            rows.append({"interval_start": at, "in_crisis": start - INTERVAL_S < at < end,
                         "usual_offered": round(usual, 2), **qs.queue_kpis(c)})
            at += INTERVAL_S
        return rows, qs.queue_kpis(total)

    def _agent_seconds(self, start: float, end: float) -> float:
        """Logged-in agent seconds within [start, end) (every state but offline)."""
        total = 0.0
        for i in self.store.state_intervals(start, end):
            if i.state == "offline":
                continue
            a, b = max(i.start, start), min(i.end if i.end is not None else end, end)
            total += max(0.0, b - a)
        return total
