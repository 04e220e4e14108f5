"""Properties of record selection and retry rules on random lists, DNC sets, windows, zones and times."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from blendcc.dialer.campaign import CampaignConfig
from blendcc.dialer.eligibility import next_records
from blendcc.dialer.outcomes import Outcome, apply_outcome, start_attempt
from blendcc.dialer.records import STATES, DialRecord
from blendcc.dialer.windows import CallingWindow, is_open, local_day
from blendcc.domain.calendar import WEEKDAYS, Window

ZONES = ["America/New_York", "America/Los_Angeles", "Europe/London", "Asia/Kolkata", "Australia/Sydney",
         "Pacific/Chatham", "Nowhere/Invalid"]
PHONES = [f"+1212555{i:04d}" for i in range(12)] + ["12345", "+0123456789", "bad", "+4420794600001234567"]
T_START = 1767225600.0  # 2026-01-01 UTC
YEAR = 366 * 86400.0


@st.composite
def windows(draw: st.DrawFn) -> CallingWindow:
    weekly: dict[str, list[Window]] = {}
    for day in draw(st.lists(st.sampled_from(WEEKDAYS), unique=True, max_size=7)):
        start = draw(st.integers(0, 22 * 60))
        end = draw(st.integers(start + 1, 24 * 60))
        weekly[day] = [Window(start=f"{start // 60:02d}:{start % 60:02d}",
                              end="24:00" if end == 24 * 60 else f"{end // 60:02d}:{end % 60:02d}")]
    holidays = [date(2026, 1, 1) + timedelta(days=d) for d in draw(st.lists(st.integers(0, 365), max_size=20))]
    return CallingWindow(weekly=weekly, holidays=holidays)


@st.composite
def campaigns(draw: st.DrawFn) -> CampaignConfig:
    total = draw(st.integers(1, 6))
    return CampaignConfig(id="c1", queue_id="q", caller_id="+14155550100", max_attempts=total,
                          max_attempts_per_day=draw(st.integers(1, total)), calling_window=draw(windows()))


@st.composite
def records(draw: st.DrawFn) -> DialRecord:
    attempts = draw(st.integers(0, 7))
    at = draw(st.one_of(st.none(), st.floats(T_START, T_START + YEAR)))
    return DialRecord(
        campaign_id=draw(st.sampled_from(["c1", "c1", "c1", "c2"])), record_id=f"r{draw(st.integers(0, 10**6))}",
        phone=draw(st.sampled_from(PHONES)), tz=draw(st.sampled_from(ZONES)), state=draw(st.sampled_from(STATES)),
        attempts=attempts, attempts_today=draw(st.integers(0, attempts)),
        attempts_day=None if at is None else local_day(at, "UTC"), next_attempt_at=at,
        callback_agent_id=draw(st.sampled_from([None, "a1", "a2"])))


def assert_allowed(chosen: list[DialRecord], c: CampaignConfig, dnc: set[str], now: float,
                   agent: str | None) -> None:
    for r in chosen:
        assert r.phone not in dnc, "DNC number selected"
        assert r.phone.startswith("+") and r.phone[1:].isdigit() and 8 <= len(r.phone) <= 16, "bad number selected"
        assert r.state in ("pending", "scheduled", "callback") and r.campaign_id == c.id
        assert is_open(c.calling_window, r.tz, now), "selected outside the callee's window"
        assert r.attempts < c.max_attempts, "beyond max attempts"
        assert r.attempts_on(local_day(now, r.tz)) < c.max_attempts_per_day, "beyond max attempts per day"
        assert r.next_attempt_at is None or r.next_attempt_at <= now
        assert r.callback_agent_id is None or r.state != "callback" or r.callback_agent_id == agent


@settings(max_examples=200, deadline=None)
@given(st.lists(records(), max_size=40), campaigns(), st.sets(st.sampled_from(PHONES), max_size=6),
       st.floats(T_START, T_START + YEAR), st.integers(0, 50), st.sampled_from([None, "a1"]))
def test_selection_never_breaks_a_rule(rows: list[DialRecord], c: CampaignConfig, dnc: set[str], now: float,
                                       n: int, agent: str | None) -> None:
    chosen = next_records(rows, c, dnc, now, n, agent_id=agent)
    assert len(chosen) <= n
    assert_allowed(chosen, c, dnc, now, agent)
    # nothing allowed is left out when there is room
    if len(chosen) < n:
        allowed = next_records(rows, c, dnc, now, len(rows) + 1, agent_id=agent)
        assert len(allowed) == len(chosen)


@settings(max_examples=60, deadline=None)
@given(campaigns(), st.sampled_from(ZONES[:-1]), st.floats(T_START, T_START + YEAR),
       st.lists(st.sampled_from([o for o in Outcome if o is not Outcome.human]), min_size=1, max_size=20),
       st.sets(st.sampled_from(PHONES[:3]), max_size=2))
def test_a_record_dialled_whenever_selected_never_breaks_a_rule(c: CampaignConfig, tz: str, start: float,
                                                                 outcomes: list[Outcome], dnc: set[str]) -> None:
    """Walk one record through selection -> attempt -> outcome, jumping to its next due time: every
    attempt is allowed, and the total and per-day limits hold over the whole life of the record."""
    r = DialRecord(campaign_id="c1", record_id="r", phone=PHONES[0], tz=tz)
    now = start
    placed: list[float] = []
    for outcome in outcomes:
        if r.state not in ("pending", "scheduled", "callback"):
            break
        if r.next_attempt_at is not None:
            now = max(now, r.next_attempt_at)
        if not next_records([r], c, dnc, now, 1):
            now += 3600.0  # not allowed now: try again later, as the dialing loop would
            continue
        assert_allowed([r], c, dnc, now, None)
        placed.append(now)
        r = apply_outcome(start_attempt(r, now), outcome, c, now + 20.0)
        now += 20.0
    assert len(placed) <= c.max_attempts
    per_day: dict[str | None, int] = {}
    for t in placed:
        day = local_day(t, tz)
        per_day[day] = per_day.get(day, 0) + 1
    assert all(v <= c.max_attempts_per_day for v in per_day.values())
    assert PHONES[0] not in dnc or not placed
