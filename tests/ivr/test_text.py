"""The text adapter: the same flow as a chat bot, answered with digits or option words."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from blendcc.ivr.flow import IvrFlow
from blendcc.ivr.interpreter import Dtmf, Hangup, IvrContext, LookupResult, PromptFinished, step
from blendcc.ivr.text import TextBot

from .flows import HOURS, bank_flow

T0 = 1705309200.0
FLOW = IvrFlow.model_validate(bank_flow())


def bot(caller: str | None = "+442079460001", tier: str = "silver") -> TextBot:
    seen: list[str] = []

    def lookup(number: str) -> LookupResult:
        seen.append(number)
        return LookupResult(True, tier, "c1")

    b = TextBot(FLOW, IvrContext(caller_id=caller, calendars={"office": HOURS}), lookup=lookup)
    assert b.open(T0) == ["Welcome to the bank.", "For sales press 1, support 2, billing 3."]
    assert seen == ([caller] if caller else [])
    return b


def test_words_choose_menu_options_and_digits_fill_collect() -> None:
    b = bot()
    assert b.send("  Billing ", T0 + 1) == ["Enter your card number, then hash."]
    assert b.send("4556 7375 8689 9855", T0 + 2) == []  # the message is the whole answer (no '#' needed)
    assert b.enqueued is not None and b.enqueued.ivr["account"] == "4556737586899855"
    assert b.enqueued.ivr["menu"] == "3" and b.enqueued.attributes["team"] == "billing"
    assert b.session.status == "queued"


def test_unknown_words_retry_and_silence_times_out() -> None:
    b = bot(caller=None)
    assert b.send("pizza", T0 + 1) == ["Sorry, that is not an option.", "For sales press 1, support 2, billing 3."]
    assert b.send("", T0 + 2) == ["Sorry, I did not hear you.", "For sales press 1, support 2, billing 3."]
    b.timeout(T0 + 8)  # third failure: on_failure = sales queue
    assert b.enqueued is not None and b.enqueued.priority == 1 and b.session.node == "sales"
    assert b.session.ivr == {"customer": "unknown"}


def test_help_word_queue_announcements_and_callback() -> None:
    b = bot()
    assert b.send("help", T0 + 1) == []  # queued; music on hold is not shown as text
    out = b.timeout(T0 + 40)
    assert out == ["Thank you for waiting.", "Press 1 to be called back without losing your place in line."]
    b.send("1", T0 + 41)
    assert b.callback is not None and b.callback.number == "+442079460001" and b.closed
    assert b.send("hello?", T0 + 50) == []


def test_goodbye_and_gold_customer() -> None:
    b = bot(tier="gold")
    assert b.send("0", T0 + 1) == ["Goodbye."]
    assert b.closed and b.session.attributes == {"vip": True}
    assert isinstance(b.actions[-1], Hangup)
    view = b.transcript_view()
    assert view["closed"] and view["session"]["outcome"] == "hangup"
    assert view["session"]["path"] == ["hours", "welcome", "who", "vip", "menu", "bye"]


def test_edited_flow_under_a_live_session_hangs_up() -> None:
    b = bot()
    other = IvrFlow.model_validate({"id": "bank", "start": "x", "nodes": [{"id": "x", "kind": "hangup"}]})
    s, actions = step(other, b.session, Dtmf("1"), T0 + 3)
    assert s.outcome == "hangup" and actions == [Hangup()]
    s, actions = step(other, b.session, PromptFinished(), T0 + 3)
    assert s.status == "ended"


def test_voicemail_takes_the_next_message() -> None:
    b = TextBot(FLOW, IvrContext(caller_id="+15550001", calendars={"office": HOURS}))
    assert b.open(T0 + 11 * 3600) == ["We are closed. Leave a message after the tone.", "Please type your message."]
    assert b.send("Please call me about my card.", T0 + 11 * 3600 + 5) == ["Thank you, your message has been recorded."]
    assert b.voicemail is not None and b.voicemail.mailbox == "after-hours"
    assert b.voicemail_text == "Please call me about my card." and b.closed
    assert b.send("hello?", T0 + 11 * 3600 + 9) == []


@settings(max_examples=150, deadline=None)
@given(st.lists(st.one_of(st.text(max_size=30), st.sampled_from(["1", "2", "3", "0", "help", "billing", ""])),
                max_size=25))
def test_any_messages_never_raise_and_end_or_wait(messages: list[str]) -> None:
    b = TextBot(FLOW, IvrContext(caller_id="+15550001", calendars={"office": HOURS}),
                lookup=lambda n: LookupResult(True, "gold", "c1"))
    b.open(T0)
    for i, m in enumerate(messages):
        out = b.send(m, T0 + i + 1)
        assert all(isinstance(x, str) for x in out)
    for i in range(30):
        if b.session.finished:
            break
        b.timeout(T0 + 100 + i)
    assert b.session.finished
