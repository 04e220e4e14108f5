"""A standby forwards /api requests to the routing leader and relays its answer; with no leader known, or a request
already forwarded once, it answers 503 itself; the leader (and a single node) serves everything locally."""

from __future__ import annotations

import socket
import threading
from dataclasses import dataclass
from typing import Any

import pytest
import uvicorn
from fastapi import FastAPI, Request, WebSocket
from fastapi.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from blendcc.api.forward import ForwardToLeader


@dataclass
class FakeCluster:
    is_leader: bool
    leader_address: str | None
    address: str = "http://standby"
    node_id: str = "n-standby"


def _app(cluster: Any, name: str) -> FastAPI:
    app = FastAPI()

    @app.api_route("/api/echo", methods=["GET", "POST"])
    async def echo(request: Request) -> dict[str, Any]:
        return {"node": name, "method": request.method, "query": str(request.url.query),
                "body": (await request.body()).decode(), "auth": request.headers.get("authorization"),
                "forwarded_by": request.headers.get("x-blendcc-forwarded-by")}

    @app.websocket("/ws/echo")
    async def ws_echo(ws: WebSocket) -> None:
        await ws.accept(subprotocol="blendcc.v1")
        await ws.send_text(f"{name} {ws.headers.get('x-blendcc-forwarded-by')}")
        while True:
            text = await ws.receive_text()
            if text == "bye":
                await ws.close(code=4404, reason="bye from " + name)
                return
            await ws.send_text(f"{name}: {text}")

    @app.get("/health")
    def health() -> dict[str, str]:
        return {"node": name}

    app.add_middleware(ForwardToLeader, cluster=lambda: cluster)
    return app


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_a_standby_forwards_api_requests_and_answers_pages_itself() -> None:
    unused_tcp_port = _free_port()
    leader = _app(FakeCluster(True, None), "leader")
    server = uvicorn.Server(uvicorn.Config(leader, port=unused_tcp_port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        while not server.started:
            threading.Event().wait(0.05)
        standby = TestClient(_app(FakeCluster(False, f"http://127.0.0.1:{unused_tcp_port}"), "standby"))
        r = standby.post("/api/echo?x=1", content=b"hello", headers={"Authorization": "Bearer t"})
        assert r.status_code == 200
        assert r.json() == {"node": "leader", "method": "POST", "query": "x=1", "body": "hello",
                            "auth": "Bearer t", "forwarded_by": "n-standby"}
        assert standby.get("/health").json() == {"node": "standby"}  # not forwarded
        again = standby.get("/api/echo", headers={"X-Blendcc-Forwarded-By": "n-other"})
        assert again.status_code == 503 and again.json()["error"] == "unavailable"  # never forwarded twice
        with standby.websocket_connect("/ws/echo", subprotocols=["blendcc.v1", "bearer.t"]) as ws:
            assert ws.accepted_subprotocol == "blendcc.v1"
            assert ws.receive_text() == "leader n-standby"  # relayed to the leader, marked as relayed
            ws.send_text("hello")
            assert ws.receive_text() == "leader: hello"
            ws.send_text("bye")
            with pytest.raises(WebSocketDisconnect) as closed:
                ws.receive_text()
            assert closed.value.code == 4404  # the leader's close code reaches the client
    finally:
        server.should_exit = True
        thread.join(5)


def test_no_leader_known_is_503_with_retry_after() -> None:
    r = TestClient(_app(FakeCluster(False, None), "standby")).get("/api/echo")
    assert r.status_code == 503 and r.headers["retry-after"] == "1"
    assert r.json()["error"] == "unavailable" and "leader" in r.json()["detail"]


def test_a_standby_without_a_leader_closes_a_websocket_asking_to_retry() -> None:
    standby = TestClient(_app(FakeCluster(False, None), "standby"))
    with pytest.raises(WebSocketDisconnect) as closed, standby.websocket_connect("/ws/echo") as ws:
        ws.receive_text()
    assert closed.value.code == 1013


def test_a_leader_or_a_single_node_serves_locally() -> None:
    assert TestClient(_app(FakeCluster(True, "http://elsewhere"), "leader")).get("/api/echo").json()["node"] == "leader"
    assert TestClient(_app(None, "single")).get("/api/echo").json()["node"] == "single"
