"""The REAL centre for the widget's end-to-end test: a `blendcc serve` process (SQLite or PostgreSQL) set up
the way a centre would set it up (web-chat instance, the customer's site allowed by CORS, a capturing SMTP
relay for transcripts) and an agent who works over REST and /ws/agent, as the agent desktop does."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

import httpx
from websockets.sync.client import connect

from channels.email.peers import CaptureServer
from channels.webchat.live_chat import Socket
from e2e.e2e_support import ADMIN_PASSWORD, Client, Server, pg_schema_url

PASSWORD = "widget-e2e-pw"
ALWAYS = {d: [{"start": "00:00", "end": "24:00"}] for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
#: The web-chat instance the customer's page embeds, as a centre would configure it (BLENDCC_WEBCHAT).
INSTANCE = {"centre_name": "Northwind Energy", "primary_colour": "#0B5394", "language": "en",
            "languages": ["en", "fa"], "topics": [{"id": "billing", "label": "Billing"},
                                                  {"id": "moving", "label": "Moving home"}],
            "max_attachment_bytes": 65536}


class AgentSocket(Socket):
    """/ws/agent of one agent user: keeps every frame received, waits for the one asked for."""

    def __init__(self, url: str, token: str) -> None:
        self._stack = ExitStack()
        super().__init__(self._stack.enter_context(connect(
            url.replace("http://", "ws://") + "/ws/agent", open_timeout=10,
            subprotocols=["blendcc.v1", f"bearer.{token}"])))  # type: ignore[list-item]
        self.wait(lambda f: f.get("stream") == "snapshot", what="the agent snapshot")

    def event(self, kind: str, **fields: Any) -> dict[str, Any]:
        return self.type(kind, timeout=15.0, **fields)

    def close(self) -> None:
        self._stack.close()


class Agent:
    """Agent user ``ann`` (agent a1, "Ann") on the real server: REST for actions, /ws/agent for what comes."""

    def __init__(self, url: str) -> None:
        self.rest = Client(url, "ann", PASSWORD)
        self.socket = AgentSocket(url, self.rest.token)

    def post(self, path: str, body: Any = None, expect: int = 200) -> Any:
        return self.rest.ok("POST", path, body, expect)

    def close(self) -> None:
        self.socket.close()
        self.rest.close()


class Centre:
    """The started server, its admin and the transcript mails it sent."""

    def __init__(self, server: Server, smtp: CaptureServer) -> None:
        self.server, self.smtp, self.url = server, smtp, server.url
        self.admin = Client(server.url, "admin", ADMIN_PASSWORD)

    def setup(self) -> None:
        """What a centre configures through the API before opening chat: a queue open all day, a workflow,
        agent a1 with chat capacity and the agent's user."""
        a = self.admin
        a.ok("PUT", "/api/config/calendars/always", {"weekly": ALWAYS})
        a.ok("PUT", "/api/config/queues/sales", {"name": "Sales", "calendar_id": "always", "wrap_up_s": None,
                                                 "offer_timeout_s": 60})
        a.ok("PUT", "/api/config/workflows/main", {"name": "Main", "default": [{"queue": "sales"}]})
        a.ok("PUT", "/api/config/agents/a1", {"name": "Ann", "queues": ["sales"],
                                              "capacity": {"limits": {"voice": 1, "chat": 3}}})
        a.ok("PUT", "/api/users/ann", {"password": PASSWORD, "role": "agent", "agent_id": "a1"})

    def events(self, kind: str) -> list[Any]:
        """Events of ``kind`` in the server's store, read from its database (as a report would)."""
        from blendcc.adapters.storage.engine import make_engine
        from blendcc.adapters.storage.sql_store import SqlStore

        engine = make_engine(self.server.database_url)
        try:
            return [s.event for s in SqlStore(engine).events_of_type([kind])]
        finally:
            engine.dispose()


@contextmanager
def database(backend: str, tmp_path: Path) -> Iterator[str]:
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'widget.db'}"
        return
    with pg_schema_url() as url:
        yield url


@contextmanager
def real_centre(database_url: str, tmp_path: Path, site_origin: str) -> Iterator[Centre]:
    """`blendcc serve` with the web-chat instance ``default`` and ``site_origin`` in BLENDCC_CORS_ORIGINS."""
    with CaptureServer() as smtp:
        env = {"BLENDCC_WEBCHAT": json.dumps({"default": INSTANCE}),
               "BLENDCC_CORS_ORIGINS": site_origin,
               "BLENDCC_WEBCHAT_ATTACHMENT_DIR": str(tmp_path / "attachments"),
               "BLENDCC_EMAIL_RELAY_HOST": "127.0.0.1", "BLENDCC_EMAIL_RELAY_PORT": str(smtp.port),
               "BLENDCC_EMAIL_RELAY_SECURITY": "none"}
        server = Server(database_url, tmp_path, env=env)
        server.start(timeout=60)
        try:
            centre = Centre(server, smtp)
            centre.setup()
            yield centre
            centre.admin.close()
        finally:
            server.stop()


def ok_json(r: httpx.Response, status: int = 200) -> Any:
    assert r.status_code == status, f"{r.request.method} {r.request.url} -> {r.status_code}: {r.text}"
    return r.json()
