"""Routing benchmark: the indexed Matcher beside a naive linear-scan router, in the same run.

Centre: N agents, S skills, one queue per skill (the skill at level 1 or more), each agent with 3-8
random skills (proficiency 1-5) and a member of the queues of its skills; everyone logged in and
available, then 90 % made busy.

"The engine itself" is the matching decision. One cycle: a voice contact arrives for a random skill
-> ``Matcher.best_agent`` (timed on its own for the latency percentiles) -> the chosen agent is
reserved (load + 1, ``agent_changed``) -> a random busy agent is released (load - 1, idle from now,
``agent_changed``), which keeps the centre 90 % busy. Cycles per second time the whole loop (wall clock,
and per CPU second of the process beside it: ``decisions_per_cpu_s``, steadier on a shared machine). The naive
peer (``NaiveMatcher``: scan every agent, then the strategy's ``select``) runs the same cycle over the
same records. ``engine_lifecycle_per_s`` is the cost with events: full ``Engine`` command lifecycles
(create_contact -> accept -> end -> wrap_up) per second on the same centre.

    python bench/routing.py [--agents 10000] [--skills 500] [--cycles 200000] [--seed 1] [--quick]

The last line printed is one JSON object with the figures.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import random
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass

from rich.console import Console
from rich.table import Table

from blendcc import native
from blendcc.domain.agent import AgentConfig, Presence
from blendcc.domain.channels import Channel
from blendcc.domain.interaction import InteractionState, RouteStep
from blendcc.domain.queue import QueueConfig
from blendcc.routing.catalog import Catalog, build_catalog
from blendcc.routing.engine import Engine
from blendcc.routing.matcher import Matcher
from blendcc.routing.naive import NaiveMatcher
from blendcc.routing.records import AgentRecord, ContactRecord
from blendcc.routing.workflow import Target, Workflow

VOICE = Channel.VOICE
T0 = 1_705_309_200.0  # Monday 15 January 2024 09:00 UTC; only differences matter


# ---------------------------------------------------------------------------------- the centre


def build_centre(n_agents: int, n_skills: int, seed: int) -> Catalog:
    """One queue (and one workflow) per skill; agents with 3-8 skills, proficiency 1-5."""
    rng = random.Random(seed)
    skills = [f"s{i}" for i in range(n_skills)]
    queues = [QueueConfig(id=f"q-{s}", skills={s: 1}, wrap_up_s=None) for s in skills]
    agents = []
    for i in range(n_agents):
        mine = rng.sample(skills, rng.randint(3, min(8, n_skills)))
        agents.append(AgentConfig(id=f"a{i}", skills={s: rng.randint(1, 5) for s in mine},
                                  queues=[f"q-{s}" for s in mine]))
    workflows = [Workflow(id=f"w-{s}", default=[Target(queue=f"q-{s}")]) for s in skills]
    return build_catalog(queues, [], agents, workflows)


def skill_contact(catalog: Catalog, skill: str, seq: int) -> ContactRecord:
    """A waiting voice contact for ``skill`` (as the engine would build it), for ``best_agent``."""
    queue = catalog.queues[f"q-{skill}"]
    c = ContactRecord(f"c-{skill}", VOICE, "inbound", 0, {}, None, T0, seq)
    c.steps = (RouteStep(queue_id=queue.id, skills=queue.skill_requirement()),)
    c.queue = queue
    c.state = InteractionState.QUEUED
    return c


# ---------------------------------------------------------------------------------- decisions


@dataclass
class DecisionResult:
    cycles: int
    seconds: float
    cpu_seconds: float
    p50_us: float
    p99_us: float
    max_us: float
    not_found: int

    @property
    def per_s(self) -> float:
        return self.cycles / self.seconds

    @property
    def per_cpu_s(self) -> float:
        return self.cycles / self.cpu_seconds if self.cpu_seconds > 0 else float("nan")


def percentile(sorted_ns: list[int], q: float) -> float:
    i = min(len(sorted_ns) - 1, max(0, round(q * (len(sorted_ns) - 1))))
    return sorted_ns[i] / 1000.0


def decision_world(catalog: Catalog, busy_share: float, seed: int) -> tuple[dict[str, AgentRecord], list[AgentRecord]]:
    """Agent records logged in and available, then ``busy_share`` of them given one call each."""
    rng = random.Random(seed + 1)
    agents: dict[str, AgentRecord] = {}
    for i, config in enumerate(catalog.agents.values()):
        a = AgentRecord(config, T0 - 3600 + i * 1e-3)  # distinct idle times
        a.logged_in = True
        a.presence = Presence.AVAILABLE
        agents[a.id] = a
    busy = rng.sample(list(agents.values()), int(len(agents) * busy_share))
    for a in busy:
        a.load[VOICE] = 1
    return agents, busy


def run_cycles(
    best_agent: Callable[[ContactRecord], AgentRecord | None],
    changed: Callable[[AgentRecord], None] | None,
    contacts: list[ContactRecord],
    busy: list[AgentRecord],
    cycles: int,
    seed: int,
) -> DecisionResult:
    """Route + release ``cycles`` times; ``changed`` re-indexes an agent (None: nothing to maintain)."""
    rng = random.Random(seed)
    picks = [contacts[rng.randrange(len(contacts))] for _ in range(cycles)]
    releases = [rng.random() for _ in range(cycles)]
    latencies = [0] * cycles
    clock = time.perf_counter_ns
    now = T0
    offer_seq = 0
    not_found = 0
    gc.collect()
    start = time.perf_counter()
    cpu_start = time.process_time()
    for i in range(cycles):
        now += 0.001
        contact = picks[i]
        t0 = clock()
        agent = best_agent(contact)
        latencies[i] = clock() - t0
        if agent is None:
            not_found += 1
            continue  # nobody free with that skill: nothing reserved, nothing released
        load = agent.load
        load[VOICE] = load.get(VOICE, 0) + 1
        offer_seq += 1
        agent.last_offer_seq = offer_seq
        agent.idle_since = now
        if changed is not None:
            changed(agent)
        busy.append(agent)
        j = int(releases[i] * len(busy))
        freed = busy[j]
        busy[j] = busy[-1]
        busy.pop()
        n = freed.load.get(VOICE, 0) - 1
        if n > 0:
            freed.load[VOICE] = n
        else:
            freed.load.pop(VOICE, None)
        freed.idle_since = now
        if changed is not None:
            changed(freed)
    seconds = time.perf_counter() - start
    cpu_seconds = time.process_time() - cpu_start
    latencies.sort()
    return DecisionResult(cycles, seconds, cpu_seconds, percentile(latencies, 0.50), percentile(latencies, 0.99),
                          latencies[-1] / 1000.0, not_found)


def check_agreement(matcher: Matcher, naive: NaiveMatcher, contacts: list[ContactRecord], samples: int) -> None:
    """The two routers must give the same answers (the property tests check this thoroughly)."""
    for c in contacts[:samples]:
        got, want = matcher.best_agent(c), naive.best_agent(c)
        if (got.id if got else None) != (want.id if want else None):
            raise SystemExit(f"indexed and naive matchers disagree for {c.id}: {got and got.id} vs {want and want.id}")


# ---------------------------------------------------------------------------------- engine lifecycles


@dataclass
class LifecycleResult:
    lifecycles: int
    seconds: float
    events: int
    unserved: int

    @property
    def per_s(self) -> float:
        return self.lifecycles / self.seconds


def engine_lifecycles(catalog: Catalog, busy_share: float, lifecycles: int, seed: int) -> LifecycleResult:
    """Full command lifecycles with events on an Engine holding the same centre, 90 % busy."""
    rng = random.Random(seed + 2)
    skills = sorted({s for q in catalog.queues.values() for s in q.skills})
    now = T0
    engine = Engine(catalog, now)
    for agent_id in catalog.agents:
        engine.login(agent_id, now)
    target_busy = int(len(catalog.agents) * busy_share)
    n = 0
    busy = 0
    while busy < target_busy:  # calls that stay connected for the whole run
        now += 0.001
        cid = f"hold-{n}"
        n += 1
        engine.create_contact(cid, "voice", now, workflow_id=f"w-{rng.choice(skills)}")
        c = engine.contacts[cid]
        if c.agent_id is None:
            engine.customer_left(cid, now)
            continue
        engine.accept(cid, c.agent_id, now)
        busy += 1
    picks = [f"w-{rng.choice(skills)}" for _ in range(lifecycles)]
    events = 0
    unserved = 0
    gc.collect()
    start = time.perf_counter()
    for i in range(lifecycles):
        now += 0.01
        cid = f"life-{i}"
        out = engine.create_contact(cid, "voice", now, workflow_id=picks[i])
        agent_id = engine.contacts[cid].agent_id
        if agent_id is None:  # nobody free with that skill
            out += engine.customer_left(cid, now)
            unserved += 1
            events += len(out)
            continue
        out += engine.accept(cid, agent_id, now + 0.002)
        out += engine.end(cid, agent_id, now + 0.004)
        out += engine.wrap_up(cid, agent_id, now + 0.006, disposition="done")
        events += len(out)
    seconds = time.perf_counter() - start
    return LifecycleResult(lifecycles - unserved, seconds, events, unserved)


# ---------------------------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--agents", type=int, default=10_000)
    parser.add_argument("--skills", type=int, default=500)
    parser.add_argument("--cycles", type=int, default=200_000, help="route+release cycles, indexed matcher")
    parser.add_argument("--naive-cycles", type=int, default=2_000, help="cycles for the naive router")
    parser.add_argument("--lifecycles", type=int, default=20_000, help="full engine command lifecycles")
    parser.add_argument("--busy", type=float, default=0.9, help="share of agents busy")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--quick", action="store_true", help="small smoke run (1,000 agents, 50 skills)")
    args = parser.parse_args(argv)
    if args.quick:
        args.agents, args.skills = min(args.agents, 1_000), min(args.skills, 50)
        args.cycles, args.naive_cycles, args.lifecycles = 20_000, 500, 2_000
    console = Console(stderr=False)

    t = time.perf_counter()
    catalog = build_centre(args.agents, args.skills, args.seed)
    agents, busy = decision_world(catalog, args.busy, args.seed)
    contacts = [skill_contact(catalog, s, i + 1) for i, s in enumerate(sorted(
        {s for q in catalog.queues.values() for s in q.skills}))]
    matcher = Matcher(catalog.queues, agents, {})
    for a in agents.values():
        matcher.agent_changed(a)
    naive = NaiveMatcher(agents, {})
    check_agreement(matcher, naive, contacts, 50)
    setup_s = time.perf_counter() - t

    indexed = run_cycles(matcher.best_agent, matcher.agent_changed, contacts, busy, args.cycles, args.seed)
    check_agreement(matcher, naive, contacts, 50)
    scan = run_cycles(naive.best_agent, None, contacts, busy, args.naive_cycles, args.seed + 7)
    life = engine_lifecycles(catalog, args.busy, args.lifecycles, args.seed)

    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    table = Table(title=f"routing: {args.agents:,} agents, {args.skills} skills, {args.busy:.0%} busy")
    table.add_column("router")
    table.add_column("cycles", justify="right")
    table.add_column("cycles/s", justify="right")
    table.add_column("p50 µs", justify="right")
    table.add_column("p99 µs", justify="right")
    table.add_column("max µs", justify="right")
    table.add_column("no agent", justify="right")
    for name, r in (("indexed Matcher", indexed), ("naive linear scan", scan)):
        table.add_row(name, f"{r.cycles:,}", f"{r.per_s:,.0f}", f"{r.p50_us:.1f}", f"{r.p99_us:.1f}",
                      f"{r.max_us:.0f}", f"{r.not_found:,}")
    console.print(table)
    console.print(f"seed {args.seed}, setup {setup_s:.1f} s, load average {load:.1f} on {os.cpu_count()} CPUs "
                  "(wall clock)")
    ratio = indexed.per_s / scan.per_s
    console.print(f"indexed / naive: [bold]{ratio:,.0f}x[/bold] cycles per second")
    console.print(f"indexed Matcher per CPU second of the loop: {indexed.per_cpu_s:,.0f} cycles/s (wall clock "
                  "above: on a shared machine other jobs lower it)")
    console.print("Engine lifecycles (create_contact -> accept -> end -> wrap_up, with events):")
    console.print(f"  {life.lifecycles:,} in {life.seconds:.2f} s = [bold]{life.per_s:,.0f}/s[/bold] "
                  f"({life.events / max(1, life.lifecycles + life.unserved):.1f} events each, "
                  f"{life.unserved} unserved)")
    ok = indexed.per_s >= 150_000 and indexed.p99_us < 50
    console.print(f"targets (>= 150,000 decisions/s, p99 < 50 µs): {'met' if ok else 'MISSED'}")
    result = {
        "compiled": native.status()["compiled"],  # the mypyc core (ADR 0061); BLENDCC_PURE=1 for pure Python
        "decisions_per_s": round(indexed.per_s),
        "decisions_per_cpu_s": round(indexed.per_cpu_s),
        "p50_us": round(indexed.p50_us, 2),
        "p99_us": round(indexed.p99_us, 2),
        "naive_decisions_per_s": round(scan.per_s, 1),
        "ratio": round(ratio, 1),
        "engine_lifecycle_per_s": round(life.per_s),
    }
    sys.stdout.flush()
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
