"""Calibration by day type: agent breaks seen in the log's gaps, session gaps and patience per day type.

* Breaks. In a work-conserving queue an available agent never lets a caller wait, so whenever callers
  are waiting every agent who is present is busy or unavailable. ``agent_breaks`` takes the stretches
  of an agent's idle gaps (inside a presence session) during which callers were waiting and calls them
  unavailable time (a break, back-office or outbound work). A gap with callers waiting from its start to
  its end is left to the after-call-work model (``calibration.unavailable_gaps``) instead, so nothing is
  counted twice. Breaks are only visible while callers wait: an absence on an empty queue changes
  nothing the replay measures.
* Day types. Quiet days differ: on the bank's weekend (Friday, Saturday) agents idle longer between
  calls, so a fixed session gap splits sessions of agents who were there, and callers are more
  patient in their first minute. ``day_type`` groups the days; ``session_gaps`` gives each type the
  same percentile of its agents' gaps between calls as the default gap is of the whole month's;
  ``patience_curves`` a Kaplan-Meier curve per type (pooled into the month's when a type has too few
  abandonments to estimate one).
"""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

from blendcc.adapters.importers.bank1999 import CallRecord, Outcome
from blendcc.analytics.survival import SurvivalCurve
from blendcc.sim.calibration import DEFAULT_GAP_S, _services, agent_sessions, offered, patience_curve

#: Day types by ``date.weekday()`` (Monday = 0): the bank's working week is Sunday to Thursday, its
#: weekend Friday (short day) and Saturday.
DAY_TYPES: dict[int, str] = {6: "sun-thu", 0: "sun-thu", 1: "sun-thu", 2: "sun-thu", 3: "sun-thu", 4: "fri",
                             5: "sat"}
#: a day type's own patience curve needs at least this many abandonments
MIN_PATIENCE_EVENTS = 30
#: the share of one agent's gaps between consecutive services (under 4 h) that the month's default
#: session gap exceeds (DEFAULT_GAP_S sits at this percentile of January 1999's gaps)
GAP_HORIZON_S = 4 * 3600.0
#: stretches of waiting shorter than this inside a gap are the log's 1-2 s timing noise, not breaks
MIN_BREAK_S = 3.0


def day_type(day: date) -> str:
    return DAY_TYPES[day.weekday()]


@dataclass(frozen=True, slots=True)
class AgentBreak:
    """Agent ``agent`` unavailable from ``start`` to ``end`` (record time scale) inside a session."""

    agent: str
    start: float
    end: float


def waiting_stretches(records: Sequence[CallRecord]) -> list[tuple[float, float]]:
    """The maximal time spans during which at least one offered caller was waiting, in order."""
    changes: list[tuple[float, int]] = []
    for r in offered(records):
        if r.queued_at is not None and r.wait_s > 0:
            changes += [(r.queued_at, 1), (r.queued_at + r.wait_s, -1)]
    changes.sort()
    out: list[tuple[float, float]] = []
    level, start = 0, 0.0
    for t, d in changes:
        if level == 0 and d > 0:
            start = t
        level += d
        if level == 0 and t > start:
            if out and out[-1][1] >= start:
                out[-1] = (out[-1][0], t)
            else:
                out.append((start, t))
    return out


def agent_breaks(records: Sequence[CallRecord], gap_s: float | Callable[[date], float] = DEFAULT_GAP_S,
                 min_break_s: float = MIN_BREAK_S) -> list[AgentBreak]:
    """Breaks of every named agent (see the module docstring), sorted by start."""
    stretches = waiting_stretches(records)
    starts = [s for s, _ in stretches]
    gap_of = gap_s if callable(gap_s) else (lambda _d: float(gap_s))
    day_at = {r.service_start_at: r.day for r in records if r.service_start_at is not None}

    def waiting(t: float) -> bool:
        i = bisect.bisect_right(starts, t) - 1
        return i >= 0 and stretches[i][0] <= t < stretches[i][1]

    out: list[AgentBreak] = []
    for agent, spans in _services(records).items():
        for (_s0, e0), (s1, _e1) in itertools.pairwise(spans):
            day = day_at.get(s1)
            limit = gap_of(day) if day is not None else DEFAULT_GAP_S
            if not 0 < s1 - e0 <= limit:
                continue
            if waiting(e0 + 0.5) and waiting(s1 - 0.5):
                continue  # after-call work (calibration.unavailable_gaps)
            i = max(0, bisect.bisect_right(starts, e0) - 1)
            while i < len(stretches) and stretches[i][0] < s1:
                lo, hi = max(stretches[i][0], e0), min(stretches[i][1], s1)
                if hi - lo >= min_break_s:
                    out.append(AgentBreak(agent, lo, hi))
                i += 1
    out.sort(key=lambda b: (b.start, b.agent))
    return out


def _gaps(records: Sequence[CallRecord]) -> list[float]:
    return sorted(s1 - e0 for spans in _services(records).values()
                  for (_s0, e0), (s1, _e1) in itertools.pairwise(spans) if 0 <= s1 - e0 < GAP_HORIZON_S)


def _share_below(xs: list[float], x: float) -> float:
    return bisect.bisect_right(xs, x) / len(xs) if xs else 1.0


def _percentile(xs: list[float], p: float) -> float:
    return xs[min(len(xs) - 1, int(p * len(xs)))]


def session_gaps(records: Sequence[CallRecord], gap_s: float = DEFAULT_GAP_S) -> dict[str, float]:
    """The session gap per day type: the percentile of that type's gaps between consecutive services
    that ``gap_s`` is of all the records' gaps (a type without gaps keeps ``gap_s``)."""
    share = _share_below(_gaps(records), gap_s)
    out: dict[str, float] = {}
    for kind in sorted(set(DAY_TYPES.values())):
        xs = _gaps([r for r in records if day_type(r.day) == kind])
        out[kind] = _percentile(xs, share) if xs else gap_s
    return out


def sessions_by_day_type(records: Sequence[CallRecord], gaps: dict[str, float]) -> list[tuple[str, float, float]]:
    """Presence sessions (agent, start, end), each day type's records joined with its own gap."""
    out: list[tuple[str, float, float]] = []
    for kind, gap in gaps.items():
        out += [(s.agent, s.start, s.end) for s in
                agent_sessions([r for r in records if day_type(r.day) == kind], gap)]
    return sorted(out, key=lambda s: (s[1], s[0]))


def patience_curves(records: Sequence[CallRecord]) -> dict[str, SurvivalCurve]:
    """A Kaplan-Meier patience curve per day type (the month's for a type with too few abandonments)."""
    month = patience_curve(records)
    out: dict[str, SurvivalCurve] = {}
    for kind in sorted(set(DAY_TYPES.values())):
        subset = [r for r in records if day_type(r.day) == kind]
        events = sum(1 for r in subset if r.offered and r.outcome is Outcome.ABANDONED)
        out[kind] = patience_curve(subset) if events >= MIN_PATIENCE_EVENTS else month
    return out
