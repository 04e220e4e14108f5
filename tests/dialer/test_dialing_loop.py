"""The dialing loop on a live Runtime (memory store) with fake telephony: every mode end to end."""

from __future__ import annotations

import random
from typing import Any

import pytest

from blendcc.adapters.clock import SystemClock
from blendcc.adapters.storage.memory.dialer import MemoryDialerRepository
from blendcc.adapters.telephony.fake import FakeTelephony, ScriptedCall
from blendcc.app.acd.runtime import Runtime
from blendcc.app.outbound.dialing import DialingService
from blendcc.app.outbound.state import events_of
from blendcc.app.reporting.live_stats import LiveStats
from blendcc.dialer.dnc import DncEntry
from blendcc.dialer.records import DialRecord
from blendcc.domain import dialer_events as dev
from blendcc.domain import events as ev
from blendcc.domain.agent import AgentConfig
from blendcc.domain.errors import InvalidState, ValidationFailed
from blendcc.domain.queue import QueueConfig
from blendcc.routing.catalog import build_catalog
from blendcc.routing.workflow import Target, Workflow
from blendcc.testing import FakeClock, MemoryStore, RecordingBus

from .helpers import NOON_NY, campaign


def phone(i: int) -> str:
    return f"+1212555{i:04d}"


class Centre:
    """A Runtime with ``agents`` agents in queue 'sales' (30 s wrap-up), fake telephony scripted per
    number, a memory dialer repository with ``records`` records, and the dialing service."""

    def __init__(self, agents: int = 1, records: int = 5, script: dict[str, list[ScriptedCall]] | None = None,
                 **campaign_kw: Any) -> None:
        self.clock = FakeClock(NOON_NY)
        ids = [f"a{i}" for i in range(agents)]
        catalog = build_catalog([QueueConfig(id="sales", wrap_up_s=30.0)], [],
                                [AgentConfig(id=a, queues=["sales"]) for a in ids],
                                [Workflow(id="main", default=[Target(queue="sales")])], None)
        self.store = MemoryStore()
        self.bus = RecordingBus()
        self.runtime = Runtime(catalog, self.store, self.bus, self.clock, LiveStats(lambda q, c: (20.0, 5.0)))
        self.telephony = FakeTelephony(self.clock, random.Random(1), script=script or {},
                                       mix={"no_answer": 1.0})
        self.repo = MemoryDialerRepository()
        self.repo.insert_records([DialRecord(campaign_id="c1", record_id=f"r{i}", phone=phone(i),
                                             tz="America/New_York") for i in range(1, records + 1)])
        self.service = DialingService(self.runtime, self.telephony, self.repo, self.clock)
        self.bus.subscribe("contact", lambda _t, m: self.service.observe(events_of([m])))
        self.campaign = campaign(**campaign_kw)
        for a in ids:
            self.runtime.execute(lambda engine, now, a=a: engine.login(a, now))

    def start(self) -> None:
        self.service.start(self.campaign)
        self.service.tick()

    def run_until(self, seconds: float) -> None:
        """Move time to NOON_NY + seconds, delivering telephony events, engine timers and loop ticks in order."""
        end = NOON_NY + seconds
        while True:
            dues = [d for d in (self.telephony.next_due(), self.service.next_due(), self.runtime.engine.next_due())
                    if d is not None]
            nxt = min(dues) if dues else None
            if nxt is None or nxt > end:
                break
            if nxt > self.clock.now():
                self.clock.set(nxt)
            self.telephony.deliver_due()
            self.runtime.tick()
            self.service.tick()
        self.clock.set(end)
        self.runtime.tick()
        self.service.tick()

    def events(self, kind: type[Any]) -> list[Any]:
        return [s.event for s in self.store.read() if isinstance(s.event, kind)]

    def agent_state(self, agent_id: str = "a0") -> tuple[str, str | None]:
        a = self.runtime.engine.agents[agent_id]
        return a.state.value, a.state_reason


def human(ring: float = 5.0, talk: float = 60.0) -> list[ScriptedCall]:
    return [ScriptedCall("human", ring, talk)]


def test_progressive_reserves_the_agent_connects_the_answer_and_dials_again_after_wrap_up() -> None:
    c = Centre(script={phone(1): human(5.0, 60.0), phone(2): human(5.0, 60.0)}, mode="progressive")
    c.start()
    placed = c.events(dev.CallPlaced)
    assert [(p.record_id, p.agent_id, p.mode) for p in placed] == [("r1", "a0", "progressive")]
    assert c.agent_state() == ("aux", "outbound")
    c.run_until(5)
    connected = c.events(dev.CallConnected)
    assert [(x.record_id, x.agent_id) for x in connected] == [("r1", "a0")]
    created = c.events(ev.ContactCreated)[-1]
    assert created.direction == "outbound" and created.attributes["record_id"] == "r1"
    assert c.agent_state()[0] == "busy"
    assert c.repo.get_record("c1", "r1").final_reason == "connected"  # type: ignore[union-attr]
    assert len(c.events(dev.CallPlaced)) == 1  # nobody free: no second call
    c.run_until(65)  # the callee hangs up: wrap-up 30 s
    assert c.agent_state()[0] == "wrap_up"
    c.run_until(96)
    talk = [w for w in c.events(ev.WrapUpCompleted) if w.contact_id == connected[0].contact_id]
    assert talk and talk[0].talk_s == pytest.approx(60.0)
    assert [p.record_id for p in c.events(dev.CallPlaced)] == ["r1", "r2"]


def test_no_answer_releases_the_agent_and_schedules_a_retry() -> None:
    c = Centre(mode="progressive")  # every number rings out
    c.start()
    c.run_until(26)
    failed = c.events(dev.CallFailed)
    assert [(f.record_id, f.outcome) for f in failed] == [("r1", "no_answer")]
    r1 = c.repo.get_record("c1", "r1")
    assert r1 is not None and r1.state == "scheduled" and r1.attempts == 1
    assert r1.next_attempt_at is not None and r1.next_attempt_at >= NOON_NY + 25 + 3600 - 1
    updated = [u for u in c.events(dev.RecordUpdated) if u.record_id == "r1"]
    assert updated[-1].state == "scheduled"
    # the agent was released and reserved again for the next record
    assert [p.record_id for p in c.events(dev.CallPlaced)] == ["r1", "r2"]


def test_two_second_rule_abandons_with_the_message_and_counts_it() -> None:
    c = Centre(script={phone(1): human(5.0), phone(2): human(5.0)}, mode="power", lines_per_agent=2.0)
    run_ledger = None
    c.service.start(c.campaign)
    run_ledger = c.service.runs["c1"].ledger
    for i in range(200):  # 200 earlier live answers, none abandoned: the governor has budget
        run_ledger.add(NOON_NY - 3600 + i, False)
    c.service.tick()
    assert len(c.events(dev.CallPlaced)) == 2  # two lines for the one free agent
    c.run_until(5)
    assert len(c.events(dev.CallConnected)) == 1
    c.run_until(6.9)
    assert not c.events(dev.CallAbandoned)  # still within connect_within_s
    c.run_until(7.5)
    abandoned = c.events(dev.CallAbandoned)
    assert len(abandoned) == 1 and abandoned[0].reason == "no_agent"
    assert (abandoned[0].call_id, "abandon") in c.telephony.played
    assert c.telephony.calls[abandoned[0].call_id].ended
    state = c.service.pacing_state("c1")
    assert state["live_answered_in_window"] == 202 and state["abandoned_in_window"] == 1
    rec = c.repo.get_record("c1", abandoned[0].record_id)
    assert rec is not None and rec.state == "scheduled" and rec.last_outcome == "abandoned"


def test_governor_allows_one_call_per_free_agent_without_budget() -> None:
    c = Centre(agents=2, mode="power", lines_per_agent=3.0)
    c.start()  # an empty ledger: no abandonment budget yet
    assert len(c.events(dev.CallPlaced)) == 2
    assert c.service.pacing_state("c1")["last_decision"]["governed"] is True


def test_amd_machine_is_hung_up_and_never_reaches_an_agent() -> None:
    c = Centre(script={phone(1): [ScriptedCall("machine", 4.0)]}, mode="progressive", amd=True,
               machine_action="hangup")
    c.start()
    c.run_until(5)
    assert [(f.record_id, f.outcome) for f in c.events(dev.CallFailed)] == [("r1", "machine")]
    assert not c.events(dev.CallConnected)
    rec = c.repo.get_record("c1", "r1")
    assert rec is not None and rec.state == "done" and rec.final_reason == "machine"


def test_amd_settings_of_the_campaign_go_with_each_call_only_when_amd_is_on() -> None:
    from blendcc.dialer.amd import AmdSettings

    tuned = AmdSettings(maximum_number_of_words=5, greeting_ms=1800)
    c = Centre(script={phone(1): [ScriptedCall("machine", 4.0)]}, mode="progressive", amd=True,
               machine_action="hangup", amd_settings=tuned)
    c.start()
    c.run_until(5)
    assert c.telephony.amd and set(c.telephony.amd) == set(c.telephony.calls)
    assert all(s == tuned for s in c.telephony.amd.values())
    off = Centre(script={phone(1): [ScriptedCall("machine", 4.0)]}, mode="progressive", amd_settings=tuned)
    off.start()
    off.run_until(5)
    assert off.telephony.calls and off.telephony.amd == {}


def test_preview_fetch_skip_with_reason_then_dial() -> None:
    c = Centre(script={phone(2): human(3.0)}, mode="preview")
    c.start()
    assert not c.events(dev.CallPlaced)  # preview never dials by itself
    first = c.service.preview_next("c1", "a0")
    assert first is not None and first.record_id == "r1"
    assert c.agent_state() == ("aux", "outbound")  # held while reading
    assert c.service.preview_next("c1", "a0") == first  # asking again returns the same record
    with pytest.raises(ValidationFailed):
        c.service.preview_skip("c1", "a0", "r1", "  ")
    c.service.preview_skip("c1", "a0", "r1", "customer asked for email")
    skipped = c.events(dev.PreviewSkipped)
    assert [(s.record_id, s.agent_id, s.reason) for s in skipped] == [("r1", "a0", "customer asked for email")]
    assert c.agent_state()[0] == "available"
    second = c.service.preview_next("c1", "a0")
    assert second is not None and second.record_id == "r2"
    with pytest.raises(InvalidState):
        c.service.preview_dial("c1", "a0", "r1")  # not the record being previewed
    call_id = c.service.preview_dial("c1", "a0", "r2")
    assert [(p.call_id, p.agent_id, p.mode) for p in c.events(dev.CallPlaced)] == [(call_id, "a0", "preview")]
    c.run_until(3)
    assert [(x.record_id, x.agent_id) for x in c.events(dev.CallConnected)] == [("r2", "a0")]


def test_inbound_first_an_inbound_contact_gets_the_released_agent() -> None:
    c = Centre(mode="progressive")
    c.start()
    assert len(c.events(dev.CallPlaced)) == 1
    c.runtime.execute(lambda engine, now: engine.create_contact("in1", "voice", now))
    assert c.runtime.engine.contacts["in1"].state.value == "queued"  # the agent is held for outbound
    c.run_until(26)  # no answer: the agent is released and takes the inbound contact
    assert c.runtime.engine.contacts["in1"].agent_id == "a0"
    assert len(c.events(dev.CallPlaced)) == 1  # no new outbound call meanwhile


def test_dnc_and_calling_window_are_never_dialled() -> None:
    c = Centre(records=3, mode="progressive", agents=3)
    c.repo.add_dnc([DncEntry(scope="c1", phone=phone(1), reason="asked")])
    c.repo.put_records([DialRecord(campaign_id="c1", record_id="r2", phone=phone(2), tz="Asia/Tokyo")])  # 00:00
    c.start()
    assert [p.record_id for p in c.events(dev.CallPlaced)] == ["r3"]


def test_disposition_at_wrap_up_updates_the_record() -> None:
    c = Centre(script={phone(1): human(2.0, 1000.0)}, mode="progressive")
    c.start()
    c.run_until(2)
    call = c.events(dev.CallConnected)[0]
    c.runtime.execute(lambda engine, now: engine.wrap_up(call.contact_id, "a0", now, disposition="not_interested"))
    c.run_until(3)
    rec = c.repo.get_record("c1", "r1")
    assert rec is not None and rec.state == "done" and rec.final_reason == "not_interested"
    assert c.telephony.calls[call.call_id].ended  # the agent ended the call: telephony hung up


def test_pause_stops_new_calls_and_the_log_replays() -> None:
    c = Centre(mode="progressive")
    c.start()
    c.service.pause("c1")
    c.run_until(26)
    assert len(c.events(dev.CallPlaced)) == 1  # the call in flight finished, nothing new
    assert [s.state for s in c.events(dev.CampaignStateChanged)] == ["running", "paused"]
    assert c.agent_state()[0] == "available"
    fresh = Runtime(c.runtime.engine.catalog, c.store, RecordingBus(), c.clock, LiveStats(lambda q, ch: (20.0, 5.0)))
    assert fresh.engine.agents["a0"].state.value == "available"


def test_a_transferred_outbound_call_stays_up_until_the_last_agent_ends_it() -> None:
    c = Centre(agents=2, script={phone(1): human(2.0, 1000.0)}, mode="predictive")
    c.service.start(c.campaign)
    c.service.tick()
    c.run_until(2)
    call = c.events(dev.CallConnected)[0]
    first = call.agent_id
    other = "a1" if first == "a0" else "a0"
    c.service.pause("c1")  # nothing new placed: the other agent stays free for the transfer
    c.run_until(30)
    c.runtime.execute(lambda engine, now: engine.transfer(call.contact_id, first, now, to_queue="sales"))
    assert not c.telephony.calls[call.call_id].ended
    contact = c.runtime.engine.contacts[call.contact_id]
    assert contact.agent_id == other
    c.runtime.execute(lambda engine, now: engine.accept(call.contact_id, other, now))
    c.runtime.execute(lambda engine, now: engine.end(call.contact_id, other, now))
    c.run_until(31)
    assert c.telephony.calls[call.call_id].ended


def test_inbound_sl_guard_holds_outbound_while_inbound_traffic_needs_the_agents() -> None:
    heavy = [ev.ContactQueued(contact_id=f"x{i}", queue_id="sales", channel="voice", step_index=0, priority=0,
                              at=NOON_NY - 600 + i) for i in range(100)]  # 10 calls a minute: 30 Erlangs
    guarded = Centre(agents=3, mode="progressive")
    guarded.service.observe(heavy)
    guarded.start()
    assert not guarded.events(dev.CallPlaced)
    assert "inbound_sl" in guarded.service.pacing_state("c1")["last_decision"]["reason"]
    unguarded = Centre(agents=3, mode="progressive", inbound_sl_guard=False)
    unguarded.service.observe(heavy)
    unguarded.start()
    assert len(unguarded.events(dev.CallPlaced)) == 3
    light = Centre(agents=3, mode="progressive")
    light.service.observe(heavy[:2])  # 2 calls in 15 minutes: 0.4 Erlangs
    light.start()
    assert len(light.events(dev.CallPlaced)) == 1  # 80/20 on 0.4 Erlangs needs two agents left for inbound


def test_the_live_ticker_dials_and_pumps_the_fake_telephony() -> None:
    """The tick is a periodic job on the server's asyncio scheduler (no thread of its own)."""
    import asyncio
    import threading

    from blendcc.adapters.scheduler import AsyncioScheduler
    from blendcc.app.outbound.ticker import start_ticker, stop_ticker

    loop = asyncio.new_event_loop()
    loop_thread = threading.Thread(target=loop.run_forever, daemon=True)
    loop_thread.start()
    scheduler = AsyncioScheduler(loop, SystemClock())
    c = Centre(mode="progressive")
    c.service.start(c.campaign)
    start_ticker(c.service, scheduler, 0.01)
    try:
        placed = threading.Event()
        for _ in range(500):
            if c.events(dev.CallPlaced):
                placed.set()
                break
            threading.Event().wait(0.01)
        assert placed.is_set()
        with c.service.lock:
            c.clock.advance(25.0)  # the fake's ring-out falls due; the ticker delivers it
        for _ in range(500):
            if c.events(dev.CallFailed):
                break
            threading.Event().wait(0.01)
        assert [f.outcome for f in c.events(dev.CallFailed)] == ["no_answer"]
    finally:
        stop_ticker(c.service)
        scheduler.close()
        loop.call_soon_threadsafe(loop.stop)
        loop_thread.join(5)
        loop.close()
    assert c.service.ticker is None


def test_sync_dials_exactly_the_running_campaigns_without_recording_events() -> None:
    """A node taking over (ADR 0063) aligns its loop with the campaign states the old leader left."""
    c = Centre()
    c.start()
    stored = len(c.store.read(0))
    c.service.sync([], lambda _cid: "paused")  # paused on the old leader after this process started
    assert c.service.runs["c1"].state == "paused"
    c.service.sync([c.campaign], lambda _cid: "running")  # started again there
    assert c.service.runs["c1"].state == "running"
    c.service.sync([], lambda _cid: "stopped")
    assert c.service.runs["c1"].state == "stopped"
    assert not any(s.event.type == "CampaignStateChanged" for s in c.store.read(stored))
