"""Surge what-if on recorded history: the days of a call log replayed as ``blendcc replay`` does (the
calibrated patience per day type, after-call work and breaks, agents inferred present per 5 minutes: the
history's own staffing), as the baseline of ``run_whatif``; the published agents of a report interval are
that staffing's average over it."""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from datetime import date, timedelta

from blendcc.adapters.importers.bank1999 import CallRecord
from blendcc.domain.errors import ValidationFailed
from blendcc.sim.history import ReplayOptions, build_scenario, default_queue
from blendcc.sim.scenario import Scenario
from blendcc.sim.unavailability import patience_curves
from blendcc.sim.whatif import Surge

DAY_S = 86_400


def history_days(records: Sequence[CallRecord], first: date, days: int) -> list[CallRecord]:
    """The records of ``days`` days from ``first`` (every one must hold offered calls)."""
    if not 1 <= days <= 31:
        raise ValidationFailed("the surge lasts 1 to 31 days")
    wanted = [first + timedelta(days=k) for k in range(days)]
    have = {r.day for r in records if r.offered}
    missing = [d for d in wanted if d not in have]
    if missing:
        raise ValidationFailed(f"the log has no offered calls on {', '.join(d.isoformat() for d in missing)}")
    chosen = set(wanted)
    return [r for r in records if r.day in chosen]


def history_baseline(records: Sequence[CallRecord], first: date, days: int, interval_s: int,
                     seed: int) -> Callable[[int], Scenario]:
    """Replication ``i``'s baseline scenario of ``days`` days from ``first``, reported per ``interval_s``
    (patience estimated on all ``records``, drawn with ``"seed:i:patience"``)."""
    if interval_s % 900 or not 900 <= interval_s <= 3600:
        raise ValidationFailed("the report interval must be 15, 30, 45 or 60 minutes")
    chosen = history_days(records, first, days)
    curves = patience_curves(records)
    options = ReplayOptions()  # blendcc replay's defaults: presence per 5 minutes, breaks, day types
    queue = default_queue()

    def build(i: int) -> Scenario:
        rng = random.Random(f"{seed}:{i}:patience")
        sc = build_scenario(chosen, curves, rng.random, options, queue)
        return sc.model_copy(update={"report_interval_s": interval_s, "name": f"bank-{first.isoformat()}"})

    return build


def whole_days(days: int, volume: float, aht: float) -> Surge:
    """A surge over the whole of a ``days``-day history baseline."""
    return Surge(start_s=0.0, end_s=float(days * DAY_S), volume=volume, aht=aht)
