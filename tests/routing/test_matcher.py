"""The indexed Matcher on hand-built records: strategies per queue, stale entries, exclusions."""

from __future__ import annotations

import pytest

from blendcc.domain.agent import AgentConfig, Capacity, Presence
from blendcc.domain.channels import Channel
from blendcc.domain.errors import ValidationFailed
from blendcc.domain.interaction import RouteStep
from blendcc.domain.lifecycle.contact import ContactState
from blendcc.domain.queue import QueueConfig
from blendcc.routing.matcher import Matcher
from blendcc.routing.naive import NaiveMatcher
from blendcc.routing.records import AgentRecord, Assignment, ContactRecord
from blendcc.routing.strategies import get_strategy, strategy_names

VOICE, CHAT = Channel.VOICE, Channel.CHAT


class World:
    def __init__(self, *queues: QueueConfig):
        self.queues = {q.id: q for q in queues}
        self.agents: dict[str, AgentRecord] = {}
        self.contacts: dict[str, ContactRecord] = {}
        self.matcher = Matcher(self.queues, self.agents, self.contacts)
        self.naive = NaiveMatcher(self.agents, self.contacts)

    def agent(self, aid: str, *queues: str, idle: float = 0.0, capacity: Capacity | None = None,
              **skills: int) -> AgentRecord:
        a = AgentRecord(AgentConfig(id=aid, queues=list(queues), skills=skills,
                                    capacity=capacity or Capacity()), idle)
        a.logged_in = True
        a.presence = Presence.AVAILABLE
        self.agents[aid] = a
        self.matcher.agent_changed(a)
        return a

    def contact(self, cid: str, queue: str, *, channel: Channel = VOICE, place: float = 0.0,
                skills: tuple[tuple[str, int], ...] | None = None, only: str | None = None) -> ContactRecord:
        q = self.queues[queue]
        c = ContactRecord(cid, channel, "inbound", 0, {}, None, 0.0, len(self.contacts) + 1)
        c.steps = (RouteStep(queue_id=queue, skills=q.skill_requirement() if skills is None else skills,
                             agent_id=only),)
        c.queue = q
        c.order_key = place
        c.state = ContactState.QUEUED
        self.contacts[cid] = c
        self.matcher.contact_waiting(c)
        return c

    def best_agent(self, c: ContactRecord) -> str | None:
        got, want = self.matcher.best_agent(c), self.naive.best_agent(c)
        assert (got and got.id) == (want and want.id)
        return got.id if got else None

    def best_contact(self, a: AgentRecord) -> str | None:
        got, want = self.matcher.best_contact(a), self.naive.best_contact(a)
        assert (got and got.id) == (want and want.id)
        return got.id if got else None


def test_each_queue_ranks_by_its_own_skills() -> None:
    w = World(QueueConfig(id="billing", skills={"billing": 1}, strategy="best_proficiency"),
              QueueConfig(id="french", skills={"french": 1}, strategy="best_proficiency"),
              QueueConfig(id="general", strategy="longest_idle"))
    w.agent("x", "billing", "french", "general", idle=5.0, billing=5, french=1)
    w.agent("y", "general", "french", "billing", idle=1.0, billing=1, french=5)
    assert w.best_agent(w.contact("c1", "billing")) == "x"
    assert w.best_agent(w.contact("c2", "french")) == "y"
    assert w.best_agent(w.contact("c3", "general")) == "y"  # idle the longest


def test_queue_independent_keys_are_shared_across_queues() -> None:
    w = World(QueueConfig(id="a", strategy="least_occupied"), QueueConfig(id="b", strategy="least_occupied"),
              QueueConfig(id="c", strategy="round_robin"))
    chat = Capacity(limits={CHAT: 4})
    busy = w.agent("busy", "a", "b", "c", idle=0.0, capacity=chat)
    w.agent("free", "a", "b", "c", idle=9.0, capacity=chat)
    busy.load[CHAT] = 2
    busy.last_offer_seq = 7
    w.matcher.agent_changed(busy)
    for q in ("a", "b"):
        assert w.best_agent(w.contact(f"in-{q}", q, channel=CHAT)) == "free"
    assert w.best_agent(w.contact("in-c", "c", channel=CHAT)) == "free"  # older last offer (0 < 7)


def test_changed_agents_leave_stale_entries_that_are_skipped() -> None:
    w = World(QueueConfig(id="q"))
    a = w.agent("a", "q", idle=1.0)
    w.agent("b", "q", idle=2.0)
    c = w.contact("c", "q")
    assert w.best_agent(c) == "a"
    a.load[VOICE] = 1
    w.matcher.agent_changed(a)
    assert w.best_agent(c) == "b"
    a.load.clear()
    a.idle_since = 3.0
    w.matcher.agent_changed(a)
    assert w.best_agent(c) == "b"
    a.presence = Presence.AUX
    w.matcher.agent_changed(a)
    w.agents["b"].logged_in = False
    w.matcher.agent_changed(w.agents["b"])
    assert w.best_agent(c) is None
    w.matcher.compact()
    assert w.best_agent(c) is None


def test_declined_skills_and_own_leg_exclude_an_agent() -> None:
    w = World(QueueConfig(id="q"))
    a = w.agent("a", "q", idle=1.0, chat=1, capacity=Capacity(limits={CHAT: 3}))
    w.agent("b", "q", idle=2.0, capacity=Capacity(limits={CHAT: 3}))
    c = w.contact("c", "q", channel=CHAT)
    assert w.best_agent(c) == "a"
    c.declined.add("a")
    assert w.best_agent(c) == "b"
    c.declined.clear()
    a.work["c"] = Assignment("c", "a", "q", CHAT, 0.0)  # wrapping up its own (transferred) part of c
    assert w.best_agent(c) == "b"
    assert w.best_contact(a) is None
    del a.work["c"]
    needs_chat = w.contact("d", "q", channel=CHAT, skills=(("chat", 1),))
    assert w.best_agent(needs_chat) == "a"
    assert w.best_agent(w.contact("e", "q", channel=CHAT, skills=(("chat", 2),))) is None
    assert w.best_agent(c) == "a"  # the entries skipped while searching went back


def test_agent_only_step() -> None:
    w = World(QueueConfig(id="q"))
    w.agent("a", "q", idle=1.0)
    b = w.agent("b", idle=2.0)  # not even a member of q
    c = w.contact("c", "q", only="b")
    assert w.best_agent(c) == "b"
    assert w.best_contact(b) == "c"
    assert w.best_contact(w.agents["a"]) is None
    c.declined.add("b")
    assert w.best_agent(c) is None
    assert w.best_agent(w.contact("d", "q", only="nobody")) is None


def test_best_contact_is_the_globally_first_in_line() -> None:
    w = World(QueueConfig(id="q1"), QueueConfig(id="q2", skills={"x": 2}))
    a = w.agent("a", "q1", "q2", x=2, capacity=Capacity(limits={VOICE: 1, CHAT: 2}))
    w.contact("late", "q1", place=10.0)
    w.contact("early", "q2", place=5.0)
    w.contact("chat", "q1", channel=CHAT, place=1.0)
    assert w.best_contact(a) == "chat"
    a.load[CHAT] = 1
    w.matcher.agent_changed(a)
    assert w.best_contact(a) == "chat"  # one more chat fits; voice does not (exclusive)
    w.matcher.contact_left(w.contacts["chat"])
    del w.contacts["chat"]
    assert w.best_contact(a) is None
    a.load.clear()
    w.matcher.agent_changed(a)
    assert w.best_contact(a) == "early"
    a.presence = Presence.AUX
    assert w.best_contact(a) is None  # not routable: nothing, like the naive matcher


def test_set_queues_rebuilds_with_new_strategies() -> None:
    w = World(QueueConfig(id="q", skills={"s": 1}))
    w.agent("old-idle", "q", idle=1.0, s=1)
    w.agent("expert", "q", idle=5.0, s=5)
    c = w.contact("c", "q")
    assert w.best_agent(c) == "old-idle"
    new = QueueConfig(id="q", skills={"s": 1}, strategy="best_proficiency")
    w.queues["q"] = new
    c.queue = new
    w.matcher.set_queues(w.queues, [c])
    assert w.best_agent(c) == "expert"
    assert w.best_contact(w.agents["expert"]) == "c"


def test_strategy_registry() -> None:
    assert strategy_names() == ["best_proficiency", "least_occupied", "longest_idle", "round_robin"]
    with pytest.raises(ValidationFailed, match="unknown strategy 'fastest'"):
        get_strategy("fastest")
    assert get_strategy("best_proficiency").uses_queue
    assert not get_strategy("longest_idle").uses_queue
    a = AgentRecord(AgentConfig(id="a", skills={"s": 3}), 0.0)
    q = QueueConfig(id="q", skills={"s": 1, "t": 1})
    keys = {name: get_strategy(name).key(a, q) for name in strategy_names()}
    assert keys["best_proficiency"] == (-3, 0.0, "a")
    assert keys["longest_idle"] == (0.0, "a")
    assert keys["least_occupied"] == (0.0, 0.0, "a")
    assert keys["round_robin"] == (0, "a")
