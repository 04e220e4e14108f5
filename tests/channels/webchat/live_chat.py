"""A live centre for the web-chat tests: the app on a real uvicorn server (SQLite or PostgreSQL), a capturing
SMTP relay (aiosmtpd) for transcripts, agent a1 taking chats, and WebSocket clients for customers and agents."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from websockets.sync.client import ClientConnection, connect

from conftest import Api, close_container, make_settings, seed_centre

from ..email.peers import CaptureServer
from ..standins import LiveApp

BOT_FLOW: dict[str, Any] = {
    "id": "chatbot", "name": "Chat bot", "language": "en", "start": "welcome",
    "nodes": [
        {"id": "welcome", "kind": "play", "prompt": {"text": "Hello, I am the bot."}, "next": "menu"},
        {"id": "menu", "kind": "menu", "prompt": {"text": "Type hours, or agent to talk to a person."},
         "options": [{"key": "1", "next": "hours", "words": ["hours"]},
                     {"key": "5", "next": "agent", "words": ["agent", "person"]}],
         "timeout_s": 30, "retries": 2, "invalid_prompt": {"text": "Sorry, I did not get that."},
         "no_input_prompt": {"text": "Are you there?"}, "on_failure": "agent"},
        {"id": "hours", "kind": "hangup", "prompt": {"text": "We are open 9 to 5. Goodbye."}},
        {"id": "agent", "kind": "queue", "attributes": {"from_bot": True}},
    ],
}
NEVER = {"weekly": {"mon": [{"start": "00:00", "end": "00:01"}]}}


class Socket:
    """A WebSocket client that keeps every frame it received (read on demand, with a timeout)."""

    def __init__(self, ws: ClientConnection) -> None:
        self.ws = ws
        self.frames: list[dict[str, Any]] = []

    def send(self, frame: dict[str, Any]) -> None:
        self.ws.send(json.dumps(frame))

    def wait(self, match: Callable[[dict[str, Any]], bool], timeout: float = 10.0,
             what: str = "a frame") -> dict[str, Any]:
        for f in self.frames:
            if match(f):
                self.frames.remove(f)
                return f
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                f = json.loads(self.ws.recv(timeout=max(0.01, deadline - time.monotonic())))
            except TimeoutError:
                break
            if match(f):
                return f
            self.frames.append(f)
        pytest.fail(f"no {what} within {timeout} s; got {self.frames}", pytrace=False)

    def type(self, kind: str, timeout: float = 10.0, **fields: Any) -> dict[str, Any]:
        return self.wait(lambda f: f.get("type") == kind and all(f.get(k) == v for k, v in fields.items()),
                         timeout, f"{kind!r} frame {fields or ''}")

    def stream(self, kind: str, timeout: float = 10.0, **fields: Any) -> dict[str, Any]:
        """An /ws/agent message of event type ``kind``."""
        return self.wait(lambda f: f.get("type") == kind and all(f.get(k) == v for k, v in fields.items()),
                         timeout, f"agent stream {kind!r} {fields or ''}")

    def close(self) -> None:
        self.ws.close()


@dataclass
class LiveChat:
    api: Api
    app: LiveApp
    http: httpx.Client
    smtp: CaptureServer
    sockets: list[Socket] = field(default_factory=list)

    @property
    def ws_url(self) -> str:
        return self.app.url.replace("http://", "ws://") + "/ws/webchat"

    def start(self, instance: str = "default", expect: int = 201, **body: Any) -> dict[str, Any]:
        body = {"name": "Dana", "email": "dana@example.org", **body}
        r = self.http.post(f"/api/webchat/{instance}/sessions", json=body)
        assert r.status_code == expect, r.text
        out: dict[str, Any] = r.json()
        return out

    def customer(self, session: dict[str, Any], after: int = 0) -> tuple[Socket, dict[str, Any]]:
        s = Socket(connect(self.ws_url, open_timeout=10))
        self.sockets.append(s)
        s.send({"type": "hello", "session_id": session["session_id"], "token": session["token"], "after": after})
        return s, s.type("welcome")

    def agent(self, user: str = "ann") -> Socket:
        token = self.api.login(user)
        s = Socket(connect(self.app.url.replace("http://", "ws://") + "/ws/agent", open_timeout=10,
                           subprotocols=["blendcc.v1", f"bearer.{token}"]))  # type: ignore[list-item]
        self.sockets.append(s)
        s.wait(lambda f: f.get("stream") == "snapshot", what="the agent snapshot")
        return s

    def bearer(self, session: dict[str, Any]) -> dict[str, str]:
        return {"Authorization": f"Bearer {session['token']}"}

    def events(self, kind: str) -> list[Any]:
        return [s.event for s in self.api.container.store.read() if s.event.type == kind]


def chat_settings(db_url: str, smtp_port: int, tmp_dir: str, **webchat: Any) -> Any:
    instances = {"default": {"centre_name": "Acme", "topics": [{"id": "billing", "label": "Billing"},
                                                                {"id": "tech", "label": "Technical"}],
                             "languages": ["en", "fa"], "max_attachment_bytes": 1024,
                             "attachment_types": ["image/png", "text/plain"]},
                 "closed": {"centre_name": "Acme night", "calendar": "never"},
                 "bot": {"centre_name": "Acme bot", "bot_flow": "chatbot"},
                 **webchat}
    return make_settings(db_url, webchat=instances, email_relay_host="127.0.0.1", email_relay_port=smtp_port,
                         email_relay_security="none", webchat_attachment_dir=tmp_dir, webchat_throttle_free=1000)


@pytest.fixture(name="chat")
def chat_fixture(db_url: str, clock: Any, fast_passwords: None, tmp_path: Any) -> Iterator[LiveChat]:
    from blendcc.api.app import create_app
    from blendcc.bootstrap import build_container

    with CaptureServer() as smtp:
        container = build_container(chat_settings(db_url, smtp.port, str(tmp_path / "att")), clock=clock,
                                    run_migrations=False)
        app = LiveApp(create_app(container, background=False))
        # 30 s: a loaded 2-core machine once took more than 10 s to answer the first seeding request
        http = httpx.Client(base_url=app.url, timeout=30)
        api = Api(http, container, clock)
        live = LiveChat(api, app, http, smtp)
        timer_thread = container.webchat.later
        try:
            seed_centre(api)
            api.put("/api/config/calendars/never", json=NEVER)
            api.put("/api/config/ivr_flows/chatbot", json=BOT_FLOW)
            api.put("/api/config/agents/a1", json={"name": "Ann", "queues": ["sales", "support"],
                                                    "skills": {"tech": 3},
                                                    "capacity": {"limits": {"voice": 1, "chat": 3}}})
            yield live
        finally:
            for s in live.sockets:
                s.close()
            http.close()
            app.close()
            timer_thread.close()
            close_container(container)
