"""The supervisor alert rules, pure: SL below the queue's target, the oldest wait above its threshold, the
abandon spike over a sliding window, and the book that raises, keeps acknowledged, clears and re-raises."""

from __future__ import annotations

from blendcc.adapters.manual_clock import FakeClock
from blendcc.analytics.alerts import (
    AbandonWindow,
    AlertBook,
    AlertRules,
    Condition,
    QueueNow,
    SentimentWindow,
    abandon_conditions,
    queue_conditions,
    sentiment_conditions,
)

RULES = AlertRules(abandon_window_s=900, abandon_spike_rate=0.25, abandon_min_contacts=4, sl_min_contacts=3)


def q(sl: float | None = 0.9, offered: int = 10, target: float = 0.8, wait: float = 0.0,
      long_wait: float = 60.0) -> QueueNow:
    return QueueNow("sales", sl, offered, target, wait, long_wait)


def test_sl_breach_is_judged_against_the_queues_own_target_once_enough_contacts_came() -> None:
    assert queue_conditions(q(sl=0.79), RULES) == [Condition("sl_breach", "sales", 0.79, 0.8)]
    assert queue_conditions(q(sl=0.8), RULES) == []  # at the target is no breach
    assert queue_conditions(q(sl=0.85, target=0.9), RULES)[0].kind == "sl_breach"  # a stricter queue
    assert queue_conditions(q(sl=0.5, target=0.5), RULES) == []  # a laxer one
    assert queue_conditions(q(sl=0.0, offered=2), RULES) == []  # too few contacts to judge
    assert queue_conditions(q(sl=None, offered=0), RULES) == []


def test_long_wait_fires_only_above_the_queues_threshold() -> None:
    assert queue_conditions(q(wait=60.0), RULES) == []
    (c,) = queue_conditions(q(wait=61.0), RULES)
    assert (c.kind, c.key, c.value, c.threshold) == ("long_wait", "long_wait:sales", 61.0, 60.0)


def test_abandon_spike_counts_only_the_last_window_and_needs_enough_contacts() -> None:
    clock = FakeClock(1000.0)
    w = AbandonWindow(900)
    for abandoned in (True, False, False):
        w.add(clock.now(), "sales", abandoned)
    assert abandon_conditions(w.rates(clock.now()), RULES) == []  # 1 of 3: too few ended visits
    w.add(clock.now(), "sales", True)
    assert abandon_conditions(w.rates(clock.now()), RULES) == [Condition("abandon_spike", "sales", 0.5, 0.25)]
    w.add(clock.now(), "billing", False)
    assert w.rates(clock.now())["billing"] == (0.0, 1)
    clock.advance(600)
    for _ in range(4):
        w.add(clock.now(), "sales", False)
    assert w.rates(clock.now())["sales"] == (2 / 8, 8)
    assert abandon_conditions(w.rates(clock.now()), RULES) == []  # 25% is not above 25%
    clock.advance(301)  # the first four fell out of the window
    assert w.rates(clock.now())["sales"] == (0.0, 4) and "billing" not in w.rates(clock.now())


def test_the_book_raises_keeps_the_acknowledgement_until_the_condition_clears_and_re_raises() -> None:
    clock = FakeClock(0.0)
    book = AlertBook()
    wait = Condition("long_wait", "sales", 70.0, 60.0)
    raised, updated, cleared = book.update([wait], clock.now())
    assert [a.kind for a in raised] == ["long_wait"] and updated == [] and cleared == []
    first = raised[0]
    assert not first.to_dict()["acknowledged"]
    clock.advance(5)
    acked = book.ack(first.id, "sup", clock.now())
    assert acked is first and acked.acked_by == "sup" and acked.acked_at == 5.0
    assert book.ack(first.id, "other", clock.now() + 1) is first and first.acked_by == "sup"  # the first one stays
    clock.advance(1)
    raised, updated, cleared = book.update([Condition("long_wait", "sales", 76.0, 60.0)], clock.now())
    assert raised == [] and updated == [first] and first.value == 76.0 and first.acked_by == "sup"
    raised, updated, cleared = book.update([], clock.now())  # the caller was answered
    assert cleared == [first] and book.open() == [] and book.ack(first.id, "sup", clock.now()) is None
    clock.advance(30)
    raised, _, _ = book.update([wait], clock.now())  # waiting long again: a new alert, not acknowledged
    assert raised[0].id != first.id and raised[0].acked_by is None and raised[0].raised_at == 36.0


def test_one_alert_per_condition_and_subject() -> None:
    book = AlertBook()
    conds = [Condition("long_wait", "sales", 61.0, 60.0), Condition("long_wait", "billing", 90.0, 60.0),
             Condition("out_of_adherence", "a1", 120.0, None)]
    raised, _, _ = book.update(conds, 0.0)
    assert len(raised) == 3 and len({a.id for a in raised}) == 3
    raised, _, cleared = book.update(conds[1:], 1.0)
    assert raised == [] and [a.subject for a in cleared] == ["sales"]
    assert [a.subject for a in book.open()] == ["billing", "a1"]


def test_negative_sentiment_holds_while_the_recent_customer_messages_average_below_the_threshold() -> None:
    rules = AlertRules(negative_sentiment_below=-0.5, sentiment_window=3)
    moods = SentimentWindow(rules.sentiment_window)
    moods.add("c1", -0.9)
    assert sentiment_conditions(moods.means(), rules) == [Condition("negative_sentiment", "c1", -0.9, -0.5)]
    moods.add("c1", 0.0)
    assert sentiment_conditions(moods.means(), rules) == []  # mean -0.45: not below -0.5
    moods.add("c1", -0.8)
    moods.add("c1", -0.8)  # the window keeps the last 3: 0.0, -0.8, -0.8
    assert [c.value for c in sentiment_conditions(moods.means(), rules)] == [round(-1.6 / 3, 4)]
    moods.add("c2", -0.5)  # at the threshold is not below it
    assert [c.subject for c in sentiment_conditions(moods.means(), rules)] == ["c1"]
    moods.end("c1")
    moods.end("unknown")
    assert sentiment_conditions(moods.means(), rules) == []
