"""The scenarios run both compiled and pure (test_compiled_equivalence.py): prints one JSON object."""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path
from typing import Any

import yaml

import blendcc
from blendcc import native
from blendcc.domain import events as ev
from blendcc.domain.agent import AgentConfig, Presence
from blendcc.domain.interaction import InteractionState, RouteStep
from blendcc.domain.queue import QueueConfig
from blendcc.routing.catalog import build_catalog
from blendcc.routing.engine import Engine
from blendcc.routing.matcher import Matcher
from blendcc.routing.records import AgentRecord, ContactRecord
from blendcc.routing.workflow import Target, Workflow
from blendcc.sim.centre import SimCentre
from blendcc.sim.scenario import parse_scenario

EXAMPLES = Path(blendcc.__file__).parent / "sim" / "examples"
T0 = 1_767_600_000.0


def erlang_doc(n: int) -> dict[str, Any]:
    """bench/sim.py's Erlang-A model, smaller; wrap-up and short abandons on so that every fold works."""
    return {
        "name": "erlang-a", "duration_s": 10 * n / 0.5, "report_interval_s": 900,
        "centre": {"queues": [{"id": "q", "wrap_up_s": 5, "short_abandon_s": 5, "sl_threshold_s": 20}],
                   "workflows": [{"id": "w", "default": [{"queue": "q"}]}]},
        "agents": [{"name": "a", "count": 12, "queues": ["q"]}],
        "arrivals": [{"name": "c", "process": {"kind": "poisson", "rate_per_s": 0.07, "max_arrivals": n},
                      "handle": {"dist": "exponential", "mean_s": 160},
                      "patience": {"dist": "exponential", "mean_s": 120}}],
    }


def sim_run(doc: dict[str, Any], seed: int) -> list[str]:
    """Every event in order, then the KPI rows and the per-agent KPIs, as reprs (1 and 1.0 differ)."""
    centre = SimCentre(parse_scenario(doc), seed=seed)
    log: list[ev.Event] = []
    centre.observers.append(log.extend)
    result = centre.run()
    out = [repr(e) for e in log]
    out += [f"row {key!r}: {value!r}" for key, value in sorted(result.rows.items(), key=repr)]
    out += [f"agent {key}: {value!r}" for key, value in sorted(result.agents.items())]
    out.append(f"counts {result.arrivals} {result.finished} {result.open_at_end} {result.events} {result.sim_end!r}")
    return out


def centre(n_agents: int, n_skills: int, seed: int) -> Any:
    rng = random.Random(seed)
    skills = [f"s{i}" for i in range(n_skills)]
    queues = [QueueConfig(id=f"q-{s}", skills={s: 1}, wrap_up_s=None) for s in skills]
    agents = []
    for i in range(n_agents):
        mine = rng.sample(skills, rng.randint(2, 5))
        agents.append(AgentConfig(id=f"a{i}", skills={s: rng.randint(1, 5) for s in mine},
                                  queues=[f"q-{s}" for s in mine]))
    workflows = [Workflow(id=f"w-{s}", default=[Target(queue=f"q-{s}")]) for s in skills]
    return build_catalog(queues, [], agents, workflows)


def routing_run(seed: int) -> list[str]:
    """Engine lifecycles (every event), then bench/routing.py's matcher cycle (every decision)."""
    catalog = centre(300, 30, seed)
    rng = random.Random(seed)
    skills = sorted({s for q in catalog.queues.values() for s in q.skills})
    now = T0
    engine = Engine(catalog, now)
    out: list[ev.Event] = []
    for agent_id in catalog.agents:
        out += engine.login(agent_id, now)
    open_calls: list[tuple[str, str]] = []
    for i in range(3000):
        now += rng.random() * 2
        cid = f"c{i}"
        out += engine.create_contact(cid, "voice", now, workflow_id=f"w-{rng.choice(skills)}")
        agent_id = engine.contacts[cid].agent_id
        if agent_id is None:
            if rng.random() < 0.3:
                out += engine.customer_left(cid, now)
        else:
            out += engine.accept(cid, agent_id, now + 0.5)
            open_calls.append((cid, agent_id))
        while open_calls and (len(open_calls) > 200 or rng.random() < 0.5):
            cid, agent_id = open_calls.pop(rng.randrange(len(open_calls)))
            out += engine.end(cid, agent_id, now + 1)
            out += engine.wrap_up(cid, agent_id, now + 1.5, disposition="done")
        out += engine.tick(now + 2)
    lines = [repr(e) for e in out]
    agents: dict[str, AgentRecord] = {}
    for i, config in enumerate(catalog.agents.values()):
        a = AgentRecord(config, T0 - 3600 + i * 1e-3)
        a.logged_in = True
        a.presence = Presence.AVAILABLE
        agents[a.id] = a
    matcher = Matcher(catalog.queues, agents, {})
    contacts = []
    for n, skill in enumerate(skills):
        queue = catalog.queues[f"q-{skill}"]
        c = ContactRecord(f"m-{skill}", "voice", "inbound", 0, {}, None, T0, n)
        c.steps = (RouteStep(queue_id=queue.id, skills=queue.skill_requirement()),)
        c.queue = queue
        c.state = InteractionState.QUEUED
        contacts.append(c)
    busy: list[AgentRecord] = []
    for i in range(20000):
        agent = matcher.best_agent(contacts[rng.randrange(len(contacts))])
        lines.append(f"decision {i} {agent.id if agent else None}")
        if agent is not None:
            agent.load["voice"] = agent.load.get("voice", 0) + 1
            agent.idle_since = T0 + i
            matcher.agent_changed(agent)
            busy.append(agent)
        if busy and (len(busy) > 250 or rng.random() < 0.4):
            freed = busy.pop(rng.randrange(len(busy)))
            freed.load.pop("voice", None)
            freed.idle_since = T0 + i
            matcher.agent_changed(freed)
    return lines


def main() -> None:
    runs = {
        "erlang": sim_run(erlang_doc(3000), 7),
        "multi_skill": sim_run(yaml.safe_load((EXAMPLES / "multi_skill.yaml").read_text()), 3),
        "two_queues": sim_run(yaml.safe_load((EXAMPLES / "two_queues.yaml").read_text()), 5),
        "routing": routing_run(11),
    }
    json.dump({"native": native.status(), "runs": runs}, sys.stdout)


if __name__ == "__main__":
    main()
