"""The demo centre: seeded once, valid, and its routing workflow sends each kind of demo contact where intended."""

from __future__ import annotations

import random
from typing import Any

import pytest

from blendcc.app.acd.contacts import NewContact
from blendcc.demo.seed import centre, desktop_agents, gold_numbers, seed_demo
from blendcc.demo.traffic import new_arrival


@pytest.fixture
def seeded(sqlite_url: str, clock: Any, containers: Any) -> Any:
    container = containers(sqlite_url, clock)
    assert seed_demo(container) is True
    return container


def test_seed_creates_the_centre_once(seeded: Any) -> None:
    assert {q.id for q in seeded.config.list("queues")} == {"billing", "tech", "sales", "vip", "chat-support", "desk"}
    assert len(seeded.config.list("agents")) == 12
    assert all(q.closed_action == "queue" for q in seeded.config.list("queues"))  # demo works out of hours
    chat_agents = [a for a in seeded.config.list("agents") if a.capacity.limits.get("chat") == 3]
    assert len(chat_agents) == 3
    users = {u.username: u for u in seeded.auth.users.list()}
    assert users["super"].role == "supervisor"
    assert {u.agent_id for u in users.values() if u.role == "agent"} == {a["id"] for a in centre()["agents"]}
    versions = [len(seeded.config.history("queues", "billing"))]
    assert seed_demo(seeded) is False
    assert [len(seeded.config.history("queues", "billing"))] == versions


@pytest.mark.parametrize(("body", "filter_name", "queue"), [
    ({"channel": "voice", "caller_id": "+447700900111", "dialled_number": "+442079460999"}, "desk line", "desk"),
    ({"channel": "chat", "caller_id": "visitor-1", "text": "my router is broken"}, "chat", "chat-support"),
    ({"channel": "voice", "caller_id": "GOLD", "ivr": {"menu": "3"}}, "gold customers", "vip"),
    ({"channel": "email", "caller_id": "amy1@example.com", "subject": "Router broken again"},
     "something is broken", "tech"),
    ({"channel": "voice", "caller_id": "+44 20 7946 0201", "language": "fr", "ivr": {"menu": "3"}},
     "french speakers", "billing"),
    ({"channel": "voice", "caller_id": "+44 20 7946 0202", "ivr": {"menu": "1"}}, "ivr billing", "billing"),
    ({"channel": "voice", "caller_id": "+44 20 7946 0203", "ivr": {"menu": "2"}}, "ivr tech", "tech"),
    ({"channel": "voice", "caller_id": "+44 20 7946 0204", "ivr": {"menu": "3"}}, "default", "sales"),
    ({"channel": "sms", "caller_id": "+447700900201", "text": "What is my balance please"}, "sms", "chat-support"),
])
def test_workflow_routes_demo_contacts(seeded: Any, body: dict[str, Any], filter_name: str, queue: str) -> None:
    if body["caller_id"] == "GOLD":
        body = {**body, "caller_id": gold_numbers()[0]}
    result = seeded.contacts.create(NewContact(**body))
    assert result["queue_id"] == queue
    assert seeded.contacts.get(result["contact_id"])["filter_name"] == filter_name


def test_arrivals_are_valid_and_reproducible() -> None:
    r1, r2 = random.Random(5), random.Random(5)
    assert [new_arrival(r1) for _ in range(50)] == [new_arrival(r2) for _ in range(50)]
    rng = random.Random(42)
    arrivals = [new_arrival(rng) for _ in range(400)]
    channels = {a.body["channel"] for a in arrivals}
    assert channels == {"voice", "chat", "email", "sms"}
    for a in arrivals:
        NewContact(**a.body)  # every generated body is accepted by the API schema
        assert (a.patience_s is None) == (a.body["channel"] in ("email", "sms"))  # asynchronous: nobody hangs up
    callers = [a.body["caller_id"] for a in arrivals]
    assert len(set(callers)) < len(callers), "the caller pool should produce repeat customers"


def test_desktop_agents_and_the_preview_campaign(seeded: Any) -> None:
    """Two agents are left to a person at /desktop; the preview campaign is seeded, listed and running."""
    people = desktop_agents()
    assert people == ["maria", "reza"]
    agents = {a.id: a for a in seeded.config.list("agents")}
    assert set(people) <= set(agents)
    assert agents["maria"].capacity.limits["voice"] == 1 and agents["maria"].capacity.limits["chat"] == 2
    users = {u.username: u for u in seeded.auth.users.list()}
    assert all(users[p].role == "agent" and users[p].agent_id == p for p in people)
    assert seeded.campaigns is not None
    campaign = seeded.campaigns.get("renewals")
    assert campaign.mode == "preview" and campaign.queue_id == "billing"
    assert seeded.campaigns.state("renewals") == "running"
    assert [i.to_dict()["accepted"] for i in seeded.campaigns.imports("renewals")] == [8]
