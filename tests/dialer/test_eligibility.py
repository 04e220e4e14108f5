"""Record selection: DNC, callee-local windows and holidays, attempt limits, due times, callbacks first."""

from __future__ import annotations

from datetime import date

from blendcc.dialer.eligibility import next_records, why_not
from blendcc.dialer.windows import CallingWindow, is_open, local_day, next_open
from blendcc.domain.calendar import Window

from .helpers import NOON_NY, campaign, record, utc


def ids(records: list) -> list[str]:  # type: ignore[type-arg]
    return [r.record_id for r in records]


def test_window_is_evaluated_in_the_callee_zone() -> None:
    c = campaign()
    ny = record(1)
    la = record(2, phone="+13105550102", tz="America/Los_Angeles")  # 07:00 there
    london = record(3, phone="+442079460003", tz="Europe/London")  # 15:00 there
    assert ids(next_records([ny, la, london], c, set(), NOON_NY, 10)) == ["r1", "r3"]
    assert why_not(la, c, set(), NOON_NY) == "outside_window"
    # one hour later Los Angeles opens at 08:00 sharp; London closes at 21:00 (end exclusive)
    assert ids(next_records([ny, la, london], c, set(), NOON_NY + 3600, 10)) == ["r1", "r2", "r3"]
    assert why_not(london, c, set(), utc(2026, 12, 1, 21)) == "outside_window"
    assert why_not(london, c, set(), utc(2026, 12, 1, 20, 59)) is None


def test_weekdays_holidays_and_unknown_zones() -> None:
    window = CallingWindow(weekly={"mon": [Window(start="09:00", end="12:00"), Window(start="14:00", end="17:00")]},
                           holidays=[date(2026, 12, 7)])
    c = campaign(calling_window=window.model_dump(mode="json"))
    r = record(1)
    monday_10 = utc(2026, 11, 30, 15)
    assert why_not(r, c, set(), monday_10) is None
    assert why_not(r, c, set(), monday_10 + 2 * 3600) == "outside_window"  # 12:00, lunch gap
    assert why_not(r, c, set(), monday_10 + 4 * 3600) is None  # 14:00
    assert why_not(r, c, set(), monday_10 + 86400) == "outside_window"  # Tuesday: no window
    assert why_not(r, c, set(), monday_10 + 7 * 86400) == "outside_window"  # holiday Monday
    assert why_not(r.replace(tz="Nowhere/City"), c, set(), monday_10) == "outside_window"
    # next_open: from Tuesday to the next Monday that is not a holiday, 09:00 local
    assert next_open(window, "America/New_York", monday_10 + 86400) == utc(2026, 12, 14, 14)
    assert next_open(window, "Nowhere/City", monday_10) is None
    assert is_open(window, "America/New_York", monday_10)


def test_window_across_a_dst_change() -> None:
    # Sunday 8 March 2026: New York springs forward at 02:00; 08:00 local is 12:00 UTC (EDT)
    c = campaign()
    r = record(1)
    assert why_not(r, c, set(), utc(2026, 3, 8, 11, 59)) == "outside_window"
    assert why_not(r, c, set(), utc(2026, 3, 8, 12, 0)) is None
    assert next_open(c.calling_window, "America/New_York", utc(2026, 3, 8, 3)) == utc(2026, 3, 8, 12)
    assert local_day(utc(2026, 3, 8, 3), "America/New_York") == "2026-03-07"


def test_dnc_bad_numbers_states_and_other_campaigns_are_never_selected() -> None:
    c = campaign()
    rows = [record(1), record(2), record(3, phone="12345"), record(4, state="done"), record(5, state="bad"),
            record(6, state="dialing"), record(7, campaign_id="c2"), record(8)]
    dnc = {"+12125550002"}
    assert ids(next_records(rows, c, dnc, NOON_NY, 10)) == ["r1", "r8"]
    assert [why_not(r, c, dnc, NOON_NY) for r in rows] == [None, "dnc", "bad_number", "state", "state", "state",
                                                           "state", None]


def test_attempt_limits_total_and_per_local_day() -> None:
    c = campaign(max_attempts=3, max_attempts_per_day=2)
    today = local_day(NOON_NY, "America/New_York")
    spent_today = record(1, state="scheduled", attempts=2, attempts_today=2, attempts_day=today)
    spent_yesterday = record(2, state="scheduled", attempts=2, attempts_today=2, attempts_day="2026-11-30")
    spent = record(3, state="scheduled", attempts=3, attempts_today=1, attempts_day="2026-11-28")
    assert why_not(spent_today, c, set(), NOON_NY) == "max_attempts_today"
    assert why_not(spent_yesterday, c, set(), NOON_NY) is None
    assert why_not(spent, c, set(), NOON_NY) == "max_attempts"


def test_order_callbacks_first_then_due_retries_then_fresh() -> None:
    c = campaign()
    fresh_a, fresh_b = record(1), record(2)
    retry_late = record(3, state="scheduled", attempts=1, next_attempt_at=NOON_NY - 60)
    retry_early = record(4, state="scheduled", attempts=1, next_attempt_at=NOON_NY - 600)
    retry_future = record(5, state="scheduled", attempts=1, next_attempt_at=NOON_NY + 60)
    shared_cb = record(6, state="callback", attempts=1, next_attempt_at=NOON_NY - 10)
    mine = record(7, state="callback", attempts=1, next_attempt_at=NOON_NY - 5, callback_agent_id="a1")
    theirs = record(8, state="callback", attempts=1, next_attempt_at=NOON_NY - 50, callback_agent_id="a2")
    future_cb = record(9, state="callback", attempts=1, next_attempt_at=NOON_NY + 5, callback_agent_id="a1")
    rows = [fresh_a, retry_late, fresh_b, retry_early, retry_future, shared_cb, mine, theirs, future_cb]
    assert ids(next_records(rows, c, set(), NOON_NY, 10, agent_id="a1")) == ["r7", "r6", "r4", "r3", "r1", "r2"]
    # without an agent (power/predictive) personal callbacks are never taken
    assert ids(next_records(rows, c, set(), NOON_NY, 10)) == ["r6", "r4", "r3", "r1", "r2"]
    assert why_not(theirs, c, set(), NOON_NY, agent_id="a1") == "personal_callback"
    assert ids(next_records(rows, c, set(), NOON_NY, 2, agent_id="a1")) == ["r7", "r6"]
    assert next_records(rows, c, set(), NOON_NY, 0) == []


def test_select_records_reads_open_zones_page_by_page() -> None:
    """The stored-list selection (app.campaigns.select_records): a list that starts with thousands of
    callees whose window is closed still yields the open ones, callbacks first, DNC excluded."""
    from blendcc.adapters.storage.memory.dialer import MemoryDialerRepository
    from blendcc.app.outbound.campaigns import select_records
    from blendcc.dialer.dnc import GLOBAL, DncEntry

    repo = MemoryDialerRepository()
    closed = [record(i, phone=f"+1310555{i:04d}", tz="America/Los_Angeles") for i in range(3000)]  # 07:00
    open_ = [record(5000 + i, phone=f"+1212556{i:04d}") for i in range(30)]  # 10:00 in New York
    cb = record(9000, phone="+12125579000", state="callback", attempts=1, next_attempt_at=NOON_NY - 5)
    repo.insert_records([*closed, *open_, cb])
    repo.add_dnc([DncEntry(scope=GLOBAL, phone=open_[0].phone)])
    chosen = select_records(repo, campaign(), NOON_NY, 10, page=7)
    assert ids(chosen) == ["r9000", *[f"r{5000 + i}" for i in range(1, 10)]]
    assert len(select_records(repo, campaign(), NOON_NY, 100, page=7)) == 30
    assert select_records(repo, campaign(), NOON_NY - 5 * 3600, 10) == []  # 05:00 in New York: all closed
