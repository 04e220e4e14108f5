"""Open time of a calendar between two instants: windows, holidays, special days, DST, and the digital fold's
business-hours variants built on it."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from blendcc.analytics.business_time import open_seconds
from blendcc.analytics.digital_stats import DigitalCounters, DigitalFold, digital_kpis
from blendcc.domain import conversation_events as cv
from blendcc.domain.calendar import BusinessHours, SpecialDay, Window

LONDON = ZoneInfo("Europe/London")
NINE_TO_FIVE = {d: [Window(start="09:00", end="17:00")] for d in ("mon", "tue", "wed", "thu", "fri")}
CAL = BusinessHours(id="office", timezone="Europe/London", weekly=NINE_TO_FIVE, holidays=[date(2024, 12, 25)],
                    special_days=[SpecialDay(date=date(2024, 12, 24), windows=[Window(start="09:00", end="12:00")])])


def at(*parts: int) -> float:
    return datetime(*parts, tzinfo=LONDON).timestamp()  # type: ignore[misc]


def test_hand_computed_spans() -> None:
    assert open_seconds(CAL, at(2024, 3, 4, 8, 0), at(2024, 3, 4, 10, 30)) == 5400  # Monday 09:00-10:30
    assert open_seconds(CAL, at(2024, 3, 8, 16, 0), at(2024, 3, 11, 10, 0)) == 7200  # Fri 16-17 + Mon 9-10
    assert open_seconds(CAL, at(2024, 12, 23, 0, 0), at(2024, 12, 27, 0, 0)) == (8 + 3 + 0 + 8) * 3600
    assert open_seconds(CAL, at(2024, 3, 4, 12, 0), at(2024, 3, 4, 11, 0)) == 0


def test_a_dst_day_still_has_eight_open_hours() -> None:
    # Sunday 31 March 2024 the clocks go forward; the Monday after is 09:00-17:00 local, 8 h
    assert open_seconds(CAL, at(2024, 3, 30, 0, 0), at(2024, 4, 2, 0, 0)) == 8 * 3600
    assert open_seconds(BusinessHours(id="always", timezone="Europe/London",
                                      weekly={"sun": [Window(start="00:00", end="24:00")]}),
                        at(2024, 3, 31, 0, 0), at(2024, 4, 1, 0, 0)) == 23 * 3600


@settings(max_examples=200, deadline=None)
@given(st.floats(0, 30 * 86400), st.floats(0, 30 * 86400), st.floats(0, 30 * 86400))
def test_additive_and_bounded(a: float, b: float, c: float) -> None:
    base = at(2024, 3, 1, 0, 0)
    x, y, z = sorted((base + a, base + b, base + c))
    whole = open_seconds(CAL, x, z)
    assert abs(whole - (open_seconds(CAL, x, y) + open_seconds(CAL, y, z))) < 1e-6
    assert 0 <= whole <= z - x


def test_the_fold_leaves_the_closed_time_out() -> None:
    def open_time(queue_id: str, start: float, end: float) -> float:
        assert queue_id == ""
        return open_seconds(CAL, start, end)

    fold = DigitalFold(open_time=open_time)
    friday_evening, monday_morning = at(2024, 3, 8, 18, 0), at(2024, 3, 11, 9, 30)
    fold.apply_all([
        cv.MessageReceived(at=friday_evening, contact_id="e", message_id="1", channel="email",
                           channel_instance="m", body="hi"),
        cv.MessageSent(at=monday_morning, contact_id="e", message_id="2", channel="email", channel_instance="m",
                       author_kind="agent", author_id="a1", body="hello"),
        cv.ConversationStateChanged(at=monday_morning + 3600, contact_id="e", state="resolved", previous="open",
                                    agent_id="a1")])
    total = DigitalCounters()
    for c in fold.counters.values():
        total.merge(c)
    k = digital_kpis(total)
    assert k["first_response_s"] == monday_morning - friday_evening
    assert k["first_response_bh_s"] == 1800 and k["response_bh_s"] == 1800
    assert k["resolution_bh_s"] == 1800 + 3600
