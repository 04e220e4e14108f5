"""A failing event-store append: the client gets 503, and the live state stays equal to what is stored
(the command is not half-applied): nothing is acknowledged that is not durable."""

from __future__ import annotations

from typing import Any

import pytest

from .test_restart import fingerprint, stored_fingerprint


class Outage:
    """Makes ``store.append`` fail while ``down`` is set."""

    def __init__(self, store: Any, monkeypatch: pytest.MonkeyPatch):
        self.down = False
        self.calls = 0
        real = store.append

        def append(events: Any) -> list[int]:
            self.calls += 1
            if self.down:
                raise OSError("disk on fire")
            result: list[int] = real(events)
            return result

        monkeypatch.setattr(store, "append", append)


@pytest.fixture
def outage(centre: Any, monkeypatch: pytest.MonkeyPatch) -> Outage:
    return Outage(centre.container.store, monkeypatch)


def assert_unavailable(api: Any, method: str, path: str, user: str, **kw: Any) -> None:
    body = api.error(method, path, 503, user=user, **kw)
    assert body == {"error": "unavailable", "detail": "the event store is unavailable; the command was not applied"}


def test_failed_commands_are_not_applied(centre: Any, outage: Outage) -> None:
    centre.agent_login("a1")
    centre.agent_login("a2")
    offered = centre.new_contact(contact_id="c1")
    assert offered["offered_to"] == "a1"
    stored = stored_fingerprint(centre.container)
    assert fingerprint(centre.container) == stored
    seq = centre.container.runtime.last_seq

    outage.down = True
    # a new contact would be offered to a2 at once: neither the contact nor the offer may remain
    assert_unavailable(centre, "POST", "/api/contacts", "sup", json={"channel": "voice", "contact_id": "c2"})
    # accepting the offer: a1 stays reserved
    assert_unavailable(centre, "POST", "/api/agent/contacts/c1/accept", "ann")
    # presence changes
    assert_unavailable(centre, "POST", "/api/agent/status", "bob", json={"status": "aux", "reason": "lunch"})
    assert_unavailable(centre, "POST", "/api/agent/logout", "bob")
    assert_unavailable(centre, "POST", "/api/supervisor/agents/a1/state", "sup", json={"status": "offline"})
    assert_unavailable(centre, "POST", "/api/contacts/c1/hangup", "sup")
    assert outage.calls >= 6
    assert fingerprint(centre.container) == stored
    assert centre.container.runtime.last_seq == seq
    assert centre.work("a1") == {"c1": "reserved"}
    assert centre.agent("a2")["state"] == "available"
    centre.error("GET", "/api/contacts/c2", 404)

    # the store is back: the retried requests succeed (c2 was never stored, so it is not a duplicate)
    outage.down = False
    assert centre.new_contact(contact_id="c2")["offered_to"] == "a2"
    centre.act("a1", "c1", "accept")
    assert centre.contact("c1")["state"] == "connected"
    assert fingerprint(centre.container) == stored_fingerprint(centre.container)


def test_failed_tick_keeps_the_timer(centre: Any, outage: Outage) -> None:
    """A ring-no-answer that cannot be stored is not applied, and fires on the next tick instead."""
    from blendcc.app.acd.runtime import StoreUnavailable

    centre.agent_login("a1")
    centre.new_contact(contact_id="c1")
    outage.down = True
    centre.clock.advance(25)
    with pytest.raises(StoreUnavailable):
        centre.container.runtime.tick()
    assert centre.work("a1") == {"c1": "reserved"}
    assert centre.agent("a1")["state"] == "reserved"
    assert fingerprint(centre.container) == stored_fingerprint(centre.container)
    outage.down = False
    seq = centre.container.runtime.last_seq
    centre.container.runtime.tick()
    fired = [s.event.type for s in centre.container.store.read(after_seq=seq)]
    assert fired[:2] == ["OfferRevoked", "AgentStatusChanged"]
    assert fired.count("OfferRevoked") == 1
    assert centre.agent("a1")["reason"] == "missed"
    assert fingerprint(centre.container) == stored_fingerprint(centre.container)


def test_failed_config_change_leaves_routing_as_it_was(centre: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """Configuration is stored in its own repository: a failing write is a clean error, nothing changes."""
    repo = centre.container.config.repo

    def broken(*_: Any, **__: Any) -> Any:
        raise OSError("disk on fire")

    monkeypatch.setattr(repo, "put", broken)
    r = centre.client.put("/api/config/queues/sales", json={"name": "Renamed"}, headers=centre.headers("admin"))
    assert r.status_code >= 500
    assert set(r.json()) == {"error", "detail"}
    assert "Traceback" not in r.text
    assert centre.get("/api/config/queues/sales")["name"] == "Sales"
    assert centre.container.runtime.engine.catalog.queues["sales"].name == "Sales"


def test_database_fully_down_then_back(centre: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """When reads fail too, the live state must not be replaced by an empty one: commands and views answer
    503 until the store is back, then the live state is rebuilt from it."""
    store = centre.container.store
    centre.agent_login("a1")
    centre.new_contact(contact_id="c1")
    centre.new_contact(contact_id="c2")
    stored = stored_fingerprint(centre.container)
    outage = Outage(store, monkeypatch)
    real_window = store.replay_window

    def window() -> Any:
        if outage.down:
            raise OSError("connection refused")
        return real_window()

    monkeypatch.setattr(store, "replay_window", window)
    outage.down = True
    assert_unavailable(centre, "POST", "/api/agent/contacts/c1/accept", "ann")
    # views cannot be rebuilt either: 503, never an empty centre that contradicts the store
    body = centre.error("GET", "/api/agent", 503, user="ann")
    assert body["detail"] == "the event store is unavailable; live state is being recovered"
    centre.error("GET", "/api/stats/live", 503, user="sup")
    assert_unavailable_any = centre.error("POST", "/api/agent/status", 503, user="ann",
                                          json={"status": "aux", "reason": "break"})
    assert assert_unavailable_any["error"] == "unavailable"
    outage.down = False
    assert centre.work("a1") == {"c1": "reserved"}  # rebuilt from the store on first use
    assert fingerprint(centre.container) == stored
    centre.container.runtime.tick()
    assert fingerprint(centre.container) == stored
    centre.act("a1", "c1", "accept")
    assert centre.contact("c1")["state"] == "connected"
    assert fingerprint(centre.container) == stored_fingerprint(centre.container)


def test_config_change_whose_routing_consequences_fail_is_recovered(centre: Any, outage: Outage) -> None:
    """The document is stored, the offers it would cause are not: the next tick makes them."""
    centre.agent_login("a1")
    assert centre.new_contact(contact_id="b1", ivr={"menu": "3"})["state"] == "queued"  # billing: nobody there
    outage.down = True
    r = centre.client.put("/api/config/agents/a1", headers=centre.headers("admin"),
                          json={"queues": ["sales", "support", "billing"], "skills": {"tech": 3, "billing": 1}})
    assert r.status_code == 503
    outage.down = False
    assert centre.get("/api/config/agents/a1")["queues"] == ["sales", "support", "billing"]
    assert centre.work("a1") == {}
    centre.container.runtime.tick()
    assert centre.work("a1") == {"b1": "reserved"}
    assert fingerprint(centre.container) == stored_fingerprint(centre.container)


def test_refused_command_leaves_no_trace(centre: Any) -> None:
    """A command refused after the engine applied part of it (login, then an invalid status) changes
    nothing, and nothing of it is stored later together with another command's events."""
    body = centre.error("POST", "/api/agent/login", 422, user="ann", json={"status": "aux"})
    assert "aux needs a reason code" in body["detail"]
    assert centre.agent("a1")["logged_in"] is False
    centre.agent_login("a2")
    logged_in = [s.event.agent_id for s in centre.container.store.read() if s.event.type == "AgentLoggedIn"]
    assert logged_in == ["a2"]
    assert fingerprint(centre.container) == stored_fingerprint(centre.container)
    # the agent can log in properly afterwards
    centre.agent_login("a1", "aux", "break")
    assert (centre.agent("a1")["state"], centre.agent("a1")["reason"]) == ("aux", "break")
