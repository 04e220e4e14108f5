"""Hypothesis properties of the lifecycle tables: no event sequence leaves a table.

Random centres are driven by random command sequences (those of ``test_properties``, plus aux forced
by a supervisor and any agent action tried on any assignment in progress). Every event the engine
emits is watched as it is applied: each change of a contact's state and of an assignment's stage must
be the step the table gives for that event; records appear only in an initial state and leave only
from an exit state. Each agent's observable states, read from its ``AgentStateChanged`` events, follow
the agent table, and after every command the live state agrees with the last logged one. Voice calls
and dial attempts are checked in ``tests/domain/test_lifecycle_tables.py``.
"""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from blendcc.domain import events as ev
from blendcc.domain.agent import AgentState
from blendcc.domain.errors import DomainError
from blendcc.domain.lifecycle.agent import AGENT
from blendcc.domain.lifecycle.assignment import ASSIGNMENT, AssignmentStage
from blendcc.domain.lifecycle.contact import CONTACT
from blendcc.routing.catalog import Catalog
from blendcc.routing.engine import Engine

from .helpers import T0
from .test_properties import PROPERTY_SETTINGS, centre_st, commands_st, run_command

_ENDED = AssignmentStage.ENDED
force_st = st.tuples(st.just("force"), st.integers(0, 7), st.sampled_from(["meeting", "coaching"]))
#: any agent action on any assignment in progress (most are refused in most stages: the table decides)
poke_st = st.tuples(st.just("poke"), st.sampled_from(["accept", "decline", "hold", "hold", "unhold", "end", "wrap",
                                                      "transfer"]), st.integers(0, 15))
extra_st = st.lists(st.one_of(force_st, poke_st, poke_st, poke_st), max_size=25)


class Watched(Engine):
    """An Engine that checks every event it applies against the contact and assignment tables."""

    def __init__(self, catalog: Catalog, now: float):
        super().__init__(catalog, now)
        self.steps: set[tuple[str, Any, Any]] = set()  # (table, from, to) seen, for coverage

    def _watch(self, event: ev.Event) -> tuple[Any, Any]:
        cid = getattr(event, "contact_id", None)
        aid = getattr(event, "agent_id", None)
        c = self.contacts.get(cid) if cid is not None else None
        agent = self.agents.get(aid) if aid is not None else None
        asg = agent.work.get(cid) if agent is not None and cid is not None else None
        return (c.state if c is not None else None), (asg.stage if asg is not None else None)

    def _emit(self, event: ev.Event) -> None:
        c_before, a_before = self._watch(event)
        super()._emit(event)
        c_after, a_after = self._watch(event)
        name = type(event).__name__
        if c_before != c_after:
            if c_before is None:
                assert c_after in CONTACT.initial, f"contact appeared as {c_after} on {name}"
            elif c_after is None:
                final = CONTACT.on[c_before].get(name, c_before)
                assert final in CONTACT.exits, f"contact left the live state from {c_before} on {name}"
            else:
                assert CONTACT.on[c_before].get(name) is c_after, f"contact {c_before} -> {c_after} on {name}"
            self.steps.add(("contact", c_before, c_after))
        if a_before != a_after:
            if a_before is None:
                assert a_after in ASSIGNMENT.initial, f"assignment appeared as {a_after} on {name}"
            elif a_after is None:
                assert ASSIGNMENT.on[a_before].get(name) is _ENDED, f"assignment ended from {a_before} on {name}"
            else:
                assert ASSIGNMENT.on[a_before].get(name) is a_after, f"assignment {a_before} -> {a_after} on {name}"
            self.steps.add(("assignment", a_before, a_after))


def run(engine: Engine, cmd: tuple[Any, ...], now: float, created: list[str]) -> list[ev.Event]:
    if cmd[0] == "force":
        agent_ids = sorted(engine.catalog.agents)
        return engine.set_status(agent_ids[cmd[1] % len(agent_ids)], "aux", now, reason=cmd[2], by="supervisor")
    if cmd[0] == "poke":
        work = sorted((a.id, cid) for a in engine.agents.values() for cid in a.work)
        if not work:
            return []
        agent_id, cid = work[cmd[2] % len(work)]
        if cmd[1] == "transfer":
            qids = sorted(engine.catalog.queues)
            return engine.transfer(cid, agent_id, now, to_queue=qids[cmd[2] % len(qids)])
        action = {"accept": engine.accept, "decline": engine.decline, "hold": engine.hold,
                  "unhold": engine.resume_contact, "end": engine.end, "wrap": engine.wrap_up}[cmd[1]]
        return action(cid, agent_id, now)
    return run_command(engine, cmd, now, created)


@PROPERTY_SETTINGS
@given(catalog=centre_st(), logged_in=st.lists(st.sampled_from([True, True, False]), min_size=6, max_size=6),
       commands=st.tuples(commands_st, extra_st, st.randoms(use_true_random=False)),
       steps=st.lists(st.sampled_from([0.0, 1.0, 3.0]), min_size=85, max_size=85))
def test_no_event_sequence_leaves_a_lifecycle_table(catalog: Catalog, logged_in: list[bool], commands: Any,
                                                     steps: list[float]) -> None:
    base, extra, rnd = commands
    sequence: list[tuple[Any, ...]] = list(base)
    for cmd in extra:  # supervisor-forced aux and agent actions at random places in the sequence
        sequence.insert(rnd.randint(0, len(sequence)), cmd)
    now = T0
    engine = Watched(catalog, now)
    created: list[str] = []
    logged: dict[str, AgentState] = {aid: AgentState.OFFLINE for aid in catalog.agents}
    for agent_id, login in zip(sorted(catalog.agents), logged_in, strict=False):
        if login:
            check_agents(engine, logged, engine.login(agent_id, now))
    for cmd, dt in zip(sequence, steps, strict=False):
        now += cmd[1] if cmd[0] == "tick" else dt
        try:
            events = run(engine, cmd, now, created)
        except DomainError:
            assert engine._take() == []
            continue
        check_agents(engine, logged, events)


def check_agents(engine: Engine, logged: dict[str, AgentState], events: list[ev.Event]) -> None:
    for e in events:
        if isinstance(e, ev.AgentStateChanged):
            new = AgentState(e.state)
            old = logged.get(e.agent_id, AgentState.OFFLINE)
            assert AGENT.allows(old, new), f"agent {e.agent_id}: {old} -> {new} is not in the table"
            logged[e.agent_id] = new
    for aid, state in logged.items():  # the observable state never disagrees with the event log
        agent = engine.agents[aid]
        assert agent.state is state, f"agent {aid} is {agent.state} but the log says {state}"
        assert agent.derived_state()[0] is state, f"agent {aid} is logged {state}, derives {agent.derived_state()}"
