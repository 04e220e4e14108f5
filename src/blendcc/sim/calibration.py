"""Calibration from recorded calls: caller patience (Kaplan-Meier), agent presence and staffing per interval.

Works on ``CallRecord``s of the history importers (only offered calls: they entered the queue).

* Patience: a caller who abandoned after waiting w has patience w (an event); a caller who was served
  after waiting w has patience of at least w (censored at service start). ``patience_curve`` is the
  Kaplan-Meier estimate over those; ``replay_patience`` gives each replayed call its patience.
* Staffing: the log only shows agents when they serve. ``agent_sessions`` turns each named agent's
  services into presence sessions: from a service's start to the end of the last service that follows
  with no idle gap longer than ``gap_s``. ``staffing`` reports agents per interval by one of three
  estimators (``presence``: time-weighted sessions, ``distinct``: agents who served at all in the
  interval, ``busy``: busy time / interval length); docs/history-replay.md compares them.
* After-call work: the log records none, yet agents were not always free between calls.
  ``unavailable_gaps`` takes an agent's gaps between consecutive services during which callers were
  waiting the whole time: a work-conserving queue would have handed that agent a call at once, so
  the gap is time the agent was not available (wrap-up or a short aux). Their empirical distribution
  is the replay's after-call work.
* Skills: ``agent_call_types`` gives the call types each named agent served regularly.
"""

from __future__ import annotations

import bisect
import itertools
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from blendcc.adapters.importers.bank1999 import CallRecord, Outcome
from blendcc.analytics.survival import SurvivalCurve, kaplan_meier

#: An idle gap longer than this ends an agent's presence session (seconds). 95% of the gaps between
#: one agent's consecutive services in January 1999 are shorter than 16 minutes.
DEFAULT_GAP_S = 900.0
StaffingMethod = Literal["presence", "distinct", "busy"]
STAFFING_METHODS: tuple[StaffingMethod, ...] = ("presence", "distinct", "busy")


@dataclass(frozen=True, slots=True)
class AgentSession:
    """An agent inferred present from ``start`` to ``end`` (record time scale, seconds)."""

    agent: str
    start: float
    end: float
    services: int


def offered(records: Iterable[CallRecord]) -> list[CallRecord]:
    return [r for r in records if r.offered]


def patience_curve(records: Iterable[CallRecord]) -> SurvivalCurve:
    """Kaplan-Meier patience of offered calls: abandoned = event at its wait, served = censored at it."""
    calls = offered(records)
    return kaplan_meier([r.wait_s for r in calls], [r.outcome is Outcome.ABANDONED for r in calls])


def replay_patience(record: CallRecord, curve: SurvivalCurve, uniform: Callable[[], float]) -> float:
    """Patience for replaying ``record``: an abandoned caller's recorded wait; for a served caller a
    draw from the Kaplan-Meier distribution conditional on exceeding the wait they were served after."""
    if record.outcome is Outcome.ABANDONED:
        return record.wait_s
    return curve.sample(uniform(), beyond=record.wait_s)


def _services(records: Iterable[CallRecord]) -> dict[str, list[tuple[float, float]]]:
    by_agent: dict[str, list[tuple[float, float]]] = defaultdict(list)
    for r in records:
        start = r.service_start_at
        if r.outcome is Outcome.SERVED and r.server is not None and start is not None:
            by_agent[r.server].append((start, start + r.service_s))
    for spans in by_agent.values():
        spans.sort()
    return by_agent


def agent_sessions(records: Iterable[CallRecord], gap_s: float = DEFAULT_GAP_S) -> list[AgentSession]:
    """Presence sessions of every named agent, sorted by start."""
    out: list[AgentSession] = []
    for agent, spans in _services(records).items():
        start, end = spans[0]
        count = 1
        for s, e in spans[1:]:
            if s - end > gap_s:
                out.append(AgentSession(agent, start, end, count))
                start, end, count = s, e, 0
            end = max(end, e)
            count += 1
        out.append(AgentSession(agent, start, end, count))
    out.sort(key=lambda x: (x.start, x.agent))
    return out


def spread(table: dict[float, float], start: float, end: float, interval_s: float, weight: float = 1.0) -> None:
    """Add ``weight`` x (fraction of each interval covered by [start, end)) into ``table``."""
    t = start
    while t < end:
        bucket = (t // interval_s) * interval_s
        stop = min(end, bucket + interval_s)
        table[bucket] = table.get(bucket, 0.0) + weight * (stop - t) / interval_s
        t = stop


def staffing(records: Sequence[CallRecord], interval_s: float = 1800.0, method: StaffingMethod = "presence",
             gap_s: float = DEFAULT_GAP_S) -> dict[float, float]:
    """Agents per interval (interval start -> average agents), by ``method`` (see module docstring)."""
    table: dict[float, float] = {}
    if method == "presence":
        for session in agent_sessions(records, gap_s):
            spread(table, session.start, max(session.end, session.start + 1.0), interval_s)
    elif method == "busy":
        for spans in _services(records).values():
            for s, e in spans:
                spread(table, s, e, interval_s)
    elif method == "distinct":
        seen: dict[float, set[str]] = defaultdict(set)
        for agent, spans in _services(records).items():
            for s, e in spans:
                b = (s // interval_s) * interval_s
                while b <= max(s, e - 1e-9):
                    seen[b].add(agent)
                    b += interval_s
        table = {b: float(len(agents)) for b, agents in seen.items()}
    else:
        raise ValueError(f"unknown staffing method {method!r}; use one of {', '.join(STAFFING_METHODS)}")
    return dict(sorted(table.items()))


def waiting_counter(records: Iterable[CallRecord]) -> Callable[[float], int]:
    """A function giving how many offered callers were waiting in queue at time t."""
    changes: list[tuple[float, int]] = []
    for r in offered(records):
        if r.queued_at is not None and r.wait_s > 0:
            changes.append((r.queued_at, 1))
            changes.append((r.queued_at + r.wait_s, -1))
    changes.sort()
    times = [t for t, _ in changes]
    levels = list(itertools.accumulate(d for _, d in changes))

    def waiting(t: float) -> int:
        i = bisect.bisect_right(times, t)
        return levels[i - 1] if i else 0

    return waiting


def unavailable_gaps(records: Sequence[CallRecord], gap_s: float = DEFAULT_GAP_S) -> list[float]:
    """Gaps (s) between an agent's consecutive services, no longer than ``gap_s``, with callers waiting
    both just after the first service ended and just before the next began."""
    waiting = waiting_counter(records)
    out: list[float] = []
    for spans in _services(records).values():
        for (_s0, e0), (s1, _e1) in itertools.pairwise(spans):
            gap = s1 - e0
            if 0 <= gap <= gap_s and waiting(e0 + 0.5) > 0 and waiting(s1 - 0.5) > 0:
                out.append(gap)
    return out


#: An agent is taken to handle a call type when at least this share of their calls, and at least
#: ``SKILL_MIN_CALLS`` calls, were of that type.
SKILL_MIN_SHARE = 0.02
SKILL_MIN_CALLS = 3


def agent_call_types(records: Iterable[CallRecord], min_share: float = SKILL_MIN_SHARE,
                     min_calls: int = SKILL_MIN_CALLS) -> dict[str, set[str]]:
    """The call types each named agent served regularly (see ``SKILL_MIN_SHARE``)."""
    counts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for r in records:
        if r.outcome is Outcome.SERVED and r.server is not None:
            counts[r.server][r.call_type] += 1
    out: dict[str, set[str]] = {}
    for agent, by_type in counts.items():
        total = sum(by_type.values())
        out[agent] = {t for t, n in by_type.items() if n >= min_calls and n >= min_share * total}
    return out
