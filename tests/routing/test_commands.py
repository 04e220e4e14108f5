"""Engine commands as records: every command round-trips through JSON, and ``run`` does what the method does."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from blendcc.domain import dialer_events as dev
from blendcc.domain import events as ev
from blendcc.domain.calendar import BusinessHours, Window
from blendcc.domain.errors import InvalidState, NotFound, ValidationFailed
from blendcc.routing.catalog import RoutingSettings
from blendcc.routing.commands import (
    COMMAND_TYPES,
    AcceptOffer,
    AppendEvents,
    Batch,
    ClearEmergency,
    Command,
    CompleteWrapUp,
    Configure,
    ConnectOutbound,
    CreateContact,
    DeclineOffer,
    DisconnectCustomer,
    EndContact,
    HoldContact,
    LogIn,
    LogOut,
    MoveContact,
    ReleaseOutbound,
    ReserveOutbound,
    ResumeContact,
    SetConversationState,
    SetEmergency,
    SetStatus,
    Tick,
    TransferContact,
    command_from_dict,
    run,
)
from blendcc.routing.workflow import Filter, Target

from .helpers import T0, Sim, agent, catalog, queue, workflow


def _catalog() -> Any:
    hours = BusinessHours(id="office", timezone="Europe/Warsaw",
                          weekly={"mon": [Window(start="08:00", end="18:00")]})
    return catalog([queue("sales", wrap_up_s=30.0, calendar_id="office"), queue("support")],
                   [agent("a1", "sales", skills={"en": 3}), agent("a2", "sales", "support")],
                   workflows=[workflow(Target(queue="sales"), filters=[
                       Filter(name="vip", expression="tier == 'gold'", targets=[Target(queue="support")])])],
                   calendars=[hours], settings=RoutingSettings(priority_head_start_s=30.0))


#: one example of every command, with every optional field set somewhere
EXAMPLES: list[Command] = [
    CreateContact("c1", "voice"),
    CreateContact("c2", "chat", direction="outbound",
                  attributes={"tier": "gold", "n": 2, "x": [1, "a"], "m": {"k": None}}, priority=5,
                  customer_id="cu1", tier="gold", last_agent_id="a1", workflow_id="main", once=True),
    DisconnectCustomer("c1"),
    DisconnectCustomer("c1", if_open=True),
    DisconnectCustomer("c1", at=1700000000.25),
    MoveContact("c1", "support"),
    AcceptOffer("c1", "a1"),
    DeclineOffer("c1", "a1"),
    HoldContact("c1", "a1"),
    ResumeContact("c1", "a1"),
    EndContact("c1", "a1"),
    CompleteWrapUp("c1", "a1"),
    CompleteWrapUp("c1", "a1", disposition="sale", notes="called back later: ok"),
    TransferContact("c1", "a1", to_queue="support"),
    TransferContact("c1", "a1", to_agent="a2"),
    SetConversationState("c1", "snoozed", agent_id="a1", until=T0 + 60.0, reason="later"),
    LogIn("a1"),
    LogIn("a1", status="aux", reason="break"),
    SetStatus("a1", "aux", reason="lunch", by="supervisor"),
    SetStatus("a1", "available"),
    LogOut("a1"),
    LogOut("a1", force=True),
    ReserveOutbound("a1", "camp"),
    ReleaseOutbound("a1"),
    ConnectOutbound("dl-1", "sales"),
    ConnectOutbound("dl-2", "sales", agent_id="a1", attributes={"campaign_id": "camp", "field.name": "Ann"},
                    customer_id="cu9"),
    Tick(),
    Configure(_catalog()),
    AppendEvents((dev.CampaignStateChanged(campaign_id="camp", state="running", at=T0),
                  dev.CallPlaced(campaign_id="camp", call_id="dl-1", record_id="r1", phone="+12125550001",
                                 mode="progressive", agent_id=None, at=T0 + 1))),
    AppendEvents((dev.RecordUpdated(campaign_id="camp", record_id="r1", state="done", attempts=1,
                                    next_attempt_at=None, reason="sale", at=T0),), stamp=True),
    Batch((LogIn("a1"), Batch((Tick(), MoveContact("c1", "sales"))), AcceptOffer("c1", "a1")), skip_refused=True),
    Batch(()),
    SetEmergency("sales", "overflow", "billing", "We have an outage", "sup", "cr-1", T0 - 60),
    ClearEmergency("*", "sup"),
]


def test_every_command_type_has_an_example() -> None:
    assert {type(c).__name__ for c in EXAMPLES} == set(COMMAND_TYPES)


@pytest.mark.parametrize("command", EXAMPLES, ids=lambda c: c.type)
def test_a_command_round_trips_through_json(command: Command) -> None:
    wire = json.dumps(command.to_dict())
    back = command_from_dict(json.loads(wire))
    assert type(back) is type(command)
    assert back == command
    assert back.to_dict() == command.to_dict()
    assert json.loads(wire)["type"] == command.type


def test_a_configure_from_the_wire_routes_like_the_original() -> None:
    original = _catalog()
    back = command_from_dict(json.loads(json.dumps(Configure(original).to_dict())))
    assert isinstance(back, Configure)
    assert set(back.catalog.queues) == {"sales", "support"}
    assert back.catalog.calendars["office"] == original.calendars["office"]
    assert back.catalog.workflows["main"].workflow == original.workflows["main"].workflow
    assert back.catalog.settings.priority_head_start_s == 30.0


_text = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12)
_json = st.recursive(st.none() | st.booleans() | st.integers(-10**9, 10**9)
                     | st.floats(allow_nan=False, allow_infinity=False) | _text,
                     lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_text, inner, max_size=3),
                     max_leaves=8)


@given(cid=_text, channel=st.sampled_from(["voice", "chat", "email"]), attrs=st.dictionaries(_text, _json, max_size=4),
       priority=st.integers(0, 100), customer=st.none() | _text, once=st.booleans())
def test_any_create_contact_round_trips(cid: str, channel: str, attrs: dict[str, Any], priority: int,
                                        customer: str | None, once: bool) -> None:
    command = CreateContact(cid, channel, attributes=attrs, priority=priority, customer_id=customer, once=once)
    assert command_from_dict(json.loads(json.dumps(command.to_dict()))) == command


@given(st.lists(st.sampled_from([c for c in EXAMPLES if not isinstance(c, Configure | Batch)]), max_size=5),
       st.booleans())
def test_any_batch_round_trips(commands: list[Command], skip: bool) -> None:
    batch = Batch(tuple(commands), skip_refused=skip)
    assert command_from_dict(json.loads(json.dumps(batch.to_dict()))) == batch


@pytest.mark.parametrize("bad", [
    {"type": "Explode"},
    {"contact_id": "c1"},
    {"type": "AcceptOffer", "contact_id": "c1"},
    {"type": "AcceptOffer", "contact_id": "c1", "agent_id": "a1", "extra": 1},
    {"type": "AppendEvents", "events": [{"type": "NoSuchEvent", "at": 1.0}]},
    {"type": "Configure", "queues": [{"id": "q"}], "agents": [{"id": "a", "queues": ["nope"]}]},
    {"type": "Batch", "commands": [{"type": "Tick"}, {"type": "Nope"}]},
])
def test_a_bad_wire_command_is_refused_clearly(bad: dict[str, Any]) -> None:
    with pytest.raises(ValidationFailed):
        command_from_dict(bad)


def test_run_refuses_what_is_not_a_command_even_inside_a_batch_that_skips_refusals() -> None:
    e = Sim(_catalog()).engine
    with pytest.raises(TypeError):
        run(e, "LogIn a1", T0)  # type: ignore[arg-type]
    with pytest.raises(TypeError):  # a closure slipped into a batch is a bug, not a refusal to skip
        run(e, Batch((LogIn("a1"), lambda _e, now: []), skip_refused=True), T0)  # type: ignore[arg-type]


# ---------------------------------------------------------------------- the dispatcher does what the method does


def _pair() -> tuple[Sim, Sim]:
    cat = catalog([queue("sales", wrap_up_s=30.0), queue("support")],
                  [agent("a1", "sales", "support"), agent("a2", "sales", "support")])
    return Sim(cat), Sim(cat)


def test_a_conversation_by_records_equals_one_by_methods() -> None:
    by_method, by_record = _pair()
    m = by_method.engine
    smaller = catalog([queue("sales", wrap_up_s=30.0), queue("support")], [agent("a1", "sales", "support")])
    steps: list[tuple[Any, Command, float]] = [
        (lambda t: m.login("a1", t), LogIn("a1"), 1),
        (lambda t: m.login("a2", t, status="aux", reason="break"), LogIn("a2", "aux", "break"), 2),
        (lambda t: m.create_contact("c1", "voice", t, attributes={"k": 1}, priority=2), CreateContact(
            "c1", "voice", attributes={"k": 1}, priority=2), 3),
        (lambda t: m.accept("c1", "a1", t), AcceptOffer("c1", "a1"), 6),
        (lambda t: m.hold("c1", "a1", t), HoldContact("c1", "a1"), 7),
        (lambda t: m.resume_contact("c1", "a1", t), ResumeContact("c1", "a1"), 8),
        (lambda t: m.set_status("a2", "available", t, by="sup"), SetStatus("a2", "available", by="sup"), 9),
        (lambda t: m.transfer("c1", "a1", t, to_agent="a2"), TransferContact("c1", "a1", to_agent="a2"), 10),
        (lambda t: m.accept("c1", "a2", t), AcceptOffer("c1", "a2"), 11),
        (lambda t: m.end("c1", "a2", t), EndContact("c1", "a2"), 12),
        (lambda t: m.wrap_up("c1", "a2", t, disposition="ok", notes="n"), CompleteWrapUp("c1", "a2", "ok", "n"), 13),
        (lambda t: m.create_contact("c2", "voice", t), CreateContact("c2", "voice"), 14),
        (lambda t: m.decline("c2", "a2", t), DeclineOffer("c2", "a2"), 15),
        (lambda t: m.move("c2", "support", t), MoveContact("c2", "support"), 16),
        (lambda t: m.customer_left("c2", t), DisconnectCustomer("c2"), 17),
        (m.tick, Tick(), 60),
        (lambda t: m.reserve_outbound("a1", t, campaign_id="camp"), ReserveOutbound("a1", "camp"), 61),
        (lambda t: m.release_outbound("a1", t), ReleaseOutbound("a1"), 62),
        (lambda t: m.connect_outbound("dl-1", "sales", t, attributes={"p": "1"}),
         ConnectOutbound("dl-1", "sales", attributes={"p": "1"}), 63),
        (lambda t: m.logout("a1", t, force=True), LogOut("a1", force=True), 64),
        (lambda t: m.configure(smaller, t), Configure(smaller), 65),  # a2 is removed: logged out
    ]
    for method, record, t in steps:
        expected = method(T0 + t)
        got = run(by_record.engine, command_from_dict(record.to_dict()), T0 + t)
        assert got == expected, record
        assert expected, record  # every step did something


def test_disconnect_if_open_ignores_a_closed_contact_and_plain_disconnect_refuses_it() -> None:
    sim, _ = _pair()
    e = sim.engine
    run(e, LogIn("a1"), T0)
    run(e, CreateContact("c1", "voice"), T0 + 1)
    assert "ContactClosed" in [x.type for x in run(e, DisconnectCustomer("c1"), T0 + 2)]
    assert run(e, DisconnectCustomer("c1", if_open=True), T0 + 3) == []
    with pytest.raises(NotFound):
        run(e, DisconnectCustomer("c1"), T0 + 4)


def test_append_events_stamps_the_writer_time_only_when_asked() -> None:
    e = Sim(_catalog()).engine
    placed = dev.CallPlaced(campaign_id="camp", call_id="dl-1", record_id="r1", phone="+1", mode="preview",
                            agent_id="a1", at=T0)
    assert run(e, AppendEvents((placed,)), T0 + 9) == [placed]
    stamped = run(e, AppendEvents((placed,), stamp=True), T0 + 9)
    assert stamped == [dev.CallPlaced(campaign_id="camp", call_id="dl-1", record_id="r1", phone="+1", mode="preview",
                                      agent_id="a1", at=T0 + 9)]


def test_a_batch_skips_refused_commands_only_when_asked() -> None:
    sim, _ = _pair()
    e = sim.engine
    run(e, LogIn("a1"), T0)
    refused_first = Batch((AcceptOffer("nope", "a1"), CreateContact("c1", "voice")), skip_refused=True)
    out = run(e, refused_first, T0 + 1)
    assert [x.type for x in out][:2] == ["ContactCreated", "ContactRouted"]
    assert any(isinstance(x, ev.ContactOffered) for x in out)
    with pytest.raises(InvalidState):
        run(e, Batch((CreateContact("c1", "voice"), Tick())), T0 + 2)  # duplicate id: the batch is refused


def test_a_batch_refused_midway_leaves_its_applied_events_pending_for_the_writer() -> None:
    sim, _ = _pair()
    e = sim.engine
    run(e, LogIn("a1"), T0)
    assert not e.has_pending()
    with pytest.raises(InvalidState):
        run(e, Batch((LogIn("a2"), LogIn("a1"))), T0 + 1)  # a1 is logged in already
    assert e.has_pending()  # the Runtime rebuilds from its store rather than keep a2's unstored login
