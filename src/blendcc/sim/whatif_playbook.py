"""Surge what-if with playbooks: the surged scenario simulated again with crisis playbooks running inside it
(``sim.playbooks``), their ``offered_vs_forecast`` measured against the baseline's offered per interval (the
forecast had the surge not come), and the crises each replication went through."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from blendcc.analytics.today import day_start
from blendcc.crisis.figures import so_far
from blendcc.crisis.playbook import Playbook
from blendcc.domain import crisis_events as ce
from blendcc.domain import events as ev
from blendcc.domain.errors import ValidationFailed
from blendcc.domain.events import Event
from blendcc.sim.centre import ReplicationResult, SimCentre
from blendcc.sim.collect import ALL_QUEUES, Rows
from blendcc.sim.playbooks import SimPlaybooks
from blendcc.sim.report import Estimate, estimate
from blendcc.sim.scenario import Scenario


@dataclass(frozen=True)
class PlaybookOptions:
    """The playbooks to run in the surge and how often they are evaluated (the live wallboard: every second)."""

    playbooks: tuple[Playbook, ...] = ()
    tick_s: float = 1.0

    def check(self, scenario: Scenario) -> None:
        if not 1.0 <= self.tick_s <= 300.0:
            raise ValidationFailed(f"the playbook evaluation cadence must be 1 to 300 seconds, got {self.tick_s:g}")
        ids = [p.id for p in self.playbooks]
        if len(ids) != len(set(ids)):
            raise ValidationFailed("two playbooks with the same id")
        known = {q.id for q in scenario.centre.queues}
        for p in self.playbooks:
            missing = sorted(p.queues() - known)
            if missing:
                raise ValidationFailed(f"playbook {p.id!r} names queue {missing[0]!r}, which the simulated centre "
                                       f"does not have (its queues: {', '.join(sorted(known))})")


def _tz(scenario: Scenario) -> str:
    key = getattr(scenario.start.tzinfo, "key", None)
    return key if isinstance(key, str) else "UTC"


class BaselineForecast:
    """``(queue or '*', now) -> contacts forecast so far today``: the baseline's offered per report interval."""

    def __init__(self, rows: Rows, interval_s: int, tz: str) -> None:
        self.interval_s = interval_s
        self.tz = tz
        self.offered: dict[tuple[float, str], float] = {}
        for (start, scope), kpis in rows.items():
            if start is not None and scope != "@agents":
                self.offered[(start, scope)] = float(kpis.get("offered") or 0)
        self._days: dict[tuple[float, str], list[float]] = {}

    def __call__(self, queue: str, now: float) -> float | None:
        day = day_start(now, self.tz)
        scope = ALL_QUEUES if queue == ce.CENTRE else queue
        volume = self._days.get((day, scope))
        if volume is None:
            n = int(86_400 // self.interval_s) + 2  # a DST day is an hour longer
            volume = self._days[(day, scope)] = [self.offered.get((day + k * self.interval_s, scope), 0.0)
                                                 for k in range(n)]
        return so_far(volume, now - day, self.interval_s)


def run_with_playbooks(scenario: Scenario, seed: int, replication: int, options: PlaybookOptions,
                       baseline: ReplicationResult) -> tuple[ReplicationResult, list[Event]]:
    """One replication of ``scenario`` with the playbooks running inside it; its crisis events."""
    centre = SimCentre(scenario, seed=seed, replication=replication)
    tz = _tz(scenario)
    crisis = SimPlaybooks(centre, options.playbooks, options.tick_s, tz,
                          BaselineForecast(baseline.rows, scenario.report_interval_s, tz))
    width = scenario.report_interval_s
    turned: dict[float, int] = {}  # callers rejected (closed, callback-only) per report interval

    def count(events: Sequence[Event]) -> None:
        for e in events:
            if isinstance(e, ev.ContactRejected):
                start = float(int(e.at // width) * width)
                turned[start] = turned.get(start, 0) + 1

    centre.observers.append(count)
    result = centre.run()
    result.extra["crisis_evaluations"] = crisis.evaluations
    result.extra["turned_away"] = turned
    return result, crisis.events


def timeline(events: Sequence[Event]) -> list[dict[str, Any]]:
    """The crises of one replication, in order: when each playbook started and ended, its triggers, and the
    actions applied and reverted."""
    playbook: dict[str, str] = {}
    out: list[dict[str, Any]] = []
    for e in events:
        row: dict[str, Any] = {"type": e.type, "at": datetime.fromtimestamp(e.at, UTC).isoformat()}
        if isinstance(e, ce.CrisisStarted):
            playbook[e.crisis_id] = e.playbook_id
            row |= {"playbook": e.playbook_id, "triggers": list(e.triggers)}
        elif isinstance(e, ce.CrisisActionApplied | ce.CrisisActionReverted):
            row |= {"playbook": playbook.get(e.crisis_id), "index": e.index, "kind": e.kind}
        elif isinstance(e, ce.CrisisEnded):
            row |= {"playbook": e.playbook_id}
        elif isinstance(e, ce.EmergencyModeSet):
            row |= {"scope": e.scope, "mode": e.mode, "overflow_queue": e.overflow_queue}
        elif isinstance(e, ce.EmergencyModeCleared):
            row |= {"scope": e.scope}
        out.append(row)
    return out


def turned_away(runs: Sequence[ReplicationResult], start: float | None) -> Estimate:
    """Callers turned away (rejected by a closed or callback-only mode) in the interval from ``start``
    (None: the whole run), over the replications."""
    return estimate([float(sum(r.extra["turned_away"].values()) if start is None
                           else r.extra["turned_away"].get(start, 0)) for r in runs])
