"""Schedule adherence and conformance (KPIS.md) from scheduled segments and agent state intervals; live checks.

Which actual states match a scheduled activity (``ALLOWED``):

    work                       available, reserved, busy, wrap_up
    break / lunch / meeting /  aux with that reason code
      training / coaching
    off                        offline (not logged in)

Adherence = seconds where the actual state matches the scheduled activity / scheduled seconds (time
inside scheduled segments only; unscheduled time counts for neither). Conformance = logged-in seconds in
the window (any state but offline) / scheduled working seconds (segments other than ``off``: breaks and
lunch are taken logged in, in aux, so a perfect day gives 1.0).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from blendcc.analytics.agent_stats import StateInterval

WORK_STATES = frozenset({"available", "reserved", "busy", "wrap_up"})
AUX_ACTIVITIES = ("break", "lunch", "meeting", "training", "coaching")
ACTIVITIES = ("work", *AUX_ACTIVITIES, "off")
#: activity -> the (state, aux reason) pairs that match it; reason None: any reason
ALLOWED: dict[str, frozenset[tuple[str, str | None]]] = {
    "work": frozenset((s, None) for s in WORK_STATES),
    **{a: frozenset({("aux", a)}) for a in AUX_ACTIVITIES},
    "off": frozenset({("offline", None)}),
}


def matches(activity: str, state: str, reason: str | None) -> bool:
    allowed = ALLOWED.get(activity, frozenset())
    return (state, None) in allowed or (state, reason) in allowed


@dataclass(frozen=True, slots=True)
class Scheduled:
    """One scheduled segment in epoch seconds."""

    agent_id: str
    activity: str
    start: float
    end: float


@dataclass(slots=True)
class AdherenceTotals:
    scheduled_s: float = 0.0
    in_adherence_s: float = 0.0
    scheduled_working_s: float = 0.0
    logged_in_s: float = 0.0
    by_activity: dict[str, list[float]] = field(default_factory=dict)  # activity -> [scheduled, in adherence]

    def add(self, other: AdherenceTotals) -> None:
        self.scheduled_s += other.scheduled_s
        self.in_adherence_s += other.in_adherence_s
        self.scheduled_working_s += other.scheduled_working_s
        self.logged_in_s += other.logged_in_s
        for a, (s, i) in other.by_activity.items():
            acc = self.by_activity.setdefault(a, [0.0, 0.0])
            acc[0] += s
            acc[1] += i

    def row(self) -> dict[str, object]:
        return {
            "scheduled_s": self.scheduled_s,
            "in_adherence_s": self.in_adherence_s,
            "out_of_adherence_s": self.scheduled_s - self.in_adherence_s,
            "adherence": self.in_adherence_s / self.scheduled_s if self.scheduled_s > 0 else None,
            "scheduled_working_s": self.scheduled_working_s,
            "logged_in_s": self.logged_in_s,
            "conformance": self.logged_in_s / self.scheduled_working_s if self.scheduled_working_s > 0 else None,
            "by_activity": {a: {"scheduled_s": s, "in_adherence_s": i,
                                "adherence": i / s if s > 0 else None}
                            for a, (s, i) in sorted(self.by_activity.items())},
        }


def _clip(a: float, b: float, start: float, end: float) -> float:
    return max(0.0, min(b, end) - max(a, start))


def agent_totals(segments: Sequence[Scheduled], intervals: Sequence[StateInterval], start: float,
                 end: float) -> AdherenceTotals:
    """One agent's totals over [start, end); open intervals (``end`` None) run to ``end``."""
    out = AdherenceTotals()
    spans = [(iv.start, iv.end if iv.end is not None else end, iv.state, iv.reason) for iv in intervals]
    for iv_start, iv_end, state, _ in spans:
        if state != "offline":
            out.logged_in_s += _clip(iv_start, iv_end, start, end)
    for seg in segments:
        s, e = max(seg.start, start), min(seg.end, end)
        if e <= s:
            continue
        scheduled = e - s
        if seg.activity == "off":
            logged_in = sum(_clip(a, b, s, e) for a, b, state, _ in spans if state != "offline")
            ok = scheduled - logged_in
        else:
            ok = sum(_clip(a, b, s, e) for a, b, state, reason in spans if matches(seg.activity, state, reason))
            out.scheduled_working_s += scheduled
        out.scheduled_s += scheduled
        out.in_adherence_s += ok
        acc = out.by_activity.setdefault(seg.activity, [0.0, 0.0])
        acc[0] += scheduled
        acc[1] += ok
    return out


def adherence_report(segments: Iterable[Scheduled], intervals: Iterable[StateInterval], start: float, end: float,
                     teams: Mapping[str, str | None], listed_until: float | None = None) -> dict[str, object]:
    """Rows per agent and per team, and the total, measured over [start, end), for every agent with a schedule
    before ``listed_until`` (default ``end``): an agent whose shift starts later today is listed with nothing
    scheduled yet (adherence None), not left out."""
    horizon = end if listed_until is None else max(end, listed_until)
    segs: dict[str, list[Scheduled]] = defaultdict(list)
    for s in segments:
        if s.end > start and s.start < horizon:
            segs[s.agent_id].append(s)
    ivs: dict[str, list[StateInterval]] = defaultdict(list)
    for iv in intervals:
        if iv.agent_id in segs:
            ivs[iv.agent_id].append(iv)
    agents = []
    by_team: dict[str | None, AdherenceTotals] = {}
    total = AdherenceTotals()
    for agent_id in sorted(segs):
        t = agent_totals(sorted(segs[agent_id], key=lambda x: x.start), ivs[agent_id], start, end)
        team = teams.get(agent_id)
        agents.append({"agent_id": agent_id, "team_id": team, **t.row()})
        by_team.setdefault(team, AdherenceTotals()).add(t)
        total.add(t)
    return {
        "agents": agents,
        "teams": [{"team_id": k, **v.row()} for k, v in sorted(by_team.items(), key=lambda kv: kv[0] or "")],
        "total": total.row(),
    }


def current_segment(segments: Sequence[Scheduled], now: float) -> int | None:
    """Index of the segment covering ``now`` in a time-ordered list, or None."""
    for i, s in enumerate(segments):
        if s.start <= now < s.end:
            return i
    return None


def out_of_adherence_since(segments: Sequence[Scheduled], state: str, reason: str | None, state_since: float,
                           now: float) -> float | None:
    """When the agent's current mismatch began, or None if they are in adherence (or not scheduled now).

    The mismatch runs back through contiguous earlier segments the same state does not match either
    (offline through a shift's work and its break is one mismatch), and no further than the state began.
    """
    i = current_segment(segments, now)
    if i is None or matches(segments[i].activity, state, reason):
        return None
    began = segments[i].start
    while i > 0 and segments[i - 1].end == segments[i].start and not matches(segments[i - 1].activity, state, reason):
        i -= 1
        began = segments[i].start
    return max(began, state_since)
