"""The wallboard on a generated large centre (1,000 agents, 50 queues): after a burst of commands the feed
publishes ONE frame, and that frame reflects the last state change (hold, then resume) for the right agent,
queue and channel tile, with every agent and queue present in natural order. Behaviour only, no timing
(the lag is measured by bench/wallboard.py)."""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping
from typing import Any

from blendcc.adapters.bus.memory import MemoryBus
from blendcc.app.acd.live_views import LiveViews
from blendcc.app.acd.runtime import Runtime
from blendcc.app.reporting.live_stats import LiveStats
from blendcc.app.reporting.wallboard import natural_key
from blendcc.app.reporting.wallboard_feed import WallboardFeed
from blendcc.domain.agent import AgentConfig, Capacity
from blendcc.domain.queue import QueueConfig
from blendcc.routing.catalog import build_catalog
from blendcc.routing.commands import AcceptOffer, CreateContact, HoldContact, LogIn, ResumeContact, SetStatus
from blendcc.routing.workflow import Target, Workflow
from blendcc.sim.kernel import SimClock
from blendcc.testing import MemoryStore

AGENTS, QUEUES = 1000, 50
T0 = 1_700_000_000.0


class Jobs:
    """A Scheduler whose jobs run only when the test runs them."""

    def __init__(self) -> None:
        self.jobs: list[Callable[[], object]] = []

    def call_later(self, _delay: float, fn: Callable[[], object]) -> object:
        self.jobs.append(fn)
        return fn

    def call_at(self, _when: float, fn: Callable[[], object]) -> object:
        return self.call_later(0.0, fn)

    def cancel(self, handle: object) -> None:
        if handle in self.jobs:
            self.jobs.remove(handle)  # type: ignore[arg-type]

    def run(self) -> int:
        due, self.jobs = self.jobs, []
        for fn in due:
            fn()
        return len(due)


def test_a_large_centres_frame_reflects_a_state_change() -> None:
    rng = random.Random(7)
    queues = [QueueConfig(id=f"q{n}", name=f"Queue {n}") for n in range(QUEUES)]
    agents = [AgentConfig(id=f"agent{n}", name=f"agent{n}", queues=[f"q{q}" for q in rng.sample(range(QUEUES), 3)],
                          capacity=Capacity(limits={"voice": 1, "chat": 2})) for n in range(AGENTS)]
    workflows = [Workflow(id=f"w{n}", default=[Target(queue=f"q{n}")]) for n in range(QUEUES)]
    clock = SimClock(T0)
    stats = LiveStats(lambda q, c: (20.0, 5.0))
    bus = MemoryBus()
    rt = Runtime(build_catalog(queues, [], agents, workflows, None), MemoryStore(), bus, clock, stats)
    views = LiveViews(rt, stats)
    jobs = Jobs()
    feed = WallboardFeed(views.wallboard, bus, jobs, coalesce_s=0.1, heartbeat_s=1.0)
    frames: list[Mapping[str, Any]] = []
    bus.subscribe("stats", lambda _t, m: frames.append(m))
    for a in agents:
        rt.execute(LogIn(a.id, status="aux", reason="break"))
    rt.subscribers.append(feed.start(heartbeat=False))  # from here on; armed by commits only
    for n in range(100):  # a burst: ten agents become available, contacts arrive in queue 7
        if n < 10:
            rt.execute(SetStatus(f"agent{n * 97}", "available"))
        clock.t += 0.1
        rt.execute(CreateContact(f"c{n}", "chat" if n % 2 else "voice", workflow_id="w7"))
    assert jobs.run() == 1 and len(frames) == 1  # one coalesced frame for 110 commands
    frame = frames[-1]
    assert frame["seq"] == rt.last_seq
    assert len(frame["agents"]) == AGENTS and len(frame["queues"]) == QUEUES
    assert [a["name"] for a in frame["agents"]] == sorted((a.name for a in agents), key=natural_key)
    assert [a["id"] for a in frame["agents"][:3]] == ["agent0", "agent1", "agent2"]
    assert [a["id"] for a in frame["agents"]].index("agent10") == 10  # agent10 after agent9, not after agent1
    q7 = next(q for q in frame["queues"] if q["id"] == "q7")
    assert q7["waiting"] == 100 and {t["channel"] for t in q7["channels"]} == {"voice", "chat"}

    # the state change: an agent of queue 7 answers a call and puts it on hold
    member = next(a.id for a in agents if "q7" in a.queues)
    rt.execute(SetStatus(member, "available"))
    view = views.agent(member)
    call = next(w["contact_id"] for w in view["work"] if w["channel"] == "voice")
    rt.execute(AcceptOffer(call, member))
    clock.t += 1
    rt.execute(HoldContact(call, member))
    assert jobs.run() == 1
    frame = frames[-1]
    row = next(a for a in frame["agents"] if a["id"] == member)
    assert (row["state"], row["since"]) == ("held", clock.t)
    voice = next(t for q in frame["queues"] if q["id"] == "q7" for t in q["channels"] if t["channel"] == "voice")
    assert voice["agents"]["held"] >= 1 and frame["totals"]["agents"]["held"] == 1
    rt.execute(ResumeContact(call, member))
    assert jobs.run() == 1
    row = next(a for a in frames[-1]["agents"] if a["id"] == member)
    assert row["state"] == "busy" and frames[-1]["totals"]["agents"]["held"] == 0
