"""Business hours: time zones, daylight-saving days, holidays, special days and a 24:00 end."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from pydantic import ValidationError

from blendcc.domain.calendar import BusinessHours, SpecialDay, Window


def utc(*args: int) -> float:
    return datetime(*args, tzinfo=UTC).timestamp()  # type: ignore[misc]


NINE_TO_FIVE = [Window(start="09:00", end="17:00")]
WEEKDAYS_9_5 = {d: NINE_TO_FIVE for d in ("mon", "tue", "wed", "thu", "fri")}


def test_weekly_window_start_inclusive_end_exclusive() -> None:
    cal = BusinessHours(id="uk", timezone="UTC", weekly=WEEKDAYS_9_5)
    # Monday 15 January 2024
    assert not cal.is_open(utc(2024, 1, 15, 8, 59))
    assert cal.is_open(utc(2024, 1, 15, 9, 0))
    assert cal.is_open(utc(2024, 1, 15, 16, 59))
    assert not cal.is_open(utc(2024, 1, 15, 17, 0))
    # Saturday: no windows
    assert not cal.is_open(utc(2024, 1, 20, 12, 0))


def test_time_zone_is_applied() -> None:
    cal = BusinessHours(id="ny", timezone="America/New_York", weekly=WEEKDAYS_9_5)
    # January: EST = UTC-5. 13:30 UTC is 08:30 in New York, 14:30 UTC is 09:30.
    assert not cal.is_open(utc(2024, 1, 15, 13, 30))
    assert cal.is_open(utc(2024, 1, 15, 14, 30))
    # 21:30 UTC is 16:30 local: still open, though 17:00 UTC passed long ago
    assert cal.is_open(utc(2024, 1, 15, 21, 30))
    assert not cal.is_open(utc(2024, 1, 15, 22, 0))
    # Monday 00:30 UTC is Sunday 19:30 in New York: closed
    assert not cal.is_open(utc(2024, 1, 15, 0, 30))


def test_daylight_saving_day() -> None:
    every_day = {d: NINE_TO_FIVE for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
    cal = BusinessHours(id="uk", timezone="Europe/London", weekly=every_day)
    # Saturday 30 March 2024 (GMT): 08:30 UTC is 08:30 local, closed
    assert not cal.is_open(utc(2024, 3, 30, 8, 30))
    # Sunday 31 March 2024: clocks went forward at 01:00 UTC; 08:30 UTC is 09:30 BST, open
    assert cal.is_open(utc(2024, 3, 31, 8, 30))
    # and 16:30 UTC is 17:30 BST: closed, though it would be open in GMT
    assert not cal.is_open(utc(2024, 3, 31, 16, 30))
    assert cal.is_open(utc(2024, 3, 31, 15, 59))
    # autumn: Sunday 27 October 2024 back to GMT; 08:30 UTC is 08:30 local again
    assert cal.is_open(utc(2024, 10, 26, 8, 30))  # Saturday, BST: 09:30
    assert not cal.is_open(utc(2024, 10, 27, 8, 30))
    assert cal.is_open(utc(2024, 10, 27, 9, 0))


def test_holiday_closes_a_normal_day() -> None:
    cal = BusinessHours(id="uk", timezone="UTC", weekly=WEEKDAYS_9_5, holidays=[date(2024, 1, 15)])
    assert not cal.is_open(utc(2024, 1, 15, 12, 0))
    assert cal.is_open(utc(2024, 1, 16, 12, 0))


def test_holiday_uses_local_date() -> None:
    every_day = {d: [Window(start="00:00", end="24:00")] for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
    cal = BusinessHours(id="syd", timezone="Australia/Sydney", weekly=every_day, holidays=[date(2024, 1, 26)])
    # 25 January 14:00 UTC is 26 January 01:00 in Sydney (AEDT, UTC+11): the holiday
    assert not cal.is_open(utc(2024, 1, 25, 14, 0))
    assert cal.is_open(utc(2024, 1, 25, 12, 0))  # 23:00 on the 25th locally


def test_special_day_overrides_weekly_and_holiday() -> None:
    cal = BusinessHours(
        id="uk",
        timezone="UTC",
        weekly=WEEKDAYS_9_5,
        holidays=[date(2024, 12, 24)],
        special_days=[
            SpecialDay(date=date(2024, 12, 24), name="Christmas Eve", windows=[Window(start="10:00", end="12:00")]),
            SpecialDay(date=date(2024, 12, 23), name="stocktake"),  # closed all day
            SpecialDay(date=date(2024, 12, 21), name="Saturday opening", windows=NINE_TO_FIVE),
        ],
    )
    assert not cal.is_open(utc(2024, 12, 24, 9, 30))
    assert cal.is_open(utc(2024, 12, 24, 10, 30))
    assert not cal.is_open(utc(2024, 12, 24, 12, 0))
    assert not cal.is_open(utc(2024, 12, 23, 12, 0))  # a Monday, closed by the special day
    assert cal.is_open(utc(2024, 12, 21, 12, 0))  # a Saturday, opened by the special day
    assert cal.is_open(utc(2024, 12, 20, 12, 0))  # an ordinary Friday


def test_window_ending_at_midnight() -> None:
    cal = BusinessHours(id="late", timezone="UTC", weekly={"mon": [Window(start="20:00", end="24:00")]})
    assert not cal.is_open(utc(2024, 1, 15, 19, 59))
    assert cal.is_open(utc(2024, 1, 15, 20, 0))
    assert cal.is_open(utc(2024, 1, 15, 23, 59, 59))
    assert not cal.is_open(utc(2024, 1, 16, 0, 0))  # Tuesday has no window


def test_several_windows_a_day() -> None:
    split = [Window(start="08:00", end="12:00"), Window(start="13:00", end="18:00")]
    cal = BusinessHours(id="split", weekly={"mon": split})
    assert cal.is_open(utc(2024, 1, 15, 11, 0))
    assert not cal.is_open(utc(2024, 1, 15, 12, 30))
    assert cal.is_open(utc(2024, 1, 15, 13, 0))


def test_validation() -> None:
    with pytest.raises(ValidationError, match="time zone"):
        BusinessHours(id="x", timezone="Mars/Olympus")
    with pytest.raises(ValidationError, match="weekday"):
        BusinessHours(id="x", weekly={"monday": NINE_TO_FIVE})
    with pytest.raises(ValidationError):
        Window(start="17:00", end="09:00")
    with pytest.raises(ValidationError):
        Window(start="09:00", end="09:00")
    with pytest.raises(ValidationError):
        Window(start="24:00", end="24:00")
    with pytest.raises(ValidationError):
        Window(start="9:00", end="17:00")
    assert Window(start="00:00", end="24:00").contains(0)
    assert Window(start="00:00", end="24:00").contains(24 * 60 - 1)
