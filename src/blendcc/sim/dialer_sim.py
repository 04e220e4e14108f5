"""Outbound dialling in the simulator: simulated telephony on the kernel, and a whole-shift campaign run.

``SimTelephony`` implements the Telephony port on the kernel's virtual clock: a call is answered by a
person with probability ``p_live`` after a sampled ring time, by a machine, is busy, fails, or rings
out after the ring timeout; a connected callee hangs up after a sampled talk time. ``run_campaign``
drives the real engine and the real ``DialingService`` (the same code as live) through a shift with a
pool of agents and reports talk time per agent hour and abandonment. Preview agents read each record
for a simulated think time before dialling.
"""

from __future__ import annotations

import itertools
import math
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TypeVar

from blendcc.adapters.storage.memory.dialer import MemoryDialerRepository
from blendcc.app.outbound.dialing import DialingService
from blendcc.dialer.amd import AmdSettings
from blendcc.dialer.campaign import CampaignConfig
from blendcc.dialer.records import DialRecord
from blendcc.domain import dialer_events as dev
from blendcc.domain import events as ev
from blendcc.domain.agent import AgentConfig
from blendcc.domain.queue import QueueConfig
from blendcc.domain.telephony import AnsweredBy, TelephonyEvent, TelephonyEventKind
from blendcc.routing.catalog import build_catalog
from blendcc.routing.commands import Command, run
from blendcc.routing.engine import Engine
from blendcc.routing.workflow import Target, Workflow
from blendcc.sim.kernel import Kernel, SimClock

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class CallProfile:
    """What the called numbers do. Shares of calls: ``p_live`` people, ``p_machine`` machines, ``p_busy``
    busy, ``p_failed`` network failures, the rest ring out. Ring time before an answer is gamma with
    mean ``ring_mean_s`` (shape 4); talk time gamma with mean ``talk_mean_s`` (shape 2)."""

    p_live: float = 0.30
    p_machine: float = 0.10
    p_busy: float = 0.08
    p_failed: float = 0.02
    ring_mean_s: float = 9.0
    talk_mean_s: float = 150.0


class SimTelephony:
    """The Telephony port on the simulation kernel (events at virtual times, in order)."""

    def __init__(self, kernel: Kernel, rng: random.Random, profile: CallProfile) -> None:
        self.kernel = kernel
        self.rng = rng
        self.profile = profile
        self._handlers: list[Callable[[TelephonyEvent], None]] = []
        self._live: dict[str, int] = {}  # call id -> token of its scheduled events (gone: ended)
        self._tokens = itertools.count(1)
        self.talk: dict[str, float] = {}
        self.played: list[tuple[str, str]] = []

    def on_event(self, handler: Callable[[TelephonyEvent], None]) -> None:
        self._handlers.append(handler)

    def _at(self, t: float, call_id: str, kind: TelephonyEventKind, answered_by: AnsweredBy | None = None) -> None:
        token = self._live[call_id]
        self.kernel.at(t, self._deliver, (token, TelephonyEvent(call_id=call_id, kind=kind, at=t,
                                                                answered_by=answered_by)))

    def _deliver(self, payload: tuple[int, TelephonyEvent]) -> None:
        token, event = payload
        if self._live.get(event.call_id) != token:
            return  # the call was hung up meanwhile
        if event.kind in ("busy", "no_answer", "failed", "hangup"):
            del self._live[event.call_id]
        for handler in list(self._handlers):
            handler(event)

    def place_call(self, call_id: str, to: str, caller_id: str, ring_timeout_s: float,
                   amd: AmdSettings | None = None) -> None:
        prof, rng, now = self.profile, self.rng, self.kernel.now
        self._live[call_id] = next(self._tokens)
        x = rng.random()
        ring = rng.gammavariate(4.0, prof.ring_mean_s / 4.0)
        if x < prof.p_live + prof.p_machine:
            if ring >= ring_timeout_s:
                self._at(now + ring_timeout_s, call_id, "no_answer")
                return
            human = x < prof.p_live
            self._at(now + ring, call_id, "answered", "human" if human else "machine")
            if human:
                talk = rng.gammavariate(2.0, prof.talk_mean_s / 2.0)
                self.talk[call_id] = talk
                self._at(now + ring + talk, call_id, "hangup")
        elif x < prof.p_live + prof.p_machine + prof.p_busy:
            self._at(now + min(ring / 3.0, ring_timeout_s), call_id, "busy")
        elif x < prof.p_live + prof.p_machine + prof.p_busy + prof.p_failed:
            self._at(now + 1.0, call_id, "failed")
        else:
            self._at(now + ring_timeout_s, call_id, "no_answer")

    def hangup(self, call_id: str) -> None:
        if self._live.pop(call_id, None) is not None:
            self._live[call_id] = next(self._tokens)  # cancel what was scheduled, report the hangup now
            self._at(self.kernel.now, call_id, "hangup")

    def play(self, call_id: str, prompt: str) -> None:
        self.played.append((call_id, prompt))


class SimRunner:
    """The engine runner of the simulation: commands run at the kernel's time; events go to ``sink``."""

    def __init__(self, engine: Engine, clock: SimClock, sink: Callable[[Sequence[ev.Event]], None]) -> None:
        self.engine = engine
        self.clock = clock
        self.sink = sink

    def execute(self, command: Command) -> list[ev.Event]:
        events = run(self.engine, command, self.clock.t)
        if events:
            self.sink(events)
        return events

    def query(self, fn: Callable[[Engine, float], T]) -> T:
        return fn(self.engine, self.clock.t)


@dataclass(slots=True)
class Result:
    mode: str
    p_live: float
    seed: int
    agents: int
    hours: float
    placed: int = 0
    live: int = 0
    connected: int = 0
    abandoned: int = 0
    talk_s: float = 0.0
    governed_decisions: int = 0
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def talk_min_per_agent_hour(self) -> float:
        return self.talk_s / 60.0 / (self.agents * self.hours)

    @property
    def abandon_rate(self) -> float:
        return self.abandoned / self.live if self.live else 0.0


def run_campaign(*, mode: str, p_live: float, seed: int, agents: int = 50, hours: float = 8.0,
                 lines_per_agent: float = 2.0, wrap_up_s: float = 30.0, think_s: tuple[float, float] = (5.0, 25.0),
                 profile: CallProfile | None = None, records: int | None = None) -> Result:
    """One shift of one campaign on a fresh centre; returns talk time and abandonment."""
    rng = random.Random(seed)
    t0 = datetime(2026, 3, 2, 14, 0, tzinfo=UTC).timestamp()  # 09:00 in New York, a Monday
    end = t0 + hours * 3600.0
    queue = QueueConfig(id="outbound", wrap_up_s=wrap_up_s)
    agent_ids = [f"a{i:03d}" for i in range(agents)]
    catalog = build_catalog([queue], [], [AgentConfig(id=a, queues=["outbound"]) for a in agent_ids],
                            [Workflow(id="main", default=[Target(queue="outbound")])], None)
    clock = SimClock(t0)
    engine = Engine(catalog, t0)
    result = Result(mode, p_live, seed, agents, hours)
    state: dict[str, Any] = {"service": None}
    tick_at: set[float] = set()

    def sink(events: Sequence[ev.Event]) -> None:
        service: DialingService | None = state["service"]
        if service is None:
            return
        service.observe(events)
        freed = False
        for e in events:
            if isinstance(e, ev.WrapUpCompleted) and e.at <= end:
                result.talk_s += e.talk_s
            elif isinstance(e, dev.CallPlaced):
                result.placed += 1
            elif isinstance(e, dev.CallConnected):
                result.connected += 1
            elif isinstance(e, dev.CallAbandoned):
                result.abandoned += 1
            elif isinstance(e, ev.AgentStateChanged) and e.state == "available":
                freed = True
                if mode == "preview":
                    kernel.at(kernel.now, preview_fetch, e.agent_id)
        if freed:
            schedule_tick(kernel.now)

    kernel = Kernel(engine, on_events=sink, clock=clock)
    prof = profile or CallProfile(p_live=p_live)
    telephony = SimTelephony(kernel, rng, prof)
    repo = MemoryDialerRepository()
    n_records = records if records is not None else int(agents * hours * 90)
    repo.insert_records([DialRecord(campaign_id="camp", record_id=f"r{i}", phone=f"+1212{i:07d}",
                                    tz="America/New_York") for i in range(n_records)])
    campaign = CampaignConfig(id="camp", mode=mode, queue_id="outbound", caller_id="+12125550100",
                              lines_per_agent=lines_per_agent, amd=True, machine_action="hangup",
                              max_attempts=3, max_attempts_per_day=3, reserve_inbound_agents=0)
    service = DialingService(SimRunner(engine, clock, sink), telephony, repo, clock)
    state["service"] = service

    def do_tick(_: Any) -> None:
        tick_at.discard(kernel.now)
        if kernel.now > end:
            return
        service.tick()
        due = service.next_due()
        if due is not None:
            schedule_tick(due)

    def schedule_tick(t: float) -> None:
        if t not in tick_at:
            tick_at.add(t)
            kernel.at(t, do_tick)

    def on_telephony_after(event: TelephonyEvent) -> None:
        schedule_tick(kernel.now)

    telephony.on_event(on_telephony_after)

    def periodic(_: Any) -> None:
        if kernel.now <= end:
            schedule_tick(kernel.now)
            kernel.at(kernel.now + 1.0, periodic)

    def preview_fetch(agent_id: str) -> None:
        if kernel.now > end or not engine.agents[agent_id].routable or engine.agents[agent_id].work:
            return
        try:
            record = service.preview_next("camp", agent_id)
        except Exception:
            return
        if record is not None:
            kernel.at(kernel.now + rng.uniform(*think_s), preview_dial, (agent_id, record.record_id))

    def preview_dial(payload: tuple[str, str]) -> None:
        agent_id, record_id = payload
        service.preview_dial("camp", agent_id, record_id)

    def login(_: Any) -> None:
        for a in agent_ids:
            sink(engine.login(a, kernel.now))

    kernel.at(t0, login)
    service.start(campaign)
    kernel.at(t0, periodic)
    kernel.run(until=end + 3600.0)  # let calls in progress finish (talk counts only until the end)
    run = service.runs["camp"]
    result.live = result.connected + result.abandoned
    result.extra = {"counts": dict(run.counts), "alpha": round(run.controller.alpha, 4),
                    "p_live_est": round(run.estimator.p_live(), 4)}
    return result


def summary(results: Sequence[Result]) -> dict[str, float]:
    """Mean talk minutes per agent hour and mean/max abandonment over seeds."""
    talk = [r.talk_min_per_agent_hour for r in results]
    ab = [r.abandon_rate for r in results]
    return {"talk_min_per_hour": sum(talk) / len(talk), "abandon_mean": sum(ab) / len(ab),
            "abandon_max": max(ab), "talk_min": min(talk),
            "talk_sd": math.sqrt(sum((x - sum(talk) / len(talk)) ** 2 for x in talk) / len(talk))}
