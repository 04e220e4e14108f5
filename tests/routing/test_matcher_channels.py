"""The Matcher keeps agent heaps only for the channels contacts have asked for: a channel asked for the
first time, after agents changed many times, still gets the strategy's best eligible agent."""

from __future__ import annotations

import random

from blendcc.domain.agent import DEFAULT_LIMITS, Capacity
from blendcc.domain.channels import Channel
from blendcc.domain.queue import QueueConfig

from .test_matcher import World

VOICE, CHAT, EMAIL = Channel.VOICE, Channel.CHAT, Channel.EMAIL
BLENDED = Capacity(limits=dict(DEFAULT_LIMITS))  # voice exclusive, 3 chats, 2 emails, ...


def test_no_agent_heap_before_a_contact_asks_for_its_channel() -> None:
    w = World(QueueConfig(id="q"))
    w.agent("a1", "q", idle=5.0, capacity=BLENDED)
    w.agent("a2", "q", idle=1.0, capacity=BLENDED)
    assert w.matcher._avail["q"] == {}  # nothing asked yet: nothing indexed
    assert w.best_agent(w.contact("v1", "q")) == "a2"
    assert set(w.matcher._avail["q"]) == {VOICE}
    assert w.best_agent(w.contact("c1", "q", channel=CHAT)) == "a2"
    assert set(w.matcher._avail["q"]) == {VOICE, CHAT}


def test_first_chat_after_agents_changed_sees_their_current_load_and_idle_time() -> None:
    w = World(QueueConfig(id="q"), QueueConfig(id="r"))
    a1 = w.agent("a1", "q", "r", idle=1.0, capacity=BLENDED)
    a2 = w.agent("a2", "q", idle=2.0, capacity=BLENDED)
    a3 = w.agent("a3", "q", idle=3.0, capacity=Capacity())  # voice only
    assert w.best_agent(w.contact("v1", "q")) == "a1"
    a1.load[VOICE] = 1  # on a call: voice is exclusive, no chat either
    w.matcher.agent_changed(a1)
    a2.idle_since = 10.0
    w.matcher.agent_changed(a2)
    assert w.best_agent(w.contact("v2", "q")) == "a3"
    # the first chat: a1 is on a call, a3 takes no chat, so a2 (idle since 10) is the only one
    assert w.best_agent(w.contact("c1", "q", channel=CHAT)) == "a2"
    assert w.best_agent(w.contact("c2", "r", channel=CHAT)) is None
    a1.load.pop(VOICE)
    w.matcher.agent_changed(a1)
    assert w.best_agent(w.contact("c3", "r", channel=CHAT)) == "a1"
    a3.load[VOICE] = 1
    w.matcher.agent_changed(a3)
    assert w.best_agent(w.contact("e1", "q", channel=EMAIL)) == "a1"


def test_random_blended_changes_agree_with_the_naive_router() -> None:
    rng = random.Random(11)
    w = World(*(QueueConfig(id=f"q{i}") for i in range(4)))
    agents = [w.agent(f"a{i}", *rng.sample([f"q{j}" for j in range(4)], rng.randint(1, 3)),
                      idle=float(i), capacity=BLENDED if i % 3 else Capacity()) for i in range(12)]
    channels = [VOICE, CHAT, EMAIL, Channel.SMS]
    for n in range(400):
        a = rng.choice(agents)
        ch = rng.choice(channels)
        if a.load.get(ch) and rng.random() < 0.5:
            a.load[ch] -= 1
            if not a.load[ch]:
                del a.load[ch]
        elif a.capacity.can_take(a.load, ch):
            a.load[ch] = a.load.get(ch, 0) + 1
        a.idle_since = 100.0 + n
        w.matcher.agent_changed(a)
        if n % 7 == 0:  # channels are asked for one by one, late
            k = min(len(channels), 1 + n // 100)
            w.best_agent(w.contact(f"c{n}", f"q{rng.randrange(4)}", channel=rng.choice(channels[:k])))


def test_an_agent_whose_queues_change_is_ranked_in_its_new_queues() -> None:
    w = World(QueueConfig(id="q"), QueueConfig(id="r"))
    a = w.agent("a1", "q", idle=1.0)
    assert w.best_agent(w.contact("v1", "q")) == "a1"
    assert w.best_agent(w.contact("v2", "r")) is None
    a.reconfigure(a.config.model_copy(update={"queues": ["r"]}))
    w.matcher.agent_changed(a)
    assert w.best_agent(w.contact("v3", "q")) is None
    assert w.best_agent(w.contact("v4", "r")) == "a1"
