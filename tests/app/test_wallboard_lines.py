"""The wallboard's agent lines kept from frame to frame (``AgentLines``, ADR 0060) equal a full copy of every agent
after any sequence of commands: offers, accepts, declines, holds, transfers, ends, wrap-ups, hang-ups, offer
time-outs, status changes, log-outs, reconfigurations and a rebuilt engine."""

from __future__ import annotations

import contextlib
import random

import pytest

from blendcc.adapters.bus.memory import MemoryBus
from blendcc.app.acd.runtime import Runtime
from blendcc.app.reporting.live_stats import LiveStats
from blendcc.app.reporting.wallboard import AgentLines, capture
from blendcc.domain.agent import AgentConfig, Capacity
from blendcc.domain.errors import DomainError
from blendcc.domain.queue import QueueConfig
from blendcc.routing.catalog import build_catalog
from blendcc.routing.commands import (
    AcceptOffer,
    Command,
    CompleteWrapUp,
    CreateContact,
    DeclineOffer,
    DisconnectCustomer,
    EndContact,
    HoldContact,
    LogIn,
    LogOut,
    ResumeContact,
    SetStatus,
    TransferContact,
)
from blendcc.routing.workflow import Target, Workflow
from blendcc.sim.kernel import SimClock
from blendcc.testing import MemoryStore

AGENTS, QUEUES = 12, 3


def _catalog(names: str = "Agent") -> object:
    queues = [QueueConfig(id=f"q{n}", name=f"Queue {n}", offer_timeout_s=5, wrap_up_s=None) for n in range(QUEUES)]
    agents = [AgentConfig(id=f"a{n}", name=f"{names} {n}", queues=[f"q{n % QUEUES}", f"q{(n + 1) % QUEUES}"],
                          capacity=Capacity(limits={"voice": 1, "chat": 2})) for n in range(AGENTS)]
    workflows = [Workflow(id=f"w{n}", default=[Target(queue=f"q{n}")]) for n in range(QUEUES)]
    return build_catalog(queues, [], agents, workflows, None)


def _step(rt: Runtime, rng: random.Random, n: int) -> Command:
    agent = f"a{rng.randrange(AGENTS)}"
    engine = rt.engine
    held = [(cid, aid) for aid, a in engine.agents.items() for cid in a.work]
    pick = rng.random()
    if pick < 0.25 or not held:
        return CreateContact(f"c{n}", rng.choice(["voice", "chat"]), workflow_id=f"w{rng.randrange(QUEUES)}")
    cid, aid = rng.choice(held)
    options: list[Command] = [
        AcceptOffer(cid, aid), DeclineOffer(cid, aid), HoldContact(cid, aid), ResumeContact(cid, aid),
        EndContact(cid, aid), CompleteWrapUp(cid, aid), DisconnectCustomer(cid),
        TransferContact(cid, aid, to_queue=f"q{rng.randrange(QUEUES)}"),
        SetStatus(agent, "available"), SetStatus(agent, "aux", reason="lunch"), LogOut(agent),
        LogIn(agent, status="available")]
    return rng.choice(options)


@pytest.mark.parametrize("seed", range(4))
def test_the_kept_lines_equal_a_full_copy_after_any_commands(seed: int) -> None:
    rng = random.Random(seed)
    clock = SimClock(1_700_000_000.0)
    stats = LiveStats(lambda q, c: (20.0, 5.0))
    rt = Runtime(_catalog(), MemoryStore(), MemoryBus(), clock, stats)  # type: ignore[arg-type]
    lines = AgentLines()
    rt.subscribers.append(lines)
    for n in range(AGENTS):
        rt.execute(LogIn(f"a{n}", status="available") if n % 3 else LogIn(f"a{n}", status="aux", reason="break"))
    copies = 0
    for n in range(400):
        clock.t += rng.choice([0.1, 0.5, 2.0, 6.0])  # 6 s: offers time out (5 s) at the next command
        with contextlib.suppress(DomainError):  # a refused command (an offer gone, no wrap-up due): no events
            rt.execute(_step(rt, rng, n))
        if n == 200:
            rt.reconfigure(_catalog("Renamed"))  # new names: every line again
        if n == 300:
            rt._replace_engine()  # a rebuilt engine (after a store failure, a take-over)
        if rng.random() < 0.3:  # frames are not built after every command: changes pile up between them
            kept = rt.query(lambda e, _now: lines.capture(e))
            full = rt.query(lambda e, _now: capture(e))
            assert sorted(kept.agents) == sorted(full.agents)
            assert kept.waiting == full.waiting
            copies += 1
    assert copies > 50
    names = {line.name for line in rt.query(lambda e, _now: lines.capture(e)).agents}
    assert names == {f"Renamed {n}" for n in range(AGENTS)}
