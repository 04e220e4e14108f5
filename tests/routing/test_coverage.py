"""Who could ever take what: configuration warnings per queue/channel, the reason a waiting contact has nobody,
and the no-agent overflow that now counts channel capacity."""

from __future__ import annotations

from blendcc.domain import events as ev
from blendcc.domain.agent import AgentConfig, Capacity, default_capacity
from blendcc.domain.channels import Channel
from blendcc.routing.coverage import unroutable, why_waiting
from blendcc.routing.workflow import Relax, Target

from .helpers import CHAT_3_EMAIL_2, VOICE_ONLY, Sim, agent, catalog, of, queue, workflow


def warnings(cat: object) -> dict[tuple[str, str], str]:
    return {(w.queue_id, w.channel): w.reason for w in unroutable(cat)}  # type: ignore[arg-type]


def test_an_agent_configured_without_capacity_takes_every_channel_voice_alone() -> None:
    cap = AgentConfig(id="ann").capacity
    assert cap == default_capacity()
    assert {ch: cap.limits.get(ch, 0) for ch in Channel} == {Channel.VOICE: 1, Channel.CHAT: 3, Channel.EMAIL: 2,
                                                             Channel.SMS: 3, Channel.SOCIAL: 3}
    assert cap.can_take({Channel.CHAT: 2, Channel.EMAIL: 1}, Channel.CHAT)
    assert not cap.can_take({Channel.CHAT: 1}, Channel.VOICE)
    assert Capacity().limits == {Channel.VOICE: 1}  # an explicit capacity is what it says


def test_voice_only_agents_leave_every_digital_channel_unroutable() -> None:
    cat = catalog([queue("support")], [agent("a1", "support", capacity=VOICE_ONLY)])
    found = warnings(cat)
    assert set(found) == {("support", ch) for ch in ("chat", "email", "sms", "social")}
    assert found[("support", "chat")] == "no configured agent of queue support has chat capacity"
    assert warnings(catalog([queue("support")], [agent("a1", "support")
                                                 .model_copy(update={"capacity": default_capacity()})])) == {}


def test_skills_membership_relaxation_and_workflow_channels() -> None:
    q = [queue("chat", skills={"spanish": 3}), queue("voice"), queue("nobody")]
    agents = [agent("a1", "chat", "voice", skills={"spanish": 2}, capacity=CHAT_3_EMAIL_2)]
    flows = [workflow(Target(queue="chat"), wid="chat").model_copy(update={"channels": ["chat"]}),
             workflow(Target(queue="voice"), Target(queue="nobody"), wid="rest")]
    found = warnings(catalog(q, agents, workflows=flows))
    assert found[("chat", "chat")] == "no configured agent of queue chat with chat capacity has the skills spanish>=3"
    assert ("chat", "email") not in found  # only chats are routed to the chat queue
    assert found[("nobody", "voice")] == "no configured agent is a member of queue nobody"
    assert ("voice", "chat") not in found  # chats never reach the catch-all workflow
    assert found[("voice", "sms")] == "no configured agent of queue voice has sms capacity"
    relaxed = Target(queue="chat", relax=[Relax(after_s=30, skills={"spanish": 1})])
    flows[0] = workflow(relaxed, wid="chat").model_copy(update={"channels": ["chat"]})
    assert ("chat", "chat") not in warnings(catalog(q, agents, workflows=flows))


def test_a_waiting_chat_says_why_and_overflows_when_the_queue_has_a_target() -> None:
    cat = catalog([queue("support"), queue("digital")],
                  [agent("a1", "support", capacity=VOICE_ONLY), agent("a2", "digital", capacity=CHAT_3_EMAIL_2)])
    sim = Sim(cat)
    sim.login("a1", 0)
    sim.create("c1", 1, channel="chat")
    c = sim.engine.contacts["c1"]
    assert c.state.value == "queued"
    assert why_waiting(c, sim.engine.agents) == "no logged-in agent of queue support has chat capacity"
    sim.create("v1", 2, channel="voice")
    assert why_waiting(sim.engine.contacts["v1"], sim.engine.agents) is None

    with_overflow = catalog([queue("support", no_agents_overflow_queue="digital"), queue("digital")],
                            [agent("a1", "support", capacity=VOICE_ONLY),
                             agent("a2", "digital", capacity=CHAT_3_EMAIL_2)])
    sim = Sim(with_overflow)
    sim.login("a1", 0)
    sim.login("a2", 0)
    out = sim.create("c1", 1, channel="chat")
    assert [e.queue_id for e in of(out, ev.ContactQueued)] == ["digital"]  # rerouted on arrival
    assert sim.offered_to("c1") == "a2"


def test_a_waiting_chat_overflows_when_the_last_agent_with_chat_capacity_logs_out() -> None:
    cat = catalog([queue("support", no_agents_overflow_queue="digital"), queue("digital")],
                  [agent("a1", "support", capacity=CHAT_3_EMAIL_2), agent("a0", "support", capacity=VOICE_ONLY),
                   agent("a2", "digital", capacity=CHAT_3_EMAIL_2)])
    sim = Sim(cat)
    sim.login("a0", 0)
    sim.login("a1", 0, status="aux", reason="break")
    sim.login("a2", 0, status="aux", reason="break")
    sim.create("c1", 1, channel="chat")
    assert sim.engine.contacts["c1"].queue.id == "support"  # a1 could take it after the break
    out = sim.logout("a1", 10)
    assert [(e.from_queue_id, e.to_queue_id) for e in of(out, ev.ContactOverflowed)] == [("support", "digital")]


def test_why_waiting_reads_the_engines_logged_in_index_the_same_way() -> None:
    cat = catalog([queue("support", skills={"tech": 2})],
                  [agent("a1", "support", skills={"tech": 1}, capacity=CHAT_3_EMAIL_2),
                   agent("a2", "support", capacity=VOICE_ONLY)])
    sim = Sim(cat)
    sim.create("c1", 1, channel="chat")
    c, eng = sim.engine.contacts["c1"], sim.engine
    assert why_waiting(c, eng.agents, eng.members_on) == why_waiting(c, eng.agents) == (
        "no logged-in agent is a member of queue support")
    sim.login("a2", 2)
    assert why_waiting(c, eng.agents, eng.members_on) == "no logged-in agent of queue support has chat capacity"
    sim.login("a1", 3)
    assert why_waiting(c, eng.agents, eng.members_on) == (
        "no logged-in agent of queue support with chat capacity has the skills tech>=2")
