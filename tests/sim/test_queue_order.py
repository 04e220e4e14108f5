"""The priority head start learnt from who was answered first, on hand-made and real records."""

from __future__ import annotations

import statistics
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from blendcc.adapters.importers.bank1999 import CallRecord, Outcome, read_bank1999
from blendcc.sim.queue_order import estimate_head_start, head_starts_by_day

DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "anonymous_bank_1999" / "january.txt"
MONDAY = date(1999, 1, 4)
_line = iter(range(1, 100_000))


def call(queued: float, wait: float, priority: int = 0, day: date = MONDAY,
         outcome: Outcome = Outcome.SERVED) -> CallRecord:
    """A call queued ``queued`` s after ``day``'s midnight that waited ``wait`` s."""
    t0 = datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp()
    n = next(_line)
    return CallRecord(line_no=n, vru_line="AA0101", call_id=str(n), customer_id=None, priority=priority,
                      call_type="PS", day=day, outcome=outcome, vru_entry_at=t0 + queued, vru_exit_at=t0 + queued,
                      queued_at=t0 + queued, wait_s=wait, service_s=60.0, server="ann", queued_in_log=True)


def pair(at: float, delta: float, high_first: bool, day: date = MONDAY) -> list[CallRecord]:
    """A regular caller queued at ``at`` and a high-priority one ``delta`` s later, both waiting until
    the first of them is answered at ``at + 200``; the other is answered 10 s after."""
    first, second = 200.0, 210.0
    regular = call(at, second if high_first else first, 0, day)
    high = call(at + delta, (first if high_first else second) - delta, 2, day)
    return [regular, high]


def test_the_head_start_separates_overtaking_from_queue_order() -> None:
    # a 60 s head start: high callers queued 10-50 s after a regular one go first, 70 s or more after do not
    records = [r for k, (delta, first) in enumerate([(10, True), (30, True), (50, True), (70, False),
                                                     (100, False), (150, False)])
               for r in pair(1000.0 * k, delta, first)]
    est = estimate_head_start(records)
    assert est.pairs == 6 and est.errors == 0
    assert est.head_start_s == 51.0  # the smallest whole second that orders all six pairs (50 < H <= 70)
    # one misordered pair (a high caller 120 s behind went first) costs one error, the estimate stays
    noisy = estimate_head_start([*records, *pair(6000.0, 120, True)])
    assert noisy.head_start_s == 51.0 and noisy.errors == 1 and noisy.pairs == 7


def test_first_come_first_served_and_no_priority_give_no_head_start() -> None:
    fifo = [r for k, delta in enumerate([5, 20, 40, 80]) for r in pair(1000.0 * k, delta, False)]
    est = estimate_head_start(fifo)
    assert est.head_start_s == 0.0 and est.errors == 0 and est.pairs == 4
    regular_only = [call(0, 100), call(10, 80), call(20, 60)]  # answered at 100, 90, 80
    est = estimate_head_start(regular_only)
    assert est.pairs == 0 and est.head_start_s == 0.0
    assert est.fifo_share == 0.0  # every later caller went first here
    # abandoned calls, calls answered before the other queued, and ties teach nothing
    ignored = [call(0, 100, 0, outcome=Outcome.ABANDONED), call(10, 50, 2), call(200, 3), call(205, 20, 2),
               call(400, 30), call(410, 20, 2)]
    assert estimate_head_start(ignored).pairs == 0


def test_a_quiet_day_borrows_its_nearest_days_pairs() -> None:
    busy = [MONDAY + timedelta(days=k) for k in (0, 1, 3)]
    quiet = MONDAY + timedelta(days=2)
    records: list[CallRecord] = []
    for d, first in zip(busy, (False, True, True), strict=True):  # Monday FIFO, then a 60 s head start
        records += [r for k in range(6) for r in pair(1000.0 * k, 30, first, d)]
        records += [r for k in range(6) for r in pair(10_000.0 + 1000.0 * k, 90, False, d)]
    records += pair(0, 30, False, quiet)  # one pair: misleading on its own
    by_day = head_starts_by_day(records, min_pairs=10)
    assert by_day[busy[0]].head_start_s == 0.0
    assert 30 < by_day[busy[1]].head_start_s <= 90 and 30 < by_day[busy[2]].head_start_s <= 90
    # the quiet day (1 pair) takes its nearest day's (Tuesday and Thursday are as near: the earlier first)
    assert by_day[quiet].pairs == 13 and by_day[quiet].errors == 1 and 30 < by_day[quiet].head_start_s <= 90
    assert head_starts_by_day(records, min_pairs=1)[quiet].head_start_s == 0.0  # on its own: queue order


def test_the_bank_switched_its_priority_head_start_on_mid_january(bank_1999: Any) -> None:
    records = read_bank1999(bank_1999(DATA.name)).records
    by_day = head_starts_by_day(records)
    early = [e.head_start_s for d, e in by_day.items() if d.day <= 10]
    late = [e.head_start_s for d, e in by_day.items() if d.day >= 18 and d.weekday() not in (4, 5)]
    assert max(early) <= 5  # 1-10 January: first come, first served
    assert 80 <= statistics.median(late) <= 95  # from the 13th: the README's "about 1.5 min"
    month = estimate_head_start(records)
    assert month.pairs > 4000 and month.errors > 0.3 * month.pairs  # one value for the month fits badly
