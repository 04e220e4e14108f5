"""``queue_stats.counter_function``: adding one event straight into a counters table gives exactly the
counters ``queue_stats.fold`` gives (the simulator's collector uses it on every event)."""

from __future__ import annotations

import random

from blendcc.analytics.queue_stats import QueueCounters, counter_function, fold
from blendcc.domain import events as ev

T0 = 1_705_309_200.0


def thresholds(queue_id: str, channel: str) -> tuple[float, float]:
    return (20.0 if channel == "voice" else 60.0), (5.0 if queue_id == "q1" else 0.0)


def random_events(n: int, seed: int) -> list[ev.Event]:
    rng = random.Random(seed)
    out: list[ev.Event] = []
    for i in range(n):
        q = rng.choice(["q1", "q2"])
        ch = rng.choice(["voice", "chat"])
        at = T0 + rng.uniform(0, 7200)
        queued = at - rng.uniform(0, 1800)
        wait = rng.choice([0.0, rng.uniform(0, 90)])
        cid = f"c{i}"
        out.append(rng.choice([
            ev.ContactQueued(contact_id=cid, queue_id=q, channel=ch, step_index=0, priority=0, at=at),
            ev.ContactConnected(contact_id=cid, agent_id="a", queue_id=q, channel=ch, queued_at=queued,
                                wait_s=wait, at=at),
            ev.ContactAbandoned(contact_id=cid, queue_id=q, channel=ch, queued_at=queued, wait_s=wait, at=at),
            ev.ContactAbandoned(contact_id=cid, queue_id=None, channel=ch, queued_at=None, wait_s=0.0, at=at),
            ev.ContactTimedOut(contact_id=cid, queue_id=q, channel=ch, queued_at=queued, wait_s=wait, at=at),
            ev.ContactOverflowed(contact_id=cid, from_queue_id=q, to_queue_id="q3", channel=ch, queued_at=queued,
                                 reason="step_timeout", at=at),
            ev.ContactTransferred(contact_id=cid, from_agent_id="a", from_queue_id=q, channel=ch, queued_at=queued,
                                  to_queue_id="q3", to_agent_id=None, at=at),
            ev.WrapUpCompleted(contact_id=cid, agent_id="a", queue_id=q, channel=ch, queued_at=queued,
                               disposition=None, notes=None, talk_s=rng.uniform(0, 600), hold_s=rng.uniform(0, 60),
                               acw_s=rng.uniform(0, 30), timed_out=False, at=at),
            ev.ContactClosed(contact_id=cid, outcome="completed", at=at),  # counts nothing
            ev.AgentStateChanged(agent_id="a", state="busy", reason=None, at=at),
        ]))
    return out


def test_counter_functions_add_what_fold_adds_event_for_event() -> None:
    events = random_events(3000, seed=5)
    want: dict[tuple[float, str, str], QueueCounters] = {}
    got: dict[tuple[float, str, str], QueueCounters] = {}
    for e in events:
        fold([e], thresholds, want)
        counter_function(type(e))(got, thresholds, e)
        assert got == want  # after every event, not only at the end
    assert sum(c.offered for c in got.values()) > 0
    assert sum(c.short_abandoned for c in got.values()) > 0 and sum(c.abandoned for c in got.values()) > 0
    assert max(c.max_wait_handled_s for c in got.values()) > 0


def test_a_subclass_counts_as_its_listed_base() -> None:
    class LateQueued(ev.ContactQueued):
        pass

    e = LateQueued(contact_id="c", queue_id="q1", channel="voice", step_index=0, priority=0, at=T0)
    got: dict[tuple[float, str, str], QueueCounters] = {}
    counter_function(LateQueued)(got, thresholds, e)
    assert got == fold([e], thresholds) and next(iter(got.values())).offered == 1
