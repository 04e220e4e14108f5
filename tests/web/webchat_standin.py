"""A TEST DOUBLE of the centre's web-chat side, for the widget's browser tests only: a real HTTP and
WebSocket server (FastAPI + uvicorn in a thread) speaking the web-chat wire protocol (config, sessions,
offline, attachments, transcript, /ws/webchat), with the state in memory; the test plays the agent
through its methods. It serves the real built widget with the real ``routes_widget`` router. It is not
the product's server (adapters/channels/webchat): once both are merged the end-to-end test moves there.
"""

from __future__ import annotations

import asyncio
import hashlib
import itertools
import secrets
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import uvicorn
from fastapi import FastAPI, File, Header, UploadFile, WebSocket, WebSocketDisconnect
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import HTMLResponse, JSONResponse
from starlette.websockets import WebSocketDisconnected

from blendcc.api import errors, routes_widget

PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                    "1f15c4890000000d49444154789c6300010000050001a5f645400000000049454e44ae426082")


def config(instance: str, *, name: str, language: str, primary: str, open_: bool = True,
           closed_reason: str | None = None) -> dict[str, Any]:
    return {"instance": instance, "centre_name": name, "colours": {"primary": primary, "text": "#FFFFFF"},
            "language": language, "languages": ["en", "pl", "ru", "zh", "fa"],
            "topics": [{"id": "billing", "label": "Billing"}, {"id": "moving", "label": "Moving home"}],
            "open": open_, "closed_reason": closed_reason, "max_attachment_bytes": 64 * 1024,
            "attachment_types": ["image/png", "application/pdf", "text/plain"], "bot": False}


INSTANCES = {
    "default": config("default", name="Northwind Energy", language="en", primary="#0B5394"),
    "fa": config("fa", name="انرژی نورث‌ویند", language="fa", primary="#6A1B9A"),
    "closed": config("closed", name="Northwind Energy", language="en", primary="#0B5394", open_=False,
                     closed_reason="Open Monday to Friday, 8:00 to 18:00."),
    # open when the config is read, closed by the time the customer starts (the session answers 409)
    "closing": config("closing", name="Northwind Energy", language="en", primary="#0B5394"),
}


@dataclass
class ChatSession:
    id: str
    token_hash: str
    instance: str
    form: dict[str, Any]
    state: str = "queued"
    agent: str | None = None
    messages: list[dict[str, Any]] = field(default_factory=list)
    sockets: set[WebSocket] = field(default_factory=set)
    frames: list[dict[str, Any]] = field(default_factory=list)  # every client frame received, in order
    hellos: int = 0
    lose_next: str | None = None  # "message": the network goes before it is stored; "ack": after


class Centre:
    """The stand-in; all public methods may be called from the test's thread."""

    def __init__(self) -> None:
        self.sessions: dict[str, ChatSession] = {}
        self.offline: list[dict[str, Any]] = []
        self.transcripts: list[tuple[str, str | None]] = []
        self.uploads: list[dict[str, Any]] = []
        self.attachments: dict[str, bytes] = {}
        self.seq = itertools.count(1)
        self.loop: asyncio.AbstractEventLoop | None = None
        self.app = self._build()
        self.server: uvicorn.Server | None = None
        self.url = ""

    # ---- the agent's side, driven by the test ----

    def session(self, timeout: float = 10) -> ChatSession:
        """The one session the widget started (waits for it)."""
        wait_for(lambda: len(self.sessions) == 1, timeout, "the widget never started a session")
        return next(iter(self.sessions.values()))

    def agent_says(self, s: ChatSession, body: str, name: str = "Maya") -> dict[str, Any]:
        message = self._message(s, "outbound", {"kind": "agent", "name": name}, body, [], None)
        self.push(s, {"type": "message", "message": message})
        return message

    def mark(self, s: ChatSession, message_id: str, status: str) -> None:
        for m in s.messages:
            if m["id"] == message_id:
                m["status"] = status
        self.push(s, {"type": "status", "message_id": message_id, "status": status})

    def typing(self, s: ChatSession, on: bool, name: str | None = "Maya") -> None:
        self.push(s, {"type": "typing", "on": on, "name": name})

    def queue(self, s: ChatSession, position: int, expected_wait_s: float | None) -> None:
        self.push(s, {"type": "queue", "position": position, "expected_wait_s": expected_wait_s})

    def agent_joins(self, s: ChatSession, name: str = "Maya") -> None:
        s.state, s.agent = "connected", name
        self.push(s, {"type": "agent", "name": name})

    def end(self, s: ChatSession, by: str = "agent") -> None:
        s.state = "ended"
        self.push(s, {"type": "ended", "by": by, "reason": None})

    def drop(self, s: ChatSession) -> None:
        """The network goes: every socket of the session is closed (the widget must reconnect)."""
        self._call(self._close_all(s, 1012))

    def push(self, s: ChatSession, frame: dict[str, Any]) -> None:
        self._call(self._send_all(s, frame))

    def frames(self, s: ChatSession, kind: str) -> list[dict[str, Any]]:
        return [f for f in list(s.frames) if f.get("type") == kind]

    # ---- running ----

    def start(self) -> None:
        self.server, self.url, self.loop = serve(self.app)

    def stop(self) -> None:
        if self.server is not None:
            self.server.should_exit = True

    def _call(self, coro: Any) -> None:
        assert self.loop is not None
        asyncio.run_coroutine_threadsafe(coro, self.loop).result(10)

    async def _send_all(self, s: ChatSession, frame: dict[str, Any]) -> None:
        for ws in list(s.sockets):
            await ws.send_json(frame)

    async def _close_all(self, s: ChatSession, code: int) -> None:
        for ws in list(s.sockets):
            s.sockets.discard(ws)
            await ws.close(code)

    def _message(self, s: ChatSession, direction: str, author: dict[str, Any], body: str,
                 attachments: list[dict[str, Any]], client_id: str | None) -> dict[str, Any]:
        message = {"id": f"m{len(s.messages) + 1}-{s.id[:6]}", "seq": next(self.seq), "direction": direction,
                   "author": author, "body": body, "attachments": attachments, "at": time.time(),
                   "status": self._inbound_status(s) if direction == "inbound" else None, "client_id": client_id}
        s.messages.append(message)
        return message

    @staticmethod
    def _inbound_status(s: ChatSession) -> str:
        """As the real server: a customer's message is delivered once an agent holds the chat, else sent."""
        return "delivered" if s.state == "connected" else "sent"

    def _authorised(self, session_id: str, authorization: str | None) -> ChatSession | None:
        s = self.sessions.get(session_id)
        token = (authorization or "").removeprefix("Bearer ")
        if s is None or hashlib.sha256(token.encode()).hexdigest() != s.token_hash:
            return None
        return s

    def _build(self) -> FastAPI:
        app = FastAPI()
        errors.install(app)
        app.add_middleware(CORSMiddleware, allow_origins=["*"], allow_methods=["GET", "POST"],
                           allow_headers=["Authorization", "Content-Type"])
        app.include_router(routes_widget.router)  # the real /widget.js route
        centre = self

        def refused(status: int, code: str, detail: str) -> JSONResponse:
            return JSONResponse({"error": code, "detail": detail}, status_code=status)

        @app.get("/api/webchat/{instance}/config")
        def get_config(instance: str) -> Any:
            return INSTANCES[instance] if instance in INSTANCES else refused(404, "not_found", "no such instance")

        @app.post("/api/webchat/{instance}/sessions")
        def start(instance: str, body: dict[str, Any]) -> Any:
            if instance not in INSTANCES:
                return refused(404, "not_found", "no such instance")
            if not INSTANCES[instance]["open"] or instance == "closing":
                return refused(409, "closed", "the centre is closed")
            if not (1 <= len(body.get("name") or "") <= 100) or not (body.get("email") or body.get("phone")):
                return refused(422, "invalid", "name and an email or a phone are required")
            token = secrets.token_urlsafe(24)
            sid = secrets.token_hex(8)
            centre.sessions[sid] = ChatSession(sid, hashlib.sha256(token.encode()).hexdigest(), instance, body)
            return JSONResponse({"session_id": sid, "token": token, "expires_at": time.time() + 86400}, status_code=201)

        @app.post("/api/webchat/{instance}/offline")
        def offline(instance: str, body: dict[str, Any]) -> Any:
            if not body.get("email") or not body.get("message"):
                return refused(422, "invalid", "email and message are required")
            centre.offline.append({"instance": instance, **body})
            return JSONResponse({"reference": f"WEB-{len(centre.offline):05d}"}, status_code=202)

        @app.post("/api/webchat/sessions/{session_id}/attachments")
        async def upload(session_id: str, file: UploadFile = File(...),
                         authorization: str | None = Header(None)) -> Any:
            s = centre._authorised(session_id, authorization)
            if s is None:
                return refused(401, "unauthenticated", "bad token")
            data = await file.read()
            limits = INSTANCES[s.instance]
            if len(data) > limits["max_attachment_bytes"]:
                return refused(413, "too_large", "the file is too large")
            if file.content_type not in limits["attachment_types"]:
                return refused(415, "unsupported", "files of this type are not accepted")
            aid = f"a{len(centre.attachments) + 1}"
            centre.attachments[aid] = data
            meta = {"id": aid, "name": file.filename, "media_type": file.content_type, "size": len(data),
                    "uri": f"/api/webchat/sessions/{session_id}/attachments/{aid}"}
            centre.uploads.append(meta)
            return JSONResponse(meta, status_code=201)

        @app.post("/api/webchat/sessions/{session_id}/transcript")
        def transcript(session_id: str, body: dict[str, Any], authorization: str | None = Header(None)) -> Any:
            s = centre._authorised(session_id, authorization)
            if s is None:
                return refused(401, "unauthenticated", "bad token")
            centre.transcripts.append((session_id, body.get("email") or s.form.get("email")))
            return JSONResponse({}, status_code=202)

        @app.websocket("/ws/webchat")
        async def chat(ws: WebSocket) -> None:
            await ws.accept()
            try:
                hello = await asyncio.wait_for(ws.receive_json(), 10)
            except (TimeoutError, WebSocketDisconnect, ValueError):
                await ws.close(4401)
                return
            s = centre.sessions.get(str(hello.get("session_id")))
            token = str(hello.get("token", ""))
            if hello.get("type") != "hello" or s is None or hashlib.sha256(token.encode()).hexdigest() != s.token_hash:
                await ws.close(4401)
                return
            s.hellos += 1
            after = int(hello.get("after") or 0)
            await ws.send_json({"type": "welcome", "session_id": s.id, "contact_id": None, "state": s.state,
                                "agent": {"name": s.agent} if s.agent else None,
                                "messages": [m for m in s.messages if m["seq"] > after],
                                "seq": max((m["seq"] for m in s.messages), default=0)})
            s.sockets.add(ws)
            try:
                while True:
                    frame = await ws.receive_json()
                    s.frames.append(frame)
                    await centre._on_frame(s, ws, frame)
            except (WebSocketDisconnect, WebSocketDisconnected):
                pass  # the browser went, or the test closed the socket (drop)
            finally:
                s.sockets.discard(ws)

        return app

    async def _on_frame(self, s: ChatSession, ws: WebSocket, frame: dict[str, Any]) -> None:
        kind = frame.get("type")
        if kind == "message":
            if s.lose_next == "message":
                s.lose_next = None
                await self._close_all(s, 1012)
                return
            known = next((m for m in s.messages if m["client_id"] == frame["client_id"]), None)
            if known is None:
                files = [u for u in self.uploads if u["id"] in frame.get("attachments", [])]
                known = self._message(s, "inbound", {"kind": "customer", "name": s.form["name"]}, frame["body"],
                                      files, frame["client_id"])
            if s.lose_next == "ack":  # stored, but the answer is lost with the network
                s.lose_next = None
                await self._close_all(s, 1012)
                return
            await ws.send_json({"type": "ack", "client_id": frame["client_id"], "message": known})
        elif kind == "read":
            for m in s.messages:
                if m["direction"] == "outbound":
                    m["status"] = "read"
        elif kind == "end":
            s.state = "ended"
            await self._send_all(s, {"type": "ended", "by": "customer", "reason": None})
        elif kind == "ping":
            await ws.send_json({"type": "pong"})


class CustomerSite:
    """Another origin: a customer's page that embeds the widget from the centre, with loud CSS of its own."""

    def __init__(self, centre_url: str) -> None:
        self.centre_url = centre_url  # may be set after start: a real centre needs the site's origin first
        app = FastAPI()
        site = self

        @app.get("/")
        def page(instance: str = "default", lang: str | None = None) -> HTMLResponse:
            language = f' data-language="{lang}"' if lang else ""
            return HTMLResponse(
                "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
                "<meta name='viewport' content='width=device-width, initial-scale=1'><title>Customer site</title>"
                "<style>* { font-family: 'Comic Sans MS', cursive !important; color: #c00 !important; }"
                " button { font-size: 30px !important; background: yellow !important; }"
                " div { direction: ltr; }</style></head>"
                "<body><h1>Customer site</h1><p>Some content of the customer's own.</p>"
                f"<script src='{site.centre_url}/widget.js' data-instance='{instance}'{language} async></script>"
                "</body></html>")

        self.app = app
        self.server: uvicorn.Server | None = None
        self.url = ""

    def start(self) -> None:
        self.server, self.url, _ = serve(self.app)

    def stop(self) -> None:
        if self.server is not None:
            self.server.should_exit = True


def serve(app: FastAPI) -> tuple[uvicorn.Server, str, asyncio.AbstractEventLoop]:
    """Run ``app`` with uvicorn on its own event loop in a daemon thread, on a free local port."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
    loop = asyncio.new_event_loop()

    def run() -> None:
        asyncio.set_event_loop(loop)
        loop.run_until_complete(server.serve(sockets=[sock]))

    threading.Thread(target=run, daemon=True).start()
    wait_for(lambda: server.started, 10, "the stand-in server did not start")
    return server, f"http://127.0.0.1:{port}", loop


def wait_for(predicate: Callable[[], bool], timeout: float, message: str) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(message)
        time.sleep(0.02)
