"""Each playbook action applies and reverts exactly inside the simulator (a schedule trigger holds it from 10 to
20 minutes): emergency modes (closed, callback-only, overflow) change what happens to arrivals only while the
crisis lasts; extra chat capacity raises every chat agent's limit and gives it back; the actions with no
effect in a simulation say so. Without a playbook nothing changes and the simulator pays nothing."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from blendcc.crisis.playbook import Playbook
from blendcc.domain import crisis_events as ce
from blendcc.domain import events as ev
from blendcc.domain.channels import Channel
from blendcc.sim.centre import SimCentre
from blendcc.sim.playbooks import SimPlaybooks
from blendcc.sim.scenario import Scenario

START = datetime(2024, 1, 15, 9, 0, tzinfo=UTC)
ON, OFF = 600.0, 1200.0


def scenario(chat: bool = False) -> Scenario:
    capacity = {"limits": {"voice": 1, "chat": 2}} if chat else {}
    return Scenario.model_validate({
        "name": "actions", "start": START.isoformat(), "duration_s": 1800, "horizon_s": 3600,
        "centre": {"queues": [{"id": "sales"}, {"id": "billing"}],
                   "workflows": [{"id": "in", "channels": ["voice", "chat"], "default": [{"queue": "sales"}]}]},
        "agents": [{"name": "a", "count": 1, "queues": ["billing"], "capacity": capacity}],
        "arrivals": [{"name": "calls", "handle": {"dist": "constant", "value_s": 1},
                      "process": {"kind": "replay", "times_s": [60.0 * k + 30.0 for k in range(30)]}}]})


def playbook(*actions: dict[str, Any]) -> Playbook:
    return Playbook.model_validate({"id": "drill", "triggers": [
        {"kind": "schedule", "start": datetime.fromtimestamp(START.timestamp() + ON, UTC).isoformat(),
         "end": datetime.fromtimestamp(START.timestamp() + OFF, UTC).isoformat()}], "actions": list(actions)})


def run(pb: Playbook | None, chat: bool = False) -> tuple[SimCentre, SimPlaybooks | None, list[ev.Event]]:
    centre = SimCentre(scenario(chat), seed=1)
    seen: list[ev.Event] = []
    centre.observers.append(seen.extend)
    crisis = SimPlaybooks(centre, [pb], tick_s=1.0) if pb is not None else None
    centre.run()
    return centre, crisis, seen


def during(events: list[ev.Event], cls: type[ev.Event]) -> tuple[int, int]:
    """(inside the crisis window, outside it) counts of events of ``cls``."""
    t0 = START.timestamp()
    inside = sum(1 for e in events if isinstance(e, cls) and t0 + ON <= e.at < t0 + OFF)
    return inside, sum(1 for e in events if isinstance(e, cls)) - inside


def lifecycle(crisis: SimPlaybooks) -> list[tuple[str, float, int | None]]:
    t0 = START.timestamp()
    return [(e.type, e.at - t0, getattr(e, "index", None)) for e in crisis.events
            if not isinstance(e, ce.EmergencyModeSet | ce.EmergencyModeCleared)]


def test_without_a_playbook_nothing_is_rejected() -> None:
    _centre, _crisis, seen = run(None)
    assert during(seen, ev.ContactRejected) == (0, 0)
    assert during(seen, ev.ContactQueued)[1] == 20


def test_closed_rejects_arrivals_only_while_the_crisis_lasts() -> None:
    centre, crisis, seen = run(playbook({"kind": "emergency", "scope": "sales", "mode": "closed"}))
    assert crisis is not None
    assert lifecycle(crisis) == [("CrisisStarted", ON, None), ("CrisisActionApplied", ON, 0),
                                 ("CrisisActionReverted", OFF, 0), ("CrisisEnded", OFF, None)]
    assert during(seen, ev.ContactRejected) == (10, 0)
    assert {e.reason for e in seen if isinstance(e, ev.ContactRejected)} == {"emergency"}
    assert during(seen, ev.ContactQueued) == (0, 20)
    assert centre.engine.emergency == {}
    modes = [(e.type, e.scope, getattr(e, "mode", None)) for e in crisis.events
             if isinstance(e, ce.EmergencyModeSet | ce.EmergencyModeCleared)]
    assert modes == [("EmergencyModeSet", "sales", "closed"), ("EmergencyModeCleared", "sales", None)]


def test_callback_only_and_a_prior_mode_restored() -> None:
    centre = SimCentre(scenario(), seed=1)
    centre.handle(centre.engine.set_emergency("sales", "overflow", centre.t0, overflow_queue="billing", by="sup"))
    crisis = SimPlaybooks(centre, [playbook({"kind": "emergency", "scope": "sales", "mode": "callback_only"})])
    seen: list[ev.Event] = []
    centre.observers.append(seen.extend)
    centre.run()
    assert {e.reason for e in seen if isinstance(e, ev.ContactRejected)} == {"callback_only"}
    assert during(seen, ev.ContactRejected) == (10, 0)
    mode = centre.engine.emergency["sales"]  # the supervisor's overflow is back, as it was
    assert (mode.mode, mode.overflow_queue, mode.by, mode.since) == ("overflow", "billing", "sup", centre.t0)
    applied = next(e for e in crisis.events if isinstance(e, ce.CrisisActionApplied))
    assert applied.prior["mode"]["mode"] == "overflow"


def test_overflow_sends_arrivals_to_the_other_queue_and_its_agent_answers() -> None:
    _centre, crisis, seen = run(playbook({"kind": "emergency", "scope": "sales", "mode": "overflow",
                                          "overflow_queue": "billing"}))
    assert crisis is not None
    queued = [(e.at - START.timestamp(), e.queue_id) for e in seen if isinstance(e, ev.ContactQueued)]
    assert {q for t, q in queued if ON < t < OFF} == {"billing"}
    assert {q for t, q in queued if not ON < t < OFF} == {"sales"}
    assert during(seen, ev.ContactConnected) == (10, 0)  # only billing's agent answers


def test_chat_capacity_raises_the_limit_and_gives_it_back() -> None:
    centre = SimCentre(scenario(chat=True), seed=1)
    crisis = SimPlaybooks(centre, [playbook({"kind": "chat_capacity", "extra": 3})])
    limits: list[tuple[float, int]] = []

    def look(_payload: object) -> None:
        limits.append((centre.clock.t - centre.t0, centre.engine.agents["a-1"].capacity.limits[Channel.CHAT]))

    for t in (ON - 60, ON + 60, OFF + 60):
        centre.kernel.at(centre.t0 + t, look)
    centre.run()
    assert limits == [(ON - 60, 2), (ON + 60, 5), (OFF + 60, 2)]
    reverted = next(e for e in crisis.events if isinstance(e, ce.CrisisActionReverted))
    assert reverted.detail == {"restored": ["a-1"]}


def test_actions_without_effect_in_a_simulation_say_so_and_revert() -> None:
    _centre, crisis, seen = run(playbook({"kind": "banner", "text": "Known issue"}, {"kind": "pause_campaigns"},
                                         {"kind": "workflow_version", "workflow": "in", "version": 1}))
    assert crisis is not None
    applied = [e for e in crisis.events if isinstance(e, ce.CrisisActionApplied)]
    assert [e.kind for e in applied] == ["banner", "pause_campaigns", "workflow_version"]
    assert all("no effect in the simulator" in str(e.detail.get("note")) for e in applied)
    assert [e.index for e in crisis.events if isinstance(e, ce.CrisisActionReverted)] == [2, 1, 0]
    assert crisis.actions.banners == {}
    assert during(seen, ev.ContactRejected) == (0, 0)
