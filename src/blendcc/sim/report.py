"""The simulation report: every KPI's mean and 95% confidence interval over the replications.

Rows are keyed like ``collect.Rows``: (interval start or None for the whole run, scope), where the
scope is a queue id, ``*`` (all queues) or ``@agents`` (centre-wide agent KPIs). The interval is
Student-t: mean +- t(0.975, n-1) * sd / sqrt(n) over the replications that have the KPI (a rate
with an empty denominator in one replication is left out there, not counted as 0).
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from scipy import stats as _stats

from blendcc.domain.csv_safe import safe_dict
from blendcc.sim.centre import ReplicationResult
from blendcc.sim.collect import AGENTS, ALL_QUEUES

#: KPIs shown first (CLI table, docs); the report carries every numeric KPI of the projections.
HEADLINE = ("offered", "handled", "abandon_rate", "service_level", "asa_s", "p_wait", "aht_s")
AGENT_HEADLINE = ("occupancy", "utilization", "availability", "contacts_per_hour")


@dataclass(frozen=True, slots=True)
class Estimate:
    mean: float
    low: float | None  # None with fewer than two replications
    high: float | None
    n: int

    def contains(self, value: float) -> bool:
        return self.low is not None and self.high is not None and self.low <= value <= self.high

    def to_dict(self) -> dict[str, Any]:
        return {"mean": self.mean, "ci95": [self.low, self.high], "n": self.n}


def estimate(values: Sequence[float]) -> Estimate:
    n = len(values)
    mean = math.fsum(values) / n
    if n < 2:
        return Estimate(mean, None, None, n)
    var = math.fsum((v - mean) ** 2 for v in values) / (n - 1)
    half = float(_stats.t.ppf(0.975, n - 1)) * math.sqrt(var / n)
    return Estimate(mean, mean - half, mean + half, n)


Key = tuple[float | None, str]


class SimReport:
    def __init__(self, name: str, seed: int | str, interval_s: int, t0: float,
                 results: Sequence[ReplicationResult]) -> None:
        self.name = name
        self.seed = seed
        self.interval_s = interval_s
        self.t0 = t0
        self.results = list(results)
        self.rows: dict[Key, dict[str, Estimate]] = {}
        values: dict[Key, dict[str, list[float]]] = {}
        for r in self.results:
            for key, kpis in r.rows.items():
                slot = values.setdefault(key, {})
                for metric, v in kpis.items():
                    if isinstance(v, int | float) and not isinstance(v, bool):
                        slot.setdefault(metric, []).append(float(v))
        for key, metrics in values.items():
            self.rows[key] = {m: estimate(vs) for m, vs in metrics.items()}

    @property
    def replications(self) -> int:
        return len(self.results)

    def total(self, scope: str = ALL_QUEUES) -> dict[str, Estimate]:
        return self.rows.get((None, scope), {})

    def scopes(self) -> list[str]:
        """Queues first (sorted), then all queues, then agents."""
        found = {s for (_, s) in self.rows}
        queues = sorted(s for s in found if s not in (ALL_QUEUES, AGENTS))
        return queues + [s for s in (ALL_QUEUES, AGENTS) if s in found]

    def intervals(self) -> list[float]:
        return sorted({start for (start, _) in self.rows if start is not None})

    def iso(self, start: float | None) -> str:
        return "total" if start is None else datetime.fromtimestamp(start, UTC).isoformat()

    def long_rows(self) -> list[dict[str, Any]]:
        """One row per (interval, scope, metric): the CSV layout."""
        out: list[dict[str, Any]] = []
        order: list[float | None] = [*self.intervals(), None]
        for start in order:
            for scope in self.scopes():
                for metric, est in sorted(self.rows.get((start, scope), {}).items()):
                    out.append({"interval_start": self.iso(start), "scope": scope, "metric": metric,
                                "mean": est.mean, "ci95_low": est.low, "ci95_high": est.high,
                                "replications": est.n})
        return out

    def to_csv(self) -> str:
        buf = io.StringIO()
        rows = self.long_rows()
        writer = csv.DictWriter(buf, fieldnames=["interval_start", "scope", "metric", "mean", "ci95_low",
                                                 "ci95_high", "replications"], lineterminator="\n")
        writer.writeheader()
        writer.writerows(safe_dict(r) for r in rows)
        return buf.getvalue()

    def to_dict(self, intervals: bool = True) -> dict[str, Any]:
        def block(start: float | None) -> dict[str, Any]:
            return {scope: {m: e.to_dict() for m, e in sorted(self.rows[(start, scope)].items())}
                    for scope in self.scopes() if (start, scope) in self.rows}

        out: dict[str, Any] = {
            "scenario": self.name,
            "seed": self.seed,
            "replications": self.replications,
            "interval_s": self.interval_s,
            "runs": [{"seed": r.seed, "arrivals": r.arrivals, "finished": r.finished,
                      "open_at_end": r.open_at_end, "events": r.events, "sim_end_s": r.sim_end}
                     for r in self.results],
            "total": block(None),
        }
        if intervals:
            out["intervals"] = [{"start": self.iso(s), **block(s)} for s in self.intervals()]
        return out
