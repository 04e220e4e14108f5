"""The crisis status reaches every agent desktop (/ws/agent, whoever the agent) and the supervisors' stream
(/ws/supervisor) when a supervisor throws the emergency switch."""

from __future__ import annotations

import json
from typing import Any

import anyio

from blendcc.api.ws_auth import SUBPROTOCOL


def receive(ws: Any, timeout: float = 5.0) -> dict[str, Any]:
    async def get() -> Any:
        with anyio.fail_after(timeout):
            return await ws._send_rx.receive()

    message = ws.portal.call(get)
    ws._raise_on_close(message)
    result: dict[str, Any] = json.loads(message["text"])
    return result


def connect(api: Any, path: str, user: str) -> Any:
    api.headers(user)
    return api.client.websocket_connect(path, subprotocols=[SUBPROTOCOL, f"bearer.{api.tokens[user]}"])


def next_crisis(ws: Any) -> dict[str, Any]:
    for _ in range(20):
        m = receive(ws)
        if m.get("stream") == "crisis" and m.get("type") == "CrisisStatus":
            return m
    raise AssertionError("no crisis status")


def test_the_emergency_status_reaches_every_desktop_and_the_supervisors(centre: Any) -> None:
    centre.agent_login("a1")
    with connect(centre, "/ws/agent", "ann") as ann, connect(centre, "/ws/agent", "cy") as cy, \
            connect(centre, "/ws/supervisor", "sup") as sup:
        centre.post("/api/crisis/emergency/*", "sup", json={"on": True, "mode": "closed", "message": "Storm"})
        for ws in (ann, cy, sup):
            status = next_crisis(ws)
            assert [(m["scope"], m["mode"], m["message"]) for m in status["emergency"]] == [("*", "closed", "Storm")]
        centre.post("/api/crisis/emergency/*", "sup", json={"on": False})
        for ws in (ann, cy, sup):
            assert next_crisis(ws)["emergency"] == []
