"""The interpreter node by node: prompts, menus with retries and timeouts, digit collection, business
hours, caller lookup, attributes, queue announcements, call-back, voicemail, hang-up."""

from __future__ import annotations

from typing import Any

from blendcc.ivr.flow import IvrFlow, PromptRef
from blendcc.ivr.interpreter import (
    Callback,
    CallerHungUp,
    Collect,
    Dtmf,
    EnqueueContact,
    Hangup,
    IvrContext,
    IvrSession,
    Lookup,
    LookupResult,
    Play,
    PromptFinished,
    QueueUpdate,
    SetAttributes,
    Timeout,
    Voicemail,
    Wait,
    start,
    step,
)

from .flows import HOURS, bank_flow

T0 = 1705309200.0  # Monday 2024-01-15 09:00 UTC = 09:00 in London (open)
NIGHT = T0 + 11 * 3600  # 20:00 (closed)
CTX = IvrContext(caller_id="+442079460001", dialled="+442079460000", calendars={"office": HOURS})
FLOW = IvrFlow.model_validate(bank_flow())


def texts(actions: list[Any]) -> list[str | None]:
    return [a.prompt.text for a in actions if isinstance(a, Play)]


def to_menu(ctx: IvrContext = CTX, result: LookupResult | None = None) -> IvrSession:
    s, actions = start(FLOW, ctx, T0)
    assert actions == [Play(PromptRef(prompt_id="welcome", text="Welcome to the bank.", language="en"))]
    assert (s.node, s.waiting) == ("welcome", "prompt")
    s, actions = step(FLOW, s, PromptFinished(), T0 + 2)
    if ctx.caller_id:
        assert actions == [Lookup(ctx.caller_id)] and s.waiting == "lookup"
        s, actions = step(FLOW, s, result or LookupResult(True, "silver", "c1"), T0 + 2)
    assert texts(actions) == ["For sales press 1, support 2, billing 3."]
    assert actions[-1] == Collect(1, 5.0, "")
    return s


def test_open_hours_lookup_menu_and_queue_with_choices() -> None:
    s = to_menu()
    assert s.path == ("hours", "welcome", "who", "menu")
    s, actions = step(FLOW, s, Dtmf("3"), T0 + 5)
    assert s.ivr == {"customer": "known", "tier": "silver", "menu": "3"}
    assert actions[-1] == Collect(16, 8.0, "#")
    s, actions = step(FLOW, s, Dtmf("4556737586899855#"), T0 + 12)
    assert s.status == "queued" and s.outcome == "queued" and s.node == "billing"
    assert actions == [EnqueueContact({"customer": "known", "tier": "silver", "menu": "3",
                                       "account": "4556737586899855"},
                                      {"ivr_flow": "bank", "customer_known": True, "tier": "silver",
                                       "team": "billing"}, 0)]
    assert (s.customer_id, s.tier) == ("c1", "silver")


def test_closed_goes_to_voicemail() -> None:
    s, actions = start(FLOW, CTX, NIGHT)
    assert s.status == "ended" and s.outcome == "voicemail"
    assert texts(actions) == ["We are closed. Leave a message after the tone."]
    assert actions[-1] == Voicemail("after-hours", 60.0, {}, {"ivr_flow": "bank"})
    # calendars: an injected function wins; an unknown calendar counts as closed
    s, _ = start(FLOW, IvrContext(is_open=lambda cal, now: cal == "office"), NIGHT)
    assert s.node == "welcome"
    s, _ = start(FLOW, IvrContext(), T0)
    assert s.outcome == "voicemail"


def test_gold_tier_sets_attributes_and_unknown_caller_skips_lookup() -> None:
    s, actions = start(FLOW, CTX, T0)
    s, actions = step(FLOW, s, PromptFinished(), T0 + 1)
    s, actions = step(FLOW, s, LookupResult(True, "gold", "c9"), T0 + 1)
    assert actions[0] == SetAttributes({"vip": True}) and s.node == "menu"
    s, actions = step(FLOW, s, Dtmf("1"), T0 + 3)
    enq = actions[0]
    assert isinstance(enq, EnqueueContact) and enq.priority == 1
    assert enq.attributes["vip"] is True and enq.ivr["tier"] == "gold"
    # no caller id: no Lookup action, the unknown branch at once
    s = to_menu(IvrContext(calendars={"office": HOURS}))
    assert s.ivr == {"customer": "unknown"} and s.customer_known is False
    # a lookup that never answers (Timeout) counts as unknown; other events wait
    s, _ = start(FLOW, CTX, T0)
    s, _ = step(FLOW, s, PromptFinished(), T0 + 1)
    s2, acts = step(FLOW, s, Dtmf("2"), T0 + 1)
    assert acts == [] and s2.waiting == "lookup"
    s, acts = step(FLOW, s2, Timeout(), T0 + 5)
    assert s.ivr["customer"] == "unknown" and s.node == "menu"


def test_menu_invalid_and_no_input_retries_then_failure() -> None:
    s = to_menu()
    s, actions = step(FLOW, s, Dtmf("7"), T0 + 5)
    assert texts(actions) == ["Sorry, that is not an option.", "For sales press 1, support 2, billing 3."]
    assert s.attempts == 1 and s.node == "menu"
    s, actions = step(FLOW, s, Timeout(), T0 + 10)
    assert texts(actions) == ["Sorry, I did not hear you.", "For sales press 1, support 2, billing 3."]
    assert s.attempts == 2
    s, actions = step(FLOW, s, Timeout(), T0 + 15)  # third failure: retries (2) used up -> on_failure
    assert s.node == "sales" and s.status == "queued" and "menu" not in s.ivr
    # a valid key on the last attempt still counts
    s = to_menu()
    s, _ = step(FLOW, s, Dtmf("9"), T0 + 5)
    s, _ = step(FLOW, s, Dtmf("9"), T0 + 6)
    s, _ = step(FLOW, s, Dtmf("2"), T0 + 7)
    assert s.ivr["menu"] == "2" and s.node == "support"


def test_menu_type_ahead_and_prompt_finished_ignored() -> None:
    s = to_menu()
    s2, actions = step(FLOW, s, PromptFinished(), T0 + 3)
    assert actions == [] and s2.node == "menu"
    s, actions = step(FLOW, s, Dtmf("3455673758689985"), T0 + 4)  # menu key, then digits of the card
    assert s.node == "account" and s.digits == "455673758689985"
    s, actions = step(FLOW, s, Dtmf("5"), T0 + 5)  # 16th digit: max_length reached, no terminator needed
    assert s.status == "queued" and s.ivr["account"] == "4556737586899855"


def test_collect_validation_retry_and_failure() -> None:
    s = to_menu()
    s, _ = step(FLOW, s, Dtmf("3"), T0 + 4)
    s, actions = step(FLOW, s, Dtmf("4556737586899856#"), T0 + 6)  # Luhn fails
    assert texts(actions) == ["That number is not valid.", "Enter your card number, then hash."]
    assert s.attempts == 1 and s.digits == ""
    s, actions = step(FLOW, s, Dtmf("1234#"), T0 + 9)  # too short; retries=1 used up -> on_failure
    assert s.node == "billing" and "account" not in s.ivr


def test_collect_timeout_with_digits_finishes_and_without_is_no_input() -> None:
    flow = bank_flow()
    acc = next(n for n in flow["nodes"] if n["id"] == "account")
    acc["rules"] = {"min_length": 4, "max_length": 8, "pattern": r"^[0-9]{4,8}$"}
    acc["no_input_prompt"] = {"text": "Please enter it now."}
    f = IvrFlow.model_validate(flow)
    s, _ = start(f, IvrContext(calendars={"office": HOURS}), T0)
    s, _ = step(f, s, PromptFinished(), T0 + 1)
    s, _ = step(f, s, Dtmf("3"), T0 + 2)
    s, actions = step(f, s, Timeout(), T0 + 10)
    assert texts(actions) == ["Please enter it now.", "Enter your card number, then hash."]
    s, actions = step(f, s, Dtmf("#"), T0 + 11)  # terminator with nothing typed: no input again
    assert s.node == "billing"  # retries=1: second failure
    s, _ = start(f, IvrContext(calendars={"office": HOURS}), T0)
    s, _ = step(f, s, PromptFinished(), T0 + 1)
    s, _ = step(f, s, Dtmf("3"), T0 + 2)
    s, _ = step(f, s, Dtmf("12345"), T0 + 3)
    s, _ = step(f, s, Timeout(), T0 + 10)
    assert s.ivr["account"] == "12345" and s.status == "queued"


def test_queue_music_announcements_and_callback() -> None:
    s = to_menu()
    s, actions = step(FLOW, s, Dtmf("2"), T0 + 5)
    assert isinstance(actions[0], EnqueueContact)
    assert actions[1:] == [Play(PromptRef(prompt_id="moh", language="en"), loop=True), Wait(30.0)]
    assert s.queued_at == T0 + 5
    s, actions = step(FLOW, s, QueueUpdate(4, 250.0), T0 + 20)
    assert actions == [] and (s.position, s.expected_wait_s) == (4, 250.0)
    s, _ = step(FLOW, s, Dtmf("1"), T0 + 25)  # call-back offered only after 30 s of waiting
    assert s.status == "queued"
    s, actions = step(FLOW, s, Timeout(), T0 + 35)
    assert texts(actions) == ["Thank you for waiting.", "You are number 4 in line.",
                              "Your expected wait is about 5 minutes.",
                              "Press 1 to be called back without losing your place in line.", None]
    assert actions[-2].loop and actions[-1] == Wait(30.0)  # type: ignore[union-attr]
    s, actions = step(FLOW, s, QueueUpdate(2, None), T0 + 50)
    s, actions = step(FLOW, s, Timeout(), T0 + 65)
    assert texts(actions)[:2] == ["Your call matters to us.", "You are number 2 in line."]
    s, actions = step(FLOW, s, Dtmf("1"), T0 + 70)
    assert s.status == "ended" and s.outcome == "callback"
    assert actions[0] == Callback("+442079460001", True, {"customer": "known", "tier": "silver", "menu": "2"},
                                  {"ivr_flow": "bank", "customer_known": True, "tier": "silver"})
    assert texts(actions) == ["Thank you. We will call you back. Goodbye."] and actions[-1] == Hangup()
    assert step(FLOW, s, Timeout(), T0 + 80)[1] == []


def test_no_callback_without_caller_id_and_announcement_languages() -> None:
    flow = IvrFlow.model_validate(bank_flow(language="fr"))
    s, _ = start(flow, IvrContext(calendars={"office": HOURS}), T0)
    s, _ = step(flow, s, PromptFinished(), T0 + 1)
    s, _ = step(flow, s, Dtmf("2"), T0 + 2)
    s, _ = step(flow, s, QueueUpdate(3, 61.0), T0 + 3)
    s, actions = step(flow, s, Timeout(), T0 + 40)
    assert "Vous êtes le numéro 3 dans la file d'attente." in texts(actions)
    assert "Votre temps d'attente est d'environ 2 minutes." in texts(actions)
    assert all(a.prompt.language == "fr" for a in actions if isinstance(a, Play))
    assert not any("called back" in (t or "") for t in texts(actions))  # no number to call back
    s, actions = step(flow, s, Dtmf("1"), T0 + 45)
    assert s.status == "queued" and actions == []


def test_hangup_node_and_caller_hang_up() -> None:
    s = to_menu()
    s, actions = step(FLOW, s, Dtmf("0"), T0 + 4)
    assert texts(actions) == ["Goodbye."] and actions[-1] == Hangup() and s.outcome == "hangup"
    s = to_menu()
    s, actions = step(FLOW, s, CallerHungUp(), T0 + 4)
    assert (s.status, s.outcome, actions) == ("ended", "abandoned", [])
    s = to_menu()
    s, _ = step(FLOW, s, Dtmf("1"), T0 + 4)
    s, actions = step(FLOW, s, CallerHungUp(), T0 + 60)
    assert (s.status, s.outcome, actions) == ("ended", "queued", [])  # left while queued (routing records it)


def test_visit_cap_goes_to_fallback() -> None:
    flow = bank_flow(max_visits=6, fallback="bye")
    menu = next(n for n in flow["nodes"] if n["id"] == "menu")
    menu["options"].append({"key": "9", "next": "menu"})
    f = IvrFlow.model_validate(flow)
    s, _ = start(f, IvrContext(calendars={"office": HOURS}), T0)
    s, _ = step(f, s, PromptFinished(), T0 + 1)
    s, actions = step(f, s, Dtmf("9999"), T0 + 2)  # hours, welcome, who, menu, menu, menu: 6 visits
    assert s.outcome == "hangup" and s.path[-1] == "bye" and texts(actions)[-1] == "Goodbye."
    flow.pop("fallback")
    f = IvrFlow.model_validate(flow)
    s, _ = start(f, IvrContext(calendars={"office": HOURS}), T0)
    s, _ = step(f, s, PromptFinished(), T0 + 1)
    s, actions = step(f, s, Dtmf("9999"), T0 + 2)
    assert s.outcome == "hangup" and actions[-1] == Hangup()


def test_announcement_placeholders_and_bad_templates() -> None:
    flow = bank_flow()
    sup = next(n for n in flow["nodes"] if n["id"] == "support")
    sup["position_prompt"] = {"text": "Position {position}, about {wait_s} seconds {oops}"}
    sup["wait_prompt"] = {"text": "Wait {wait_minutes} min"}
    f = IvrFlow.model_validate(flow)
    s = to_menu()
    s, _ = step(f, s, Dtmf("2"), T0 + 5)
    s, _ = step(f, s, QueueUpdate(1, 30.0), T0 + 6)
    s, actions = step(f, s, Timeout(), T0 + 40)
    assert "Position {position}, about {wait_s} seconds {oops}" in texts(actions)  # unknown name: as written
    assert "Wait 1 min" in texts(actions)
    s, _ = step(f, s, QueueUpdate(1, float("nan")), T0 + 41)
    assert s.expected_wait_s is None
