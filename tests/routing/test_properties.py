"""Hypothesis properties of the routing core.

Random centres (queues, agents with random skills, levels and capacities, workflows) are driven by
random command sequences; after every command the engine must keep its promises:

(a) a contact is never offered to two agents at once (from the events and from the state);
(b) no agent exceeds its channel capacity or breaks exclusivity, and load equals its legs;
(c) no waiting (queued) contact has an eligible routable agent: such a contact is offered at once;
(d) the indexed ``Matcher`` gives the same answers as ``NaiveMatcher`` for every strategy.
"""

from __future__ import annotations

import os
from collections import Counter
from dataclasses import dataclass
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from blendcc.domain import events as ev
from blendcc.domain.agent import AgentConfig, Capacity, Presence
from blendcc.domain.calendar import BusinessHours, Window
from blendcc.domain.channels import Channel
from blendcc.domain.errors import DomainError
from blendcc.domain.interaction import RouteStep
from blendcc.domain.lifecycle.contact import ContactState
from blendcc.domain.queue import QueueConfig
from blendcc.routing.catalog import Catalog, RoutingSettings, build_catalog
from blendcc.routing.engine import Engine
from blendcc.routing.matcher import Matcher
from blendcc.routing.naive import NaiveMatcher, eligible
from blendcc.routing.records import AgentRecord, ContactRecord
from blendcc.routing.strategies import strategy_names
from blendcc.routing.workflow import Filter, Relax, Target, Workflow

from .helpers import T0

SKILLS = ("s0", "s1", "s2", "s3")
STRATEGIES = ("longest_idle", "best_proficiency", "least_occupied", "round_robin")
CHANNELS = (Channel.VOICE, Channel.CHAT, Channel.EMAIL)
CAPACITIES = (
    Capacity(),  # one exclusive call
    Capacity(limits={Channel.VOICE: 1, Channel.CHAT: 3, Channel.EMAIL: 2}),
    Capacity(limits={Channel.CHAT: 2}),
    Capacity(limits={Channel.VOICE: 1, Channel.CHAT: 1}, exclusive=frozenset()),
    Capacity(limits={Channel.EMAIL: 3, Channel.CHAT: 1}, exclusive=frozenset({Channel.EMAIL})),
)
#: Open for the first five minutes after T0 (Monday 09:00 UTC), then closed.
SHORT_DAY = BusinessHours(id="cal", timezone="UTC", weekly={"mon": [Window(start="09:00", end="09:05")]})

#: Examples per property; raise BLENDCC_PROPERTY_EXAMPLES for a longer soak (the default runs in ~20 s).
EXAMPLES = int(os.environ.get("BLENDCC_PROPERTY_EXAMPLES", "500"))
PROPERTY_SETTINGS = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def test_all_strategies_are_covered() -> None:
    assert set(strategy_names()) == set(STRATEGIES)


# ------------------------------------------------------------------ random centres

skill_sets = st.dictionaries(st.sampled_from(SKILLS), st.integers(1, 3), max_size=2)
#: Requirements are often empty, so that most contacts find someone and work gets done.
light_skill_sets = st.one_of(st.just({}), st.just({}), skill_sets)


@st.composite
def queues_st(draw: st.DrawFn) -> list[QueueConfig]:
    n = draw(st.integers(1, 3))
    ids = [f"q{i}" for i in range(n)]
    out = []
    for qid in ids:
        others = [o for o in ids if o != qid]
        calendar = draw(st.sampled_from([None, None, "cal"]))
        closed_action = draw(st.sampled_from(["reject", "queue"] + (["overflow"] if others else [])))
        out.append(QueueConfig(
            id=qid,
            skills=draw(light_skill_sets),
            strategy=draw(st.sampled_from(STRATEGIES)),
            wrap_up_s=draw(st.sampled_from([0.0, 5.0, 30.0, None])),
            offer_timeout_s=draw(st.sampled_from([5.0, 20.0])),
            max_wait_s=draw(st.sampled_from([None, None, 60.0, 200.0])),
            calendar_id=calendar,
            closed_action=closed_action if calendar else "reject",
            closed_overflow_queue=draw(st.sampled_from(others)) if calendar and closed_action == "overflow" else None,
            no_agents_overflow_queue=draw(st.sampled_from([None, None, None, *others])) if others else None,
        ))
    return out


@st.composite
def target_st(draw: st.DrawFn, queue_ids: list[str]) -> Target:
    queue = draw(st.sampled_from(queue_ids))
    kind = draw(st.sampled_from(["plain", "timed", "relax", "sticky"]))
    common: dict[str, Any] = {
        "queue": queue,
        "priority": draw(st.sampled_from([None, 0, 3])),
        "skills": draw(st.one_of(st.none(), st.none(), light_skill_sets)),
    }
    if kind == "sticky":
        return Target(queue=queue, preferred_agent="last", timeout_s=draw(st.sampled_from([5.0, 30.0])),
                      priority=common["priority"])
    skip = draw(st.booleans())
    if kind == "timed":
        return Target(**common, timeout_s=draw(st.sampled_from([10.0, 45.0])), skip_if_no_agents=skip)
    if kind == "relax":
        relax = [Relax(after_s=15.0, skills=draw(skill_sets))]
        if draw(st.booleans()):
            relax.append(Relax(after_s=40.0, skills={}))
        timeout = draw(st.sampled_from([None, 90.0]))
        return Target(**common, relax=relax, timeout_s=timeout, skip_if_no_agents=skip)
    return Target(**common, skip_if_no_agents=skip)


@st.composite
def centre_st(draw: st.DrawFn) -> Catalog:
    queues = draw(queues_st())
    qids = [q.id for q in queues]
    n_agents = draw(st.integers(1, 4))
    agents = [
        AgentConfig(
            id=f"a{i}",
            skills=draw(st.dictionaries(st.sampled_from(SKILLS), st.integers(1, 5), max_size=4)),
            queues=draw(st.lists(st.sampled_from(qids), min_size=1, max_size=len(qids) + 1)),
            capacity=draw(st.sampled_from(CAPACITIES)),
        )
        for i in range(n_agents)
    ]
    default = draw(st.lists(target_st(qids), min_size=1, max_size=3))
    digital = draw(st.lists(target_st(qids), min_size=1, max_size=2))
    workflow = Workflow(id="main", default=default, filters=[
        Filter(name="digital", expression="channel != 'voice'", targets=digital),
        Filter(name="vip", expression="attr.vip == True and is_open('cal')", targets=[Target(queue=qids[-1])]),
    ])
    settings_ = RoutingSettings(priority_head_start_s=draw(st.sampled_from([0.0, 30.0, 1e6])),
                                transfer_to_agent_timeout_s=draw(st.sampled_from([5.0, 30.0])))
    return build_catalog(queues, [SHORT_DAY], agents, [workflow], settings_)


# ------------------------------------------------------------------ random commands

create_st = st.tuples(st.just("create"), st.sampled_from([*CHANNELS, Channel.VOICE, Channel.CHAT]),
                      st.integers(0, 5), st.integers(-1, 7),
                      st.booleans())
leg_op_st = st.tuples(st.sampled_from(["accept", "accept", "accept", "decline", "hold", "unhold", "end", "end",
                                       "wrap", "wrap"]),
                      st.integers(0, 15), st.integers(0, 3))
tick_st = st.tuples(st.just("tick"), st.sampled_from([1.0, 5.0, 15.0, 30.0, 100.0]))
#: "aux!" is aux without a reason code: always refused.
status_st = st.tuples(st.just("status"), st.integers(0, 7),
                      st.sampled_from(["available", "available", "aux", "aux!"]))
#: "work": the natural next step for some leg in progress (accept, end or wrap up).
work_st = st.tuples(st.just("work"), st.integers(0, 15))
commands_st = st.lists(
    st.one_of(
        create_st, create_st, create_st, create_st,
        work_st, work_st, work_st, work_st,
        leg_op_st, leg_op_st, leg_op_st,
        tick_st, tick_st,
        status_st, status_st, status_st,
        st.tuples(st.just("login"), st.integers(0, 7), st.sampled_from(["available", "aux", "aux!"])),
        st.tuples(st.just("logout"), st.integers(0, 7), st.booleans()),
        st.tuples(st.just("transfer"), st.integers(0, 15), st.integers(-4, 7)),
        st.tuples(st.just("left"), st.integers(0, 30)),
        st.tuples(st.just("move"), st.integers(0, 30), st.integers(0, 3)),
    ),
    min_size=10,
    max_size=60,
)


@dataclass
class Checker:
    engine: Engine
    outstanding: dict[str, str]  # contact -> agent it is on offer to, from the events alone

    def events(self, events: list[ev.Event]) -> None:
        for e in events:
            if isinstance(e, ev.ContactOffered):
                assert e.contact_id not in self.outstanding, (
                    f"{e.contact_id} offered to {e.agent_id} while on offer to {self.outstanding[e.contact_id]}")
                self.outstanding[e.contact_id] = e.agent_id
            elif isinstance(e, ev.OfferRevoked | ev.ContactConnected):
                assert self.outstanding.pop(e.contact_id, None) == e.agent_id
            elif isinstance(e, ev.ContactClosed | ev.ContactAbandoned | ev.ContactTimedOut | ev.ContactRejected):
                assert e.contact_id not in self.outstanding, f"{e.contact_id} ended while still on offer"

    def state(self) -> None:
        engine = self.engine
        contacts = engine.contacts
        offered_in_state = {c.id: c.agent_id for c in contacts.values() if c.state is ContactState.OFFERED}
        assert offered_in_state == self.outstanding
        reserved_by: dict[str, str] = {}
        for agent in engine.agents.values():
            # (b) capacity, exclusivity and load recomputed from the legs
            legs = Counter(leg.channel for leg in agent.work.values())
            assert agent.load == {ch: n for ch, n in legs.items() if n}, (agent.id, agent.load, legs)
            cap = agent.capacity
            for ch, n in agent.load.items():
                assert n <= cap.limits.get(ch, 0), f"{agent.id} has {n} {ch} > {cap.limits}"
            busy_channels = [ch for ch, n in agent.load.items() if n]
            if any(ch in cap.exclusive for ch in busy_channels):
                assert len(busy_channels) == 1, f"{agent.id} breaks exclusivity: {agent.load}"
            if not agent.logged_in:
                assert agent.work == {}, f"{agent.id} logged out with work {list(agent.work)}"
            assert (agent.state, agent.state_reason) == agent.derived_state()
            # (a) in state: each contact is in at most one agent's reserved legs
            for cid, leg in agent.work.items():
                assert leg.contact_id == cid and leg.agent_id == agent.id
                if leg.stage == "reserved":
                    assert cid not in reserved_by, f"{cid} reserved by {reserved_by[cid]} and {agent.id}"
                    reserved_by[cid] = agent.id
        assert reserved_by == offered_in_state
        # (c) nobody eligible is left idle beside a waiting contact
        agents = list(engine.agents.values())
        for c in contacts.values():
            if c.state is ContactState.QUEUED:
                idle = [a.id for a in agents if eligible(a, c)]
                assert not idle, f"{c.id} waits in {c.queue.id} while {idle} could take it"
        # (d) on live engine states as well
        queued = {c.id: c for c in contacts.values() if c.state is ContactState.QUEUED}
        naive = NaiveMatcher(engine.agents, queued)
        for a in agents:
            got, want = engine.matcher.best_contact(a), naive.best_contact(a)
            assert (got.id if got else None) == (want.id if want else None)


#: The leg stages a command usually applies to (other stages are tried too, and must be refused).
STAGES = {
    "accept": ("reserved",), "decline": ("reserved",), "hold": ("busy",), "unhold": ("held",),
    "end": ("busy", "held"), "wrap": ("wrap_up", "busy"), "transfer": ("busy", "held"),
}


def pick_leg(engine: Engine, kind: str, index: int, agent_ids: list[str]) -> tuple[str, str]:
    """(agent, contact) of an agent leg in progress, preferring stages where ``kind`` applies."""
    legs = sorted((a.id, cid, leg.stage) for a in engine.agents.values() for cid, leg in a.work.items())
    fitting = [leg for leg in legs if leg[2] in STAGES[kind]]
    pool = fitting if fitting and index % 5 else legs
    if not pool:
        return agent_ids[index % len(agent_ids)], f"c{index}"
    agent_id, cid, _ = pool[index % len(pool)]
    return agent_id, cid


def run_command(engine: Engine, cmd: tuple[Any, ...], now: float, created: list[str]) -> list[ev.Event]:
    kind = cmd[0]
    agent_ids = sorted(engine.catalog.agents)
    qids = sorted(engine.catalog.queues)

    def aid(i: int) -> str:
        return agent_ids[i % len(agent_ids)]

    if kind == "create":
        _, channel, priority, sticky, vip = cmd
        cid = f"c{len(created)}"
        created.append(cid)
        return engine.create_contact(cid, channel.value, now, priority=priority,
                                     last_agent_id=aid(sticky) if sticky >= 0 else None,
                                     attributes={"vip": vip})
    if kind == "login":
        return engine.login(aid(cmd[1]), now, status=cmd[2].rstrip("!"), reason="break" if cmd[2] == "aux" else None)
    if kind == "logout":
        return engine.logout(aid(cmd[1]), now, force=cmd[2])
    if kind == "status":
        return engine.set_status(aid(cmd[1]), cmd[2].rstrip("!"), now, reason="break" if cmd[2] == "aux" else None)
    if kind == "tick":
        return engine.tick(now)
    if kind == "left":
        if not created:
            return []
        return engine.customer_left(created[cmd[1] % len(created)], now)
    if kind == "move":
        if not created:
            return []
        return engine.move(created[cmd[1] % len(created)], qids[cmd[2] % len(qids)], now)
    if kind == "work":
        legs = sorted((a.id, cid, leg.stage) for a in engine.agents.values() for cid, leg in a.work.items())
        if not legs:
            return []
        agent_id, cid, stage = legs[cmd[1] % len(legs)]
        step = {"reserved": engine.accept, "busy": engine.end, "held": engine.resume_contact,
                "wrap_up": engine.wrap_up}[stage]
        return step(cid, agent_id, now)
    agent_id, cid = pick_leg(engine, kind, cmd[1], agent_ids)
    if kind != "transfer" and cmd[2] == 3:
        agent_id = aid(cmd[1] + 1)  # sometimes the wrong agent: must be refused
    if kind == "transfer":
        target = cmd[2]
        if target < 0:
            return engine.transfer(cid, agent_id, now, to_queue=qids[-target % len(qids)])
        return engine.transfer(cid, agent_id, now, to_agent=aid(target))
    action = {
        "accept": engine.accept, "decline": engine.decline, "hold": engine.hold,
        "unhold": engine.resume_contact, "end": engine.end, "wrap": engine.wrap_up,
    }[kind]
    return action(cid, agent_id, now)


@PROPERTY_SETTINGS
@given(catalog=centre_st(), logged_in=st.lists(st.sampled_from([True, True, False]), min_size=6, max_size=6),
       commands=commands_st,
       steps=st.lists(st.sampled_from([0.0, 1.0, 3.0]), min_size=60, max_size=60))
def test_engine_invariants_hold_after_every_command(catalog: Catalog, logged_in: list[bool],
                                                    commands: list[tuple[Any, ...]], steps: list[float]) -> None:
    now = T0
    engine = Engine(catalog, now)
    checker = Checker(engine, {})
    created: list[str] = []
    log: list[ev.Event] = []
    for agent_id, login in zip(sorted(catalog.agents), logged_in, strict=False):
        if login:
            events = engine.login(agent_id, now)
            log.extend(events)
            checker.events(events)
    checker.state()
    for cmd, dt in zip(commands, steps, strict=False):
        now += cmd[1] if cmd[0] == "tick" else dt
        try:
            events = run_command(engine, cmd, now, created)
        except DomainError:
            events = engine._take()  # a refused command must not have half-emitted anything
            assert events == [], f"{cmd} raised after emitting {[e.type for e in events]}"
            continue
        for e in events:
            assert e.at <= now
        log.extend(events)
        checker.events(events)
        checker.state()
    # and a restart from the log rebuilds the same waiting contacts and agent states
    fresh = Engine(catalog, T0)
    fresh.replay(log)
    assert {c.id: (c.state, c.queue.id, c.agent_id) for c in fresh.waiting()} == {
        c.id: (c.state, c.queue.id, c.agent_id) for c in engine.waiting()}
    assert {a.id: (a.state, a.state_reason, a.load) for a in fresh.agents.values()} == {
        a.id: (a.state, a.state_reason, a.load) for a in engine.agents.values()}


# ------------------------------------------------------------------ (d) Matcher == NaiveMatcher


@st.composite
def matcher_world_st(draw: st.DrawFn) -> dict[str, Any]:
    # one strategy everywhere (every strategy in turn), or a mix of strategies across queues
    strategy = draw(st.sampled_from(STRATEGIES))
    mixed = draw(st.booleans())
    n_q = draw(st.integers(1, 3))
    queues = {
        f"q{i}": QueueConfig(id=f"q{i}", skills=draw(skill_sets),
                             strategy=draw(st.sampled_from(STRATEGIES)) if mixed else strategy)
        for i in range(n_q)
    }
    n_agents = draw(st.integers(1, 8))
    n_contacts = draw(st.integers(1, 10))
    agent_specs = [
        {
            "skills": draw(st.dictionaries(st.sampled_from(SKILLS), st.integers(1, 5), max_size=4)),
            "queues": draw(st.lists(st.sampled_from(sorted(queues)), max_size=n_q + 1)),
            "capacity": draw(st.sampled_from(CAPACITIES)),
        }
        for _ in range(n_agents)
    ]
    contact_specs = [
        {
            "channel": draw(st.sampled_from(CHANNELS)),
            "queue": draw(st.sampled_from(sorted(queues))),
            "requirement": tuple(sorted(draw(skill_sets).items())),
            "only": draw(st.one_of(st.none(), st.none(), st.integers(0, n_agents))),
            "order_key": draw(st.sampled_from([0.0, 5.0, 5.0, -30.0, 12.5])),
        }
        for _ in range(n_contacts)
    ]
    mutations = draw(st.lists(st.tuples(
        st.sampled_from(["presence", "login", "offer", "release", "idle", "decline", "leave", "wait", "compact",
                         "hold_leg"]),
        st.integers(0, n_agents - 1), st.integers(0, n_contacts - 1), st.sampled_from([0.0, 1.0, 2.0, 7.0]),
    ), max_size=30))
    return {"queues": queues, "agents": agent_specs, "contacts": contact_specs, "mutations": mutations,
            "strategy": "mixed" if mixed else strategy}


def compare(matcher: Matcher, naive: NaiveMatcher, agents: dict[str, AgentRecord],
            waiting: dict[str, ContactRecord]) -> None:
    for c in list(waiting.values()):
        got, want = matcher.best_agent(c), naive.best_agent(c)
        assert (got.id if got else None) == (want.id if want else None), f"best_agent({c.id})"
    for a in agents.values():
        got_c, want_c = matcher.best_contact(a), naive.best_contact(a)
        assert (got_c.id if got_c else None) == (want_c.id if want_c else None), f"best_contact({a.id})"


@PROPERTY_SETTINGS
@given(world=matcher_world_st())
def test_matcher_agrees_with_naive_matcher(world: dict[str, Any]) -> None:
    queues: dict[str, QueueConfig] = world["queues"]  # agents may list a queue twice: harmless
    agents: dict[str, AgentRecord] = {}
    for i, spec in enumerate(world["agents"]):
        a = AgentRecord(AgentConfig(id=f"a{i}", skills=spec["skills"], queues=spec["queues"],
                                    capacity=spec["capacity"]), now=float(i % 3))
        a.logged_in = True
        a.presence = Presence.AVAILABLE
        a.last_offer_seq = (i * 7) % 5
        agents[a.id] = a
    contacts: dict[str, ContactRecord] = {}
    waiting: dict[str, ContactRecord] = {}
    for j, spec in enumerate(world["contacts"]):
        c = ContactRecord(f"c{j}", spec["channel"], "inbound", 0, {}, None, 0.0, seq=j + 1)
        only = spec["only"]
        c.steps = (RouteStep(queue_id=spec["queue"], skills=spec["requirement"],
                             agent_id=None if only is None else f"a{only}"),)  # a{n_agents}: unknown agent
        c.queue = queues[spec["queue"]]
        c.order_key = spec["order_key"]
        c.state = ContactState.QUEUED
        contacts[c.id] = c
        waiting[c.id] = c
    matcher = Matcher(queues, agents, contacts)
    naive = NaiveMatcher(agents, waiting)
    for a in agents.values():
        matcher.agent_changed(a)
    for c in waiting.values():
        matcher.contact_waiting(c)
    compare(matcher, naive, agents, waiting)
    seq = 100
    for kind, ai, ci, value in world["mutations"]:
        a = agents[f"a{ai}"]
        c = contacts[f"c{ci}"]
        if kind == "presence":
            a.presence = Presence.AUX if a.presence is Presence.AVAILABLE else Presence.AVAILABLE
            matcher.agent_changed(a)
        elif kind == "login":
            a.logged_in = not a.logged_in
            matcher.agent_changed(a)
        elif kind == "offer":  # one more contact of the channel in work (may be outside capacity: both check)
            a.load[c.channel] = a.load.get(c.channel, 0) + 1
            seq += 1
            a.last_offer_seq = seq
            a.idle_since = value
            matcher.agent_changed(a)
        elif kind == "release":
            if a.load:
                ch = sorted(a.load)[0]
                a.load[ch] -= 1
                if a.load[ch] == 0:
                    del a.load[ch]
            a.idle_since = value
            matcher.agent_changed(a)
        elif kind == "idle":
            a.idle_since = value
            matcher.agent_changed(a)
        elif kind == "hold_leg":  # the agent keeps a leg of this contact (e.g. wrapping up a transfer)
            if c.id in a.work:
                del a.work[c.id]
            else:
                a.work[c.id] = None  # type: ignore[assignment]  # only membership matters here
            matcher.agent_changed(a)
        elif kind == "decline":
            c.declined.add(a.id)
        elif kind == "leave":
            waiting.pop(c.id, None)
            matcher.contact_left(c)
        elif kind == "wait":  # (re)enter the line with a new place
            c.order_key = value
            waiting[c.id] = c
            matcher.contact_waiting(c)
        elif kind == "compact":
            matcher.compact()
        compare(matcher, naive, agents, waiting)
