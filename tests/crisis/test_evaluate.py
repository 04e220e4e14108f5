"""The pure playbook evaluation under a manual clock: each trigger kind fires after its hold time and clears
with its hysteresis; documents are validated; the notification schedule repeats and escalates."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from blendcc.adapters.manual_clock import FakeClock
from blendcc.crisis.evaluate import Figures, PlaybookState, evaluate
from blendcc.crisis.notify import NoticePlan
from blendcc.crisis.playbook import Playbook
from blendcc.crisis.templates import render

T0 = 1_705_309_200.0  # Monday 15 January 2024, 09:00 UTC


def run(playbook: Playbook, clock: FakeClock, script: list[tuple[float, Figures]]) -> list[tuple[float, str]]:
    """Advance the clock, evaluate at each step; the (elapsed, start|end) changes."""
    state = PlaybookState.initial(playbook)
    out = []
    for step, figures in script:
        clock.advance(step)
        state, change = evaluate(playbook, state, figures, clock.now())
        if change is not None:
            out.append((clock.now() - T0, change.kind))
    return out


def sl(value: float | None, queue: str = "*") -> Figures:
    return Figures({queue: {"service_level": value}})


def test_kpi_fires_after_its_hold_time_and_clears_with_hysteresis() -> None:
    pb = Playbook.model_validate({"id": "slow", "triggers": [
        {"kind": "kpi", "metric": "service_level", "threshold": 0.6, "clear_at": 0.75, "for_s": 120,
         "clear_for_s": 300}]})
    clock = FakeClock(T0)
    changes = run(pb, clock, [
        (0, sl(0.5)), (60, sl(0.5)), (30, sl(0.7)),   # a dip of 90 s: no crisis, the hold starts again
        (30, sl(0.55)), (60, sl(0.55)), (60, sl(0.5)),  # held 120 s from t=120: fires at t=240
        (60, sl(0.7)), (300, sl(0.7)),                   # back above 0.6 but under clear_at 0.75: still on
        (60, sl(0.8)), (240, sl(0.8)), (60, sl(0.9)),    # above 0.75 from t=660, 300 s later it ends
    ])
    assert changes == [(240.0, "start"), (960.0, "end")]


@pytest.mark.parametrize(("metric", "bad", "good"), [
    ("abandon_rate", 0.3, 0.05), ("waiting", 25.0, 3.0), ("longest_wait_s", 400.0, 30.0),
    ("offered_vs_forecast", 0.5, 0.1)])
def test_every_kpi_metric_fires_above_and_clears(metric: str, bad: float, good: float) -> None:
    threshold = {"abandon_rate": 0.2, "waiting": 20, "longest_wait_s": 300, "offered_vs_forecast": 0.3}[metric]
    pb = Playbook.model_validate({"id": "p", "triggers": [
        {"kind": "kpi", "metric": metric, "queue": "sales", "threshold": threshold, "for_s": 60, "clear_for_s": 60}]})
    fig = {v: Figures({"sales": {metric: v}}) for v in (bad, good)}
    changes = run(pb, FakeClock(T0), [(0, fig[bad]), (59, fig[bad]), (1, fig[bad]), (10, fig[good]),
                                      (59, fig[good]), (1, fig[good])])
    assert changes == [(60.0, "start"), (130.0, "end")]


def test_channel_trigger_needs_the_outage_held_and_the_recovery_held() -> None:
    pb = Playbook.model_validate({"id": "trunk", "triggers": [
        {"kind": "channel", "channel": "sip:trunk1", "for_s": 30, "clear_for_s": 120}]})
    down, up = Figures(unhealthy=frozenset({"sip:trunk1"})), Figures()
    changes = run(pb, FakeClock(T0), [(0, down), (20, up), (10, down), (30, down), (60, up), (60, down),
                                      (10, up), (119, up), (1, up)])
    assert changes == [(60.0, "start"), (310.0, "end")]  # the 60 s flap at t=180 does not end it


def test_schedule_and_switch_triggers_hold_exactly_while_on() -> None:
    pb = Playbook.model_validate({"id": "storm", "triggers": [
        {"kind": "schedule", "start": "2024-01-15T11:00:00+01:00", "end": "2024-01-15T12:00:00+01:00"}]})
    changes = run(pb, FakeClock(T0), [(0, Figures()), (3599, Figures()), (1, Figures()), (3599, Figures()),
                                      (1, Figures())])
    assert changes == [(3600.0, "start"), (7200.0, "end")]
    sw = Playbook.model_validate({"id": "sw", "triggers": [{"kind": "switch"}]})
    on = Figures(switched_on=frozenset({"sw"}))
    assert run(sw, FakeClock(T0), [(0, Figures()), (5, on), (5, on), (5, Figures())]) == [
        (5.0, "start"), (15.0, "end")]


def test_all_needs_every_trigger_and_a_disabled_playbook_never_starts() -> None:
    doc: dict[str, Any] = {"id": "both", "match": "all", "triggers": [
        {"kind": "switch"}, {"kind": "kpi", "metric": "waiting", "threshold": 5, "for_s": 0, "clear_for_s": 0}]}
    both = Figures({"*": {"waiting": 9}}, switched_on=frozenset({"both"}))
    only_switch = Figures({"*": {"waiting": 1}}, switched_on=frozenset({"both"}))
    assert run(Playbook.model_validate(doc), FakeClock(T0), [(0, only_switch), (1, both), (1, only_switch)]) == [
        (1.0, "start"), (2.0, "end")]
    assert run(Playbook.model_validate({**doc, "enabled": False}), FakeClock(T0), [(0, both), (1, both)]) == []


@pytest.mark.parametrize(("change", "message"), [
    ({"triggers": []}, "at least 1"),
    ({"triggers": [{"kind": "kpi", "metric": "service_level", "threshold": 0.8, "clear_at": 0.7}]}, "clear_at"),
    ({"triggers": [{"kind": "kpi", "metric": "abandon_rate", "threshold": 20}]}, "share"),
    ({"triggers": [{"kind": "schedule", "start": "2024-01-15T10:00:00", "end": "2024-01-15T11:00:00"}]}, "zone"),
    ({"actions": [{"kind": "emergency", "mode": "overflow"}]}, "overflow_queue"),
    ({"actions": [{"kind": "banner", "text": "cost $5"}]}, "placeholder"),
    ({"notify": [{"channels": ["sms"], "recipients": [{"name": "x"}], "text": "hi"}]}, "needs an email"),
    ({"notify": [{"channels": ["sms"], "recipients": [{"name": "x", "phone": "+15550001111"}],
                  "text": "SL $sla"}]}, "unknown placeholder $sla"),
    ({"notify": [{"channels": ["email"], "recipients": [{"name": "x", "email": "x@example.com"}], "text": "t",
                  "escalation": [{"name": "y", "email": "y@example.com"}]}]}, "ack_within_s"),
])
def test_bad_documents_are_refused_with_a_clear_message(change: dict[str, Any], message: str) -> None:
    doc = {"id": "p", "triggers": [{"kind": "switch"}], **change}
    with pytest.raises(ValidationError) as err:
        Playbook.model_validate(doc)
    assert message in str(err.value)


def test_the_plan_repeats_escalates_until_acknowledged_and_ends() -> None:
    pb = Playbook.model_validate({"id": "p", "triggers": [{"kind": "switch"}], "notify": [{
        "channels": ["email"], "recipients": [{"name": "duty", "email": "duty@example.com"}],
        "escalation": [{"name": "boss", "email": "boss@example.com"}, {"name": "ceo", "email": "ceo@example.com"}],
        "every_s": 600, "ack_within_s": 300, "text": "$waiting waiting"}]})
    plan = NoticePlan(pb, T0)
    assert [(s.reason, [r.name for r in s.recipients]) for s in plan.start()] == [("start", ["duty"])]
    assert plan.due(T0 + 299) == [] and plan.next_due() == T0 + 300
    assert [(s.reason, s.step, [r.name for r in s.recipients]) for s in plan.due(T0 + 300)] == [
        ("escalation", 0, ["boss"])]
    plan.acknowledge()
    sends = plan.due(T0 + 600)
    assert [(s.reason, [r.name for r in s.recipients]) for s in sends] == [("repeat", ["duty", "boss"])]
    assert [s.reason for s in plan.end()] == ["end"] and plan.next_due() is None
    assert render("$waiting waiting, SL $service_level%, $$1", {"waiting": 12.0}) == "12 waiting, SL n/a%, $1"
