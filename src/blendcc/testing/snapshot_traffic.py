"""Random routing traffic for snapshot tests and benches: a small blended centre and a seeded command generator."""

from __future__ import annotations

import random
from collections.abc import Callable

from blendcc.domain.agent import AgentConfig, Capacity
from blendcc.domain.channels import Channel
from blendcc.domain.queue import QueueConfig
from blendcc.routing import commands as cmd
from blendcc.routing.catalog import Catalog, build_catalog
from blendcc.routing.engine import Engine
from blendcc.routing.workflow import Target, Workflow

CHANNELS = ("voice", "voice", "chat", "email")
STATES = ("pending", "snoozed", "open")


def centre_docs() -> tuple[list[QueueConfig], list[AgentConfig], list[Workflow]]:
    """Two queues (timed and untimed wrap-up, maximum wait, step timeouts through a workflow), four agents."""
    queues = [QueueConfig(id="q1", wrap_up_s=20, offer_timeout_s=15, max_wait_s=900),
              QueueConfig(id="q2", wrap_up_s=None, offer_timeout_s=30)]
    blended = Capacity(limits={Channel.VOICE: 1, Channel.CHAT: 2, Channel.EMAIL: 2})
    agents = [AgentConfig(id=f"a{n}", queues=["q1", "q2"] if n % 2 else ["q1"], capacity=blended) for n in range(4)]
    workflows = [Workflow(id="main", default=[Target(queue="q1", timeout_s=40), Target(queue="q2")])]
    return queues, agents, workflows


def centre() -> Catalog:
    """The catalog of ``centre_docs``."""
    queues, agents, workflows = centre_docs()
    return build_catalog(queues, [], agents, workflows, None)


def random_command(rng: random.Random, engine: Engine, n: int) -> cmd.Command:
    """A plausible next command for ``engine`` (it may be refused: callers ignore domain errors)."""
    agents = sorted(engine.agents)
    work = [(cid, a.id, w.stage.value) for a in engine.agents.values() for cid, w in a.work.items()]
    contacts = sorted(engine.contacts)
    roll = rng.random()
    if roll < 0.25 or not contacts:
        return cmd.CreateContact(f"c{n}", rng.choice(CHANNELS), priority=rng.choice((0, 0, 1)))
    if roll < 0.35:
        aid = rng.choice(agents)
        if engine.agents[aid].logged_in:
            return cmd.SetStatus(aid, rng.choice(("available", "aux")), reason="break") if rng.random() < 0.8 \
                else cmd.LogOut(aid)
        return cmd.LogIn(aid)
    if roll < 0.7 and work:
        cid, aid, stage = rng.choice(work)
        actions: dict[str, list[Callable[[], cmd.Command]]] = {
            "reserved": [lambda: cmd.AcceptOffer(cid, aid), lambda: cmd.DeclineOffer(cid, aid)],
            "busy": [lambda: cmd.EndContact(cid, aid), lambda: cmd.HoldContact(cid, aid),
                     lambda: cmd.TransferContact(cid, aid, to_queue="q2"),
                     lambda: cmd.SetConversationState(cid, rng.choice(STATES), agent_id=aid,
                                                      until=engine.last_at + 60)],
            "held": [lambda: cmd.ResumeContact(cid, aid)],
            "wrap_up": [lambda: cmd.CompleteWrapUp(cid, aid, disposition="ok")],
        }
        options = actions.get(stage) or [cmd.Tick]
        return rng.choice(options)()
    if roll < 0.8:
        cid = rng.choice(contacts)
        return cmd.MoveContact(cid, "q2") if rng.random() < 0.5 else cmd.DisconnectCustomer(cid, if_open=True)
    return cmd.Tick()
