"""WebSocket streams: an agent gets a snapshot and only its own offers; supervisors get every event;
bad tokens and wrong roles are closed with 4401 / 4403 (the ways to authenticate: tests/api/test_ws_auth.py)."""

from __future__ import annotations

import json
from typing import Any

import anyio
import pytest
from starlette.websockets import WebSocketDisconnect

from blendcc.api.ws_auth import SUBPROTOCOL


def receive(ws: Any, timeout: float = 5.0) -> dict[str, Any]:
    """The next message, failing after ``timeout`` seconds instead of hanging the test run."""

    async def get() -> Any:
        with anyio.fail_after(timeout):
            return await ws._send_rx.receive()

    message = ws.portal.call(get)
    ws._raise_on_close(message)
    result: dict[str, Any] = json.loads(message["text"])
    return result


def assert_silent(ws: Any, wait: float = 0.2) -> None:
    """Nothing arrives within ``wait`` seconds."""
    with pytest.raises(TimeoutError):
        receive(ws, timeout=wait)


def token(api: Any, user: str) -> str:
    api.headers(user)
    result: str = api.tokens[user]
    return result


def connect(api: Any, path: str, user: str) -> Any:
    """A socket authenticated the preferred way: the bearer token as a WebSocket subprotocol."""
    return api.client.websocket_connect(path, subprotocols=[SUBPROTOCOL, f"bearer.{token(api, user)}"])


def test_agent_stream_snapshot_then_own_offer_only(centre: Any) -> None:
    centre.agent_login("a1")
    centre.agent_login("a2")
    with connect(centre, "/ws/agent", "ann") as ws:
        snap = receive(ws)
        assert snap["stream"] == "snapshot"
        agent = snap["agent"]
        assert (agent["id"], agent["logged_in"], agent["state"], agent["work"]) == ("a1", True, "available", [])
        # an offer to a2 (billing: a1 does not serve it) is not sent to a1
        other = centre.new_contact(ivr={"menu": "3"}, attributes={"secret": "for bob"})
        assert other["offered_to"] == "a2"
        mine = centre.new_contact(caller_id="+15551234", ivr={"menu": "2"}, priority=7,
                                  attributes={"order": "A-17"})
        assert mine["offered_to"] == "a1"
        offer = receive(ws)
        assert offer["stream"] == "offer"
        assert offer["type"] == "ContactOffered"
        assert (offer["contact_id"], offer["agent_id"], offer["queue_id"]) == (mine["contact_id"], "a1", "support")
        assert offer["attributes"]["order"] == "A-17"
        assert offer["attributes"]["ivr"] == {"menu": "2"}
        assert offer["attributes"]["caller_id"] == "+15551234"
        assert offer["customer_id"] == mine["customer_id"]
        assert offer["priority"] == 7
        assert offer["expires_at"] == centre.T0 + 20
        assert isinstance(offer["seq"], int)
        state = receive(ws)
        assert (state["stream"], state["type"], state["agent_id"], state["state"]) == (
            "agent", "AgentStateChanged", "a1", "reserved")
        # then the conversation's own events follow
        centre.act("a1", mine["contact_id"], "accept")
        connected = receive(ws)
        assert (connected["stream"], connected["type"], connected["contact_id"]) == (
            "contact", "ContactConnected", mine["contact_id"])
        assert receive(ws)["state"] == "busy"
        # bob acting on his contact is never seen by ann
        centre.act("a2", other["contact_id"], "accept")
        assert_silent(ws)


def test_agent_stream_snapshot_shows_current_work(centre: Any) -> None:
    centre.agent_login("a1")
    out = centre.new_contact(attributes={"k": "v"})
    with connect(centre, "/ws/agent", "ann") as ws:
        snap = receive(ws)["agent"]
        assert snap["state"] == "reserved"
        assert [(w["contact_id"], w["stage"], w["attributes"]["k"]) for w in snap["work"]] == [
            (out["contact_id"], "reserved", "v")]
        # events of a contact held at connect time are delivered; once the offer is revoked it is not a1's
        centre.post(f"/api/contacts/{out['contact_id']}/hangup", "sup")
        revoked = receive(ws)
        assert (revoked["type"], revoked["reason"]) == ("OfferRevoked", "abandoned")
        assert receive(ws)["state"] == "available"
        assert_silent(ws)


def test_agent_stream_after_timeout_loses_the_contact(centre: Any) -> None:
    centre.agent_login("a1")
    centre.agent_login("a2")
    with connect(centre, "/ws/agent", "ann") as ws:
        receive(ws)
        out = centre.new_contact()
        assert receive(ws)["stream"] == "offer"
        assert receive(ws)["type"] == "AgentStateChanged"
        centre.advance(20)  # ring-no-answer: revoked, a1 to aux 'missed', offered to a2
        got = [receive(ws) for _ in range(3)]
        assert [m["type"] for m in got] == ["OfferRevoked", "AgentStatusChanged", "AgentStateChanged"]
        assert got[2]["reason"] == "missed"
        # a2's handling of the contact is no longer a1's business
        centre.act("a2", out["contact_id"], "accept")
        assert_silent(ws)


def test_supervisor_stream_gets_contact_and_agent_events(centre: Any) -> None:
    with connect(centre, "/ws/supervisor", "sup") as ws:
        assert receive(ws) == {"stream": "snapshot"}  # first, after every (re)connect: the console resyncs
        centre.agent_login("a1")
        login = [receive(ws) for _ in range(3)]
        assert [(m["stream"], m["type"]) for m in login] == [
            ("agent", "AgentLoggedIn"), ("agent", "AgentStatusChanged"), ("agent", "AgentStateChanged")]
        out = centre.new_contact()
        got = [receive(ws) for _ in range(5)]
        assert [(m["stream"], m["type"]) for m in got] == [
            ("contact", "ContactCreated"), ("contact", "ContactRouted"), ("contact", "ContactQueued"),
            ("contact", "ContactOffered"), ("agent", "AgentStateChanged")]
        assert all(m.get("contact_id", out["contact_id"]) == out["contact_id"] for m in got)
        seqs = [m["seq"] for m in got]
        assert seqs == sorted(seqs)
    # the admin may watch too
    with connect(centre, "/ws/supervisor", "admin") as ws:
        assert receive(ws)["stream"] == "snapshot"
        centre.post(f"/api/contacts/{out['contact_id']}/hangup", "sup")
        assert receive(ws)["type"] == "OfferRevoked"


def test_streams_unsubscribe_when_the_client_leaves(centre: Any) -> None:
    bus = centre.container.bus
    before = {t: bus.subscriber_count(t) for t in ("contact", "agent", "wfm")}  # in-process services listen too
    with connect(centre, "/ws/supervisor", "sup"):
        assert bus.subscriber_count("contact") == before["contact"] + 1
        assert bus.subscriber_count("wfm") == before["wfm"] + 1
    centre.agent_login("a1")  # publishing after the client left is harmless
    with connect(centre, "/ws/agent", "ann") as ws:
        receive(ws)
        assert bus.subscriber_count("agent") == before["agent"] + 1
    centre.new_contact()
    assert {t: bus.subscriber_count(t) for t in before} == before


@pytest.mark.parametrize("path", ["/ws/agent", "/ws/supervisor"])
@pytest.mark.parametrize("bearer", ["bearer.not-a-token", "bearer."])
def test_bad_token_closes_with_4401(shared_centre: Any, path: str, bearer: str) -> None:
    with shared_centre.client.websocket_connect(path, subprotocols=[SUBPROTOCOL, bearer]) as ws, \
            pytest.raises(WebSocketDisconnect) as exc:
        receive(ws)
    assert exc.value.code == 4401
    assert exc.value.reason == "invalid token"


def test_agent_token_on_supervisor_stream_closes_with_4403(shared_centre: Any) -> None:
    with connect(shared_centre, "/ws/supervisor", "ann") as ws, \
            pytest.raises(WebSocketDisconnect) as exc:
        receive(ws)
    assert exc.value.code == 4403
    assert "supervisor" in exc.value.reason


def test_non_agent_user_on_agent_stream_closes_with_4403(shared_centre: Any) -> None:
    with connect(shared_centre, "/ws/agent", "sup") as ws, \
            pytest.raises(WebSocketDisconnect) as exc:
        receive(ws)
    assert exc.value.code == 4403
    assert exc.value.reason == "not an agent user"
