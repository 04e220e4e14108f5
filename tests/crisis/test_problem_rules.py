"""Problem matching, pure: dispositions and phrases (case, width, whole words, Chinese), the queue, channel and
start filters, the allowed status moves, the count over time per bucket (zeros included, days on the centre's
calendar across a DST change) and the distinct customers."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from pydantic import ValidationError

from blendcc.crisis.problems import ContactFacts, ProblemRules, check_move, counts_over_time, distinct_customers, match

T = 1_800_000_000.0


def facts(**kw: object) -> ContactFacts:
    base: dict[str, object] = {"contact_id": "c", "at": T, "queue_id": "support", "channel": "chat"}
    return ContactFacts(**{**base, **kw})  # type: ignore[arg-type]


def test_dispositions_and_phrases_match() -> None:
    rules = ProblemRules(dispositions=("Line down",), phrases=("router reboot", "断网"))
    assert match(rules, facts(disposition="line  DOWN")) == "disposition:Line down"
    assert match(rules, facts(text="My ROUTER   reboot loops")) == "phrase:router reboot"
    wide = "\uff52\uff4f\uff55\uff54\uff45\uff52"  # "router" in full-width letters
    assert match(rules, facts(text=f"{wide} reboot")) == "phrase:router reboot"
    assert match(rules, facts(text="the routers reboot")) is None  # whole words only
    assert match(rules, facts(text="家里又断网了")) == "phrase:断网"
    assert match(rules, facts(disposition="billing", text="nothing")) is None


def test_filters_queue_channel_and_since() -> None:
    rules = ProblemRules(dispositions=("outage",), queues=("support",), channels=("voice",), since=T)
    assert match(rules, facts(disposition="outage", channel="voice")) == "disposition:outage"
    assert match(rules, facts(disposition="outage", channel="chat")) is None
    assert match(rules, facts(disposition="outage", channel="voice", queue_id="sales")) is None
    assert match(rules, facts(disposition="outage", channel="voice", at=T - 1)) is None


def test_rules_are_checked() -> None:
    for bad in ({}, {"phrases": [" "]}, {"dispositions": ["x" * 101]}, {"phrases": ["a"], "queues": ["a b"]},
                {"phrases": ["a"], "extra": 1}, {"phrases": ["a"], "since": -1}):
        with pytest.raises(ValidationError):
            ProblemRules.model_validate(bad)
    assert ProblemRules(phrases=("a  b", "a b")).phrases == ("a b",)  # spaces folded, duplicates dropped


def test_status_moves() -> None:
    assert check_move("open", "known_error") and check_move("known_error", "open")
    assert check_move("resolved", "open") and not check_move("closed", "open") and not check_move("open", "closed")


def test_counts_over_time_per_bucket() -> None:
    start = T - T % 3600
    times = [start + 10, start + 20, start + 3700, start + 3 * 3600 + 5, start - 1]
    series = counts_over_time(times, start, start + 4 * 3600, "hour")
    assert [b["contacts"] for b in series] == [2, 1, 0, 1]
    assert [b["start"] for b in series] == [start + h * 3600 for h in range(4)]
    fifteen = counts_over_time(times, start, start + 3600, "interval")
    assert [b["contacts"] for b in fifteen] == [2, 0, 0, 0]


def test_days_follow_the_centres_calendar_across_a_dst_change() -> None:
    zone = ZoneInfo("Europe/London")
    days = [datetime(2026, 3, d, 12, tzinfo=zone).timestamp() for d in (28, 29, 29, 30)]  # DST starts on the 29th
    start = datetime(2026, 3, 28, tzinfo=zone).timestamp()
    series = counts_over_time(days, start, datetime(2026, 3, 31, tzinfo=zone).timestamp(), "day", "Europe/London")
    assert [b["contacts"] for b in series] == [1, 2, 1]
    assert [datetime.fromtimestamp(b["start"], zone).hour for b in series] == [0, 0, 0]
    assert series[1]["start"] - series[0]["start"] == 86400 and series[2]["start"] - series[1]["start"] == 82800


def test_distinct_customers_most_contacts_first() -> None:
    links = [{"customer_id": "a", "contact_at": 1.0}, {"customer_id": "b", "contact_at": 5.0},
             {"customer_id": "a", "contact_at": 3.0}, {"customer_id": None, "contact_at": 9.0}]
    assert distinct_customers(links) == [("a", 2, 3.0), ("b", 1, 5.0)]
