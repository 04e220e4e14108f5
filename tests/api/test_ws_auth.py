"""WebSocket authentication: the bearer subprotocol, the first auth message, no token in the URL, re-auth on
an open socket, and sockets closed when their token expires or their user's tokens are revoked."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from starlette.websockets import WebSocketDisconnect

from blendcc.api.ws_auth import QUERY_REFUSED, SUBPROTOCOL

from .test_ws import receive, token

PATHS = ("/ws/agent", "/ws/supervisor")
USER_OF = {"/ws/agent": "ann", "/ws/supervisor": "sup"}


def closed(ws: Any, timeout: float = 5.0) -> WebSocketDisconnect:
    """Read until the server closes the socket (failing after ``timeout``); the close."""
    with pytest.raises(WebSocketDisconnect) as exc:
        for _ in range(100):
            receive(ws, timeout)
    return exc.value


@pytest.mark.parametrize("path", PATHS)
def test_bearer_subprotocol_is_answered_with_blendcc_v1(shared_centre: Any, path: str) -> None:
    bearer = f"bearer.{token(shared_centre, USER_OF[path])}"
    with shared_centre.client.websocket_connect(path, subprotocols=[SUBPROTOCOL, bearer]) as ws:
        assert ws.accepted_subprotocol == SUBPROTOCOL
        assert receive(ws)["stream"] == "snapshot"  # both streams resynchronise their client first
        ws.send_text("ping")  # anything else a client sends is ignored; the socket stays open
        ws.send_text(json.dumps({"type": "auth", "token": bearer.removeprefix("bearer.")}))
        assert receive(ws) == {"stream": "auth", "type": "Authenticated", "username": USER_OF[path],
                               "role": "agent" if path == "/ws/agent" else "supervisor"}


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("good", [True, False])
def test_token_in_the_url_is_refused_even_when_valid(shared_centre: Any, path: str, good: bool) -> None:
    value = token(shared_centre, USER_OF[path]) if good else "not-a-token"
    with shared_centre.client.websocket_connect(f"{path}?token={value}") as ws:
        exc = closed(ws)
    assert (exc.code, exc.reason) == (4401, QUERY_REFUSED)
    # and also alongside a valid subprotocol: a URL token is never accepted
    bearer = f"bearer.{token(shared_centre, USER_OF[path])}"
    with shared_centre.client.websocket_connect(f"{path}?token={value}", subprotocols=[SUBPROTOCOL, bearer]) as ws:
        assert closed(ws).code == 4401


def test_bearer_without_the_blendcc_subprotocol_is_refused(shared_centre: Any) -> None:
    with shared_centre.client.websocket_connect(
            "/ws/supervisor", subprotocols=[f"bearer.{token(shared_centre, 'sup')}"]) as ws:
        exc = closed(ws)
    assert exc.code == 4400 and SUBPROTOCOL in exc.reason


@pytest.mark.parametrize("path", PATHS)
def test_first_message_auth(shared_centre: Any, path: str) -> None:
    with shared_centre.client.websocket_connect(path, subprotocols=[SUBPROTOCOL]) as ws:
        assert ws.accepted_subprotocol == SUBPROTOCOL
        ws.send_text(json.dumps({"type": "auth", "token": token(shared_centre, USER_OF[path])}))
        ack = receive(ws)
        assert ack == {"stream": "auth", "type": "Authenticated", "username": USER_OF[path],
                       "role": "agent" if path == "/ws/agent" else "supervisor"}
        if path == "/ws/agent":
            assert receive(ws)["stream"] == "snapshot"
    # no subprotocol at all works too (plain WebSocket clients)
    with shared_centre.client.websocket_connect(path) as ws:
        ws.send_text(json.dumps({"type": "auth", "token": token(shared_centre, USER_OF[path])}))
        assert receive(ws)["type"] == "Authenticated"


@pytest.mark.parametrize(("first", "reason"), [
    ({"type": "auth", "token": "not-a-token"}, "invalid token"),
    ({"type": "auth"}, "first message must be {type: auth, token}"),
    ({"type": "hello"}, "first message must be {type: auth, token}"),
    ("not json", "first message must be {type: auth, token}"),
])
def test_first_message_that_does_not_authenticate_closes_with_4401(shared_centre: Any, first: Any,
                                                                    reason: str) -> None:
    with shared_centre.client.websocket_connect("/ws/supervisor") as ws:
        ws.send_text(first if isinstance(first, str) else json.dumps(first))
        exc = closed(ws)
    assert (exc.code, exc.reason) == (4401, reason)


def test_first_message_with_the_wrong_role_closes_with_4403(shared_centre: Any) -> None:
    with shared_centre.client.websocket_connect("/ws/supervisor") as ws:
        ws.send_text(json.dumps({"type": "auth", "token": token(shared_centre, "ann")}))
        assert closed(ws).code == 4403


def test_silent_client_is_closed_after_the_auth_timeout(centre: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(centre.container.settings, "ws_auth_timeout_s", 0.3)
    with centre.client.websocket_connect("/ws/supervisor") as ws:
        exc = closed(ws)
    assert exc.code == 4401 and "timed out" in exc.reason


# ---------------------------------------------------------------------- revocation and expiry


def test_demoted_supervisor_socket_is_closed_at_once(centre: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(centre.container.settings, "ws_recheck_s", 3600.0)  # only the revocation can close it
    sockets = centre.client.app.state.sockets
    with centre.client.websocket_connect("/ws/supervisor", subprotocols=[
            SUBPROTOCOL, f"bearer.{token(centre, 'sup')}"]) as ws:
        assert receive(ws)["stream"] == "snapshot"
        centre.agent_login("a1")
        assert receive(ws)["type"] == "AgentLoggedIn"  # streaming
        assert sockets.count("sup") == 1
        centre.put("/api/users/sup", json={"password": centre.PASSWORD, "role": "agent", "agent_id": "a3"})
        exc = closed(ws)
        assert exc.code == 4401
        assert "changed" in exc.reason
    assert sockets.count("sup") == 0


def test_password_change_closes_the_users_sockets_only(centre: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(centre.container.settings, "ws_recheck_s", 3600.0)
    centre.put("/api/users/sup2", json={"password": centre.PASSWORD, "role": "supervisor"})
    with centre.client.websocket_connect("/ws/supervisor", subprotocols=[
            SUBPROTOCOL, f"bearer.{token(centre, 'sup')}"]) as ws, \
            centre.client.websocket_connect("/ws/supervisor", subprotocols=[
                SUBPROTOCOL, f"bearer.{token(centre, 'sup2')}"]) as other:
        assert receive(other)["stream"] == "snapshot"
        centre.put("/api/users/sup", json={"password": "a-new-password", "role": "supervisor"})
        assert closed(ws).code == 4401
        # the other supervisor keeps streaming
        centre.agent_login("a1")
        assert receive(other)["type"] == "AgentLoggedIn"


def test_agent_socket_closed_when_its_user_moves_to_another_agent(centre: Any,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(centre.container.settings, "ws_recheck_s", 3600.0)
    with centre.client.websocket_connect("/ws/agent", subprotocols=[
            SUBPROTOCOL, f"bearer.{token(centre, 'ann')}"]) as ws:
        assert receive(ws)["stream"] == "snapshot"
        centre.put("/api/users/ann", json={"password": centre.PASSWORD, "role": "agent", "agent_id": "a2"})
        assert closed(ws).code == 4401


def test_socket_closed_when_its_token_expires(centre: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(centre.container.settings, "ws_recheck_s", 0.2)
    monkeypatch.setattr(centre.container.auth, "ttl_s", 1)
    with centre.client.websocket_connect("/ws/supervisor", subprotocols=[
            SUBPROTOCOL, f"bearer.{centre.login('sup')}"]) as ws:
        exc = closed(ws, timeout=10.0)
    assert (exc.code, exc.reason) == (4401, "token expired; log in again")


def test_reauth_on_the_open_socket_extends_it(centre: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(centre.container.settings, "ws_recheck_s", 0.2)
    monkeypatch.setattr(centre.container.auth, "ttl_s", 1)
    with centre.client.websocket_connect("/ws/supervisor", subprotocols=[
            SUBPROTOCOL, f"bearer.{centre.login('sup')}"]) as ws:
        until = time.monotonic() + 3.0  # three times the token lifetime
        while time.monotonic() < until:
            ws.send_text(json.dumps({"type": "auth", "token": centre.login("sup")}))
            message = receive(ws)
            while message.get("stream") != "auth":  # stats and events may come between
                message = receive(ws)
            assert message["type"] == "Authenticated"
            time.sleep(0.3)
        # without renewal the socket then closes
        assert closed(ws, timeout=10.0).code == 4401


@pytest.mark.parametrize(("user", "code"), [("ann", 4403), (None, 4401)])
def test_reauth_with_another_users_or_a_bad_token_closes(centre: Any, user: str | None, code: int) -> None:
    with centre.client.websocket_connect("/ws/supervisor", subprotocols=[
            SUBPROTOCOL, f"bearer.{token(centre, 'sup')}"]) as ws:
        ws.send_text(json.dumps({"type": "auth", "token": token(centre, user) if user else "forged"}))
        assert closed(ws).code == code
