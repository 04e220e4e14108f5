"""Queue order learnt from recorded calls: the priority head start that best explains who was answered first.

blendcc orders a queue by aging: a call of priority p queued at t ranks as if it had queued at
``t - p * head_start``. The 1999 bank's README says its high-priority callers got "about 1.5 min head
start"; the log itself shows how large the head start was. Take every pair of served calls, one regular
(``a``) and one high-priority (``b``) that queued ``delta`` seconds after ``a``, with both waiting at the
moment the first of them was answered (``b`` queued before ``a`` was answered). Under aging with head
start ``H``, ``b`` is answered first exactly when ``delta < H``. ``estimate_head_start`` picks the ``H``
that misorders the fewest such pairs (the smallest such ``H`` on ties, in whole seconds from 0 to
``max_s``); ``fifo_share`` is, for comparison, the share of same-class pairs answered in queue order (the
log's own noise: several agents, one-second times).
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from blendcc.adapters.importers.bank1999 import CallRecord, Outcome

#: pairs further apart than this are ignored (and the head start is looked for up to it)
MAX_HEAD_START_S = 600


@dataclass(frozen=True, slots=True)
class HeadStartEstimate:
    """The head start (s) that misorders fewest pairs; ``pairs`` regular/high pairs used, ``errors`` of
    them misordered at that head start, ``fifo_share`` the share of same-class pairs answered in order."""

    head_start_s: float
    pairs: int
    errors: int
    fifo_share: float | None


def _waits(records: Iterable[CallRecord]) -> list[tuple[float, float, int]]:
    """(queued at, answered at, priority) of served calls that waited, sorted by queue entry."""
    out = [(r.queued_at, r.queued_at + r.wait_s, r.priority) for r in records
           if r.offered and r.outcome is Outcome.SERVED and r.queued_at is not None and r.wait_s > 0]
    out.sort()
    return out


def _pairs(calls: Sequence[tuple[float, float, int]], high: int,
           max_s: float) -> tuple[list[tuple[float, bool]], int, int]:
    """(delta, later high call answered first) for regular-then-high pairs; same-class pairs in order
    and in all."""
    starts = [c[0] for c in calls]
    mixed: list[tuple[float, bool]] = []
    same = in_order = 0
    for j, (qb, ab, pb) in enumerate(calls):
        lo = bisect.bisect_left(starts, qb - max_s)
        for i in range(lo, j):
            qa, aa, pa = calls[i]
            if qa >= qb or aa <= qb or aa == ab:
                continue  # same instant, a already answered when b queued, or a tie
            b_high, a_high = pb >= high, pa >= high
            if b_high and not a_high:
                mixed.append((qb - qa, ab < aa))
            elif b_high == a_high:
                same += 1
                in_order += aa < ab
    return mixed, same, in_order


def estimate_head_start(records: Iterable[CallRecord], high: int = 2,
                        max_s: int = MAX_HEAD_START_S) -> HeadStartEstimate:
    """The head start of priority ``high`` over lower priorities that misorders fewest pairs (see the
    module docstring). With no pair to learn from the head start is 0 (first come, first served)."""
    mixed, same, in_order = _pairs(_waits(records), high, float(max_s))
    fifo = in_order / same if same else None
    if not mixed:
        return HeadStartEstimate(0.0, 0, 0, fifo)
    # errors(H) = #(b first, delta >= H) + #(a first, delta < H); sweep H over whole seconds
    first_b = [0] * (max_s + 2)
    first_a = [0] * (max_s + 2)
    for delta, b_first in mixed:
        k = min(int(delta), max_s + 1)  # delta in [k, k+1): H <= k counts it as "a first expected"
        (first_b if b_first else first_a)[k] += 1
    errors = sum(first_b)  # H = 0: every b-first pair is misordered
    best_h, best_err = 0, errors
    for h in range(1, max_s + 1):
        # raising H from h-1 to h moves pairs with delta in [h-1, h) to "b first expected"
        errors += first_a[h - 1] - first_b[h - 1]
        if errors < best_err:
            best_h, best_err = h, errors
    return HeadStartEstimate(float(best_h), len(mixed), best_err, fifo)


#: a day's own head start needs at least this many regular/high pairs; a quieter day borrows the pairs
#: of its nearest days in time until it has them
MIN_PAIRS = 50


def head_starts_by_day(records: Iterable[CallRecord], high: int = 2, min_pairs: int = MIN_PAIRS,
                       max_s: int = MAX_HEAD_START_S) -> dict[date, HeadStartEstimate]:
    """The head start per day of ``records``: each day's own estimate when it has ``min_pairs`` pairs,
    else the estimate over that day and its nearest days (by date, the earlier first on a tie) added one
    at a time until they have ``min_pairs`` pairs together (or every day is in)."""
    by_day: dict[date, list[CallRecord]] = {}
    for r in records:
        by_day.setdefault(r.day, []).append(r)
    days = sorted(by_day)
    counts = {d: len(_pairs(_waits(by_day[d]), high, float(max_s))[0]) for d in days}
    out: dict[date, HeadStartEstimate] = {}
    for day in days:
        pool = [day]
        others = sorted((d for d in days if d != day), key=lambda d: (abs((d - day).days), d))
        while sum(counts[d] for d in pool) < min_pairs and others:
            pool.append(others.pop(0))
        out[day] = estimate_head_start([r for d in pool for r in by_day[d]], high, max_s)
    return out
