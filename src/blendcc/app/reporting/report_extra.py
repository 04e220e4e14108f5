"""Report figures beside the counters: schedule adherence and conformance per period (from the WFM adherence
report, ``wfm.adherence.adherence_report``) and the share of wrap-ups with the disposition "resolved" (the
disposition variant of the resolution rate in KPIS.md)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from blendcc.analytics.interval_counters import is_resolved
from blendcc.app.reporting.report_query import Periods
from blendcc.domain.events import Event, WrapUpCompleted
from blendcc.wfm.adherence import Scheduled, adherence_report

Key = tuple[float, str]


def _per(a: float, b: float) -> float | None:
    return a / b if b > 0 else None


def adherence_by_period(p: Periods, segments: Iterable[Scheduled], intervals: list[Any], until: float,
                        row_of: Callable[[str], str | None]) -> dict[Key, dict[str, Any]]:
    """Adherence and conformance (KPIS.md) per (period, row) for the agents with a schedule in the period,
    measured up to ``until`` (now); a team's figures are its agents' seconds summed."""
    segs = [s for s in segments if s.end > p.start and s.start < min(p.end, until)]
    sums: dict[Key, list[float]] = {}  # [scheduled, in adherence, scheduled working, logged in]
    for b in p.starts():
        b0, b1 = max(b, p.start), min(p.after(b), p.end, until)
        if b1 <= b0 or not any(s.end > b0 and s.start < b1 for s in segs):
            continue
        report = adherence_report([s for s in segs if s.end > b0 and s.start < b1], intervals, b0, b1, {})
        agents: list[dict[str, Any]] = report["agents"]  # type: ignore[assignment]
        for a in agents:
            row = row_of(a["agent_id"])
            if row is None:
                continue
            acc = sums.setdefault((b, row), [0.0, 0.0, 0.0, 0.0])
            for i, name in enumerate(("scheduled_s", "in_adherence_s", "scheduled_working_s", "logged_in_s")):
                acc[i] += float(a[name])
    return {k: {"adherence": _per(v[1], v[0]), "conformance": _per(v[3], v[2]), "_adh": v} for k, v in sums.items()}


def adherence_total(rows: Iterable[dict[str, Any]]) -> dict[str, float | None]:
    tot = [0.0, 0.0, 0.0, 0.0]
    for r in rows:
        for i, v in enumerate(r.get("_adh", ())):
            tot[i] += v
    return {"adherence": _per(tot[1], tot[0]), "conformance": _per(tot[3], tot[2])}


def resolved_by_disposition(events: Iterable[Event], key_of: Callable[[WrapUpCompleted], Key | None],
                            ) -> tuple[dict[Key, float | None], float | None]:
    """Wrap-ups with the disposition "resolved" / wrap-ups, per key and in total."""
    counts: dict[Key, list[int]] = {}
    for e in events:
        if not isinstance(e, WrapUpCompleted):
            continue
        key = key_of(e)
        if key is None:
            continue
        acc = counts.setdefault(key, [0, 0])
        acc[0] += 1
        acc[1] += is_resolved(e)
    return resolved_rates(counts)


def resolved_rates(counts: dict[Key, list[int]]) -> tuple[dict[Key, float | None], float | None]:
    """From [wrap-ups, resolved wrap-ups] per key: the "resolved" share per key and in total."""
    done = sum(v[0] for v in counts.values())
    resolved = sum(v[1] for v in counts.values())
    return {k: _per(v[1], v[0]) for k, v in counts.items()}, _per(resolved, done)
