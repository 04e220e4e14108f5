"""The IVR driver on a voice call (fake gateway, real interpreter and engine): prompts, barge-in, queueing."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sip_fakes import FakeGateway, FakeLeg

from blendcc.app.channels.voice.ivr import IvrDriver
from blendcc.app.channels.voice.service import VoiceService, VoiceSettings
from blendcc.ivr.flow import IvrFlow, PromptRef

FLOW = {
    "id": "menu", "language": "en", "start": "hello",
    "nodes": [
        {"id": "hello", "kind": "play", "prompt": {"text": "Hello."}, "next": "menu"},
        {"id": "menu", "kind": "menu", "prompt": {"text": "Press 1 or 2."},
         "options": [{"key": "1", "next": "sales"}, {"key": "2", "next": "sales-vip"}],
         "timeout_s": 4, "retries": 0, "on_failure": "bye"},
        {"id": "sales", "kind": "queue", "music": {"prompt_id": "moh"}, "announce_every_s": 30},
        {"id": "sales-vip", "kind": "queue", "priority": 5},
        {"id": "bye", "kind": "hangup", "prompt": {"text": "Goodbye."}},
    ],
}


@pytest.fixture
def ivr(sqlite_url: str, clock: Any, tmp_path: Path) -> Iterator[tuple[Any, VoiceService, FakeGateway, list[str]]]:
    from blendcc.bootstrap import build_container
    from blendcc.config import Settings

    c = build_container(Settings(database_url=sqlite_url, admin_password="ivr-admin-pw", secret_key="k"),
                        clock=clock, run_migrations=False)
    c.config.put("queues", "sales", {"name": "Sales"}, "t")
    c.config.put("workflows", "main", {"default": [{"queue": "sales"}]}, "t")
    gw = FakeGateway()
    voice = VoiceService(c.contacts, c.agents, c.bus, gw,  # type: ignore[arg-type]
                         VoiceSettings(recording_dir=tmp_path / "rec"))
    rendered: list[str] = []

    def render(prompt: PromptRef, language: str) -> str | None:
        rendered.append(prompt.text or f"id:{prompt.prompt_id}")
        return f"/prompts/{len(rendered)}.wav"

    def position(cid: str) -> int | None:
        return 3  # as the engine would rank it (the service asks the runtime)

    IvrDriver(voice, lambda vc: IvrFlow.model_validate(FLOW), render, clock.now, position=position)
    yield c, voice, gw, rendered
    voice.close()
    c.store.engine.dispose()


def test_prompts_play_in_order_a_digit_barges_in_and_the_choice_is_queued(ivr: Any) -> None:
    c, voice, gw, rendered = ivr
    leg = FakeLeg("cust-1")
    voice.incoming(leg, "+442079460000", "0800")
    vc = voice.calls[next(iter(voice.calls))]
    assert vc.state == "ivr" and rendered == ["Hello."]
    assert c.store.interactions(limit=5) == []  # no contact while the caller is in the IVR
    gw.finish_prompt(leg)  # "Hello." ends -> the menu prompt
    assert rendered == ["Hello.", "Press 1 or 2."]
    voice.dtmf(leg, "1")  # barge-in over the menu prompt
    assert ("stop", "cust-1") in gw.log
    [row] = c.store.interactions(limit=5)
    assert row["attributes"]["ivr"] == {"menu": "1"} and row["state"] == "queued"
    assert rendered[-1] == "id:moh" and gw.playing["cust-1"][2] is True  # music on hold, looping
    # the announcement timer: the caller's position is fed to the flow and announced
    delay, fire = gw.timers[-1]
    assert delay == 30
    fire()
    assert "You are number 3 in line." in rendered[3:], rendered


def test_no_input_ends_on_the_failure_node_after_its_prompt(ivr: Any) -> None:
    c, voice, gw, rendered = ivr
    leg = FakeLeg("cust-1")
    voice.incoming(leg, None, "0800")
    gw.finish_prompt(leg)
    gw.finish_prompt(leg)  # the menu prompt ends: the 4 s collect timeout starts
    delay, fire = gw.timers[-1]
    assert delay == 4
    fire()
    assert rendered[-1] == "Goodbye."
    gw.finish_prompt(leg)
    assert ("hangup", "cust-1") in gw.log
    assert voice.calls == {}
    # the flow ended the call itself: a closed contact "contained" in the IVR, with its path
    [row] = c.store.interactions(limit=5)
    assert row["outcome"] == "ivr_contained" and row["state"] == "closed" and row["channel"] == "voice"
    assert row["attributes"]["ivr_path"] == ["hello", "menu", "bye"]
    assert row["attributes"]["dialled_number"] == "0800" and row["queue_id"] is None


def test_caller_hanging_up_during_the_goodbye_of_a_hangup_node_is_still_contained(ivr: Any) -> None:
    c, voice, gw, rendered = ivr
    leg = FakeLeg("cust-1")
    voice.incoming(leg, None, "0800")
    gw.finish_prompt(leg)
    gw.finish_prompt(leg)
    gw.timers[-1][1]()  # no key: the failure node says goodbye
    assert rendered[-1] == "Goodbye."
    voice.leg_ended(leg)  # the caller hangs up before the goodbye ends
    [row] = c.store.interactions(limit=5)
    assert row["outcome"] == "ivr_contained" and row["attributes"]["ivr_path"] == ["hello", "menu", "bye"]


def test_caller_hanging_up_in_the_ivr_is_an_ivr_abandoned_contact_with_its_path(ivr: Any, clock: Any) -> None:
    c, voice, gw, _rendered = ivr
    leg = FakeLeg("cust-1")
    voice.incoming(leg, "+442079460000", "0800")
    gw.finish_prompt(leg)  # "Hello." -> the menu
    clock.advance(7)
    voice.leg_ended(leg)  # BYE while the menu waits for a key
    assert voice.calls == {}
    [row] = c.store.interactions(limit=5)
    assert row["outcome"] == "ivr_abandoned" and row["state"] == "closed"
    attrs = row["attributes"]
    assert attrs["caller_id"] == "+442079460000" and attrs["dialled_number"] == "0800"
    assert attrs["ivr_path"] == ["hello", "menu"] and attrs["ivr_flow"] == "menu" and attrs["ivr_s"] == 7
    assert row["queue_id"] is None and row["first_queued_at"] is None and row["wait_s"] is None
    # the caller is matched to a customer as a queued caller is: the call is in the customer's history
    assert row["customer_id"] is not None
    history = c.customers.get(row["customer_id"])["interactions"]
    assert [(h["contact_id"], h["outcome"]) for h in history] == [(row["contact_id"], "ivr_abandoned")]
    assert [e["type"] for e in c.contacts.timeline(row["contact_id"])] == ["IvrCallEnded"]


def test_ivr_abandons_and_contained_calls_are_ivr_figures_not_queue_figures(ivr: Any, clock: Any) -> None:
    c, voice, gw, _rendered = ivr
    start = clock.now()
    queued = FakeLeg("cust-q")  # chooses 1: reaches the sales queue, then hangs up there (a queue abandon)
    voice.incoming(queued, "+442079460001", "0800")
    gw.finish_prompt(queued)
    voice.dtmf(queued, "1")
    clock.advance(30)
    voice.leg_ended(queued)
    gone = FakeLeg("cust-a")  # hangs up during the welcome prompt: IVR abandoned
    voice.incoming(gone, "+442079460002", "0800")
    voice.leg_ended(gone)
    done = FakeLeg("cust-c")  # lets the menu time out and hears the goodbye: contained
    voice.incoming(done, "+442079460003", "0800")
    gw.finish_prompt(done)
    gw.finish_prompt(done)
    gw.timers[-1][1]()
    gw.finish_prompt(done)
    rows = {r["attributes"]["caller_id"]: r for r in c.store.interactions(limit=10)}
    assert {k: r["outcome"] for k, r in rows.items()} == {
        "+442079460001": "abandoned", "+442079460002": "ivr_abandoned", "+442079460003": "ivr_contained"}
    assert rows["+442079460002"]["attributes"]["ivr_path"] == ["hello"]
    # the queue sees one offered contact and one abandon, as without the IVR calls
    sales = c.stats.queues_today()["sales"]
    assert (sales["offered"], sales["abandoned"] + sales["short_abandoned"]) == (1, 1)
    report = c.reports.queues(start - 3600, start + 3600, "day")
    assert (report["total"]["offered"], report["total"]["abandoned"]) == (1, 1)
    # the IVR figures: live (also in the wallboard frame) and in the report, per flow and dialled number
    expected = {"flow_id": "menu", "dialled": "0800", "ivr_calls": 3, "to_queue": 1, "ivr_abandoned": 1,
                "ivr_contained": 1}
    [live] = c.stats.ivr_today(clock.now())["flows"]
    assert {k: live[k] for k in expected} == expected
    assert c.views.wallboard()["ivr"]["total"]["ivr_containment"] == 1 / 3
    [row] = c.reports.ivr(start - 3600, start + 3600, "day")["rows"]
    assert {k: row[k] for k in expected} == expected
