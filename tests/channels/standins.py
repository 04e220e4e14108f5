"""Provider stand-ins for the messaging tests: real HTTP servers on 127.0.0.1 (a free port, one thread)
speaking the documented request and response shapes of Twilio's Messages API, the Graph API (WhatsApp
Cloud API and Messenger Send API) and the Telegram Bot API. Each records what it received and can be
told to fail its next calls (429/5xx or a provider error body). Also: a live uvicorn server of the app."""

from __future__ import annotations

import base64
import itertools
import json
import re
import threading
import time
import uuid
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

Answer = tuple[int, dict[str, Any], dict[str, str]]


@dataclass
class Recorded:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes
    form: dict[str, str] = field(default_factory=dict)
    json: Any = None


class StandIn:
    """A provider's HTTP API: ``handle`` answers each request; ``fail`` queues failures served first."""

    def __init__(self) -> None:
        self.received: list[Recorded] = []
        self._failures: deque[Answer] = deque()
        self._lock = threading.Lock()
        self.stall_s = 0.0  # answer this late (a provider that does not answer in time)
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                self._serve("POST")

            def do_GET(self) -> None:
                self._serve("GET")

            def _serve(self, method: str) -> None:
                length = int(self.headers.get("content-length") or 0)
                body = self.rfile.read(length)
                parts = urlsplit(self.path)
                headers = {k.lower(): v for k, v in self.headers.items()}
                rec = Recorded(method, parts.path, parse_qs(parts.query), headers, body)
                ctype = rec.headers.get("content-type", "")
                if ctype.startswith("application/x-www-form-urlencoded"):
                    rec.form = {k: v[-1] for k, v in parse_qs(body.decode(), keep_blank_values=True).items()}
                elif ctype.startswith("application/json"):
                    rec.json = json.loads(body or b"null")
                status, payload, headers = outer._answer(rec)
                if outer.stall_s:
                    time.sleep(outer.stall_s)
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for k, v in headers.items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def _answer(self, rec: Recorded) -> Answer:
        with self._lock:
            self.received.append(rec)
            if self._failures:
                return self._failures.popleft()
        return self.handle(rec)

    def fail(self, n: int, status: int, body: dict[str, Any], headers: dict[str, str] | None = None) -> None:
        with self._lock:
            self._failures.extend([(status, body, headers or {})] * n)

    def handle(self, rec: Recorded) -> Answer:
        raise NotImplementedError

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


# ---------------------------------------------------------------------- Twilio


class TwilioStandIn(StandIn):
    """``POST /2010-04-01/Accounts/{AccountSid}/Messages.json`` with basic auth and form fields."""

    def __init__(self, account_sid: str, auth_token: str) -> None:
        self.account_sid, self.auth_token = account_sid, auth_token
        super().__init__()

    @staticmethod
    def error(status: int, code: int, message: str) -> dict[str, Any]:
        return {"code": code, "message": message, "more_info": f"https://www.twilio.com/docs/errors/{code}",
                "status": status}

    def handle(self, rec: Recorded) -> Answer:
        m = re.fullmatch(r"/2010-04-01/Accounts/([^/]+)/Messages\.json", rec.path)
        if rec.method != "POST" or m is None:
            return 404, self.error(404, 20404, "The requested resource was not found"), {}
        expected = "Basic " + base64.b64encode(f"{self.account_sid}:{self.auth_token}".encode()).decode()
        if m.group(1) != self.account_sid or rec.headers.get("authorization") != expected:
            return 401, self.error(401, 20003, "Authenticate"), {}
        to, sender, body = rec.form.get("To"), rec.form.get("From"), rec.form.get("Body")
        if not to:
            return 400, self.error(400, 21604, "A 'To' phone number is required."), {}
        if not re.fullmatch(r"\+[1-9]\d{6,14}", to):
            return 400, self.error(400, 21211, f"The 'To' number {to} is not a valid phone number."), {}
        if not body:
            return 400, self.error(400, 21602, "Message body is required."), {}
        sid = "SM" + uuid.uuid4().hex
        return 201, {"sid": sid, "account_sid": self.account_sid, "to": to, "from": sender, "body": body,
                     "status": "queued", "direction": "outbound-api", "error_code": None, "error_message": None,
                     "date_created": time.strftime("%a, %d %b %Y %H:%M:%S +0000", time.gmtime()),
                     "uri": f"/2010-04-01/Accounts/{self.account_sid}/Messages/{sid}.json"}, {}

    def sent(self) -> list[dict[str, str]]:
        return [r.form for r in self.received if r.path.endswith("/Messages.json")]


# ---------------------------------------------------------------------- Graph API (WhatsApp, Messenger)


class GraphStandIn(StandIn):
    """``POST /{version}/{phone-number-id}/messages`` (WhatsApp Cloud API) and ``POST /{version}/me/messages``
    (Messenger Send API), both with a bearer access token and JSON bodies."""

    def __init__(self, access_token: str, version: str = "v19.0") -> None:
        self.access_token, self.version = access_token, version
        super().__init__()

    @staticmethod
    def error(code: int, message: str, kind: str = "OAuthException") -> dict[str, Any]:
        return {"error": {"message": message, "type": kind, "code": code, "fbtrace_id": uuid.uuid4().hex[:11]}}

    def handle(self, rec: Recorded) -> Answer:
        if rec.headers.get("authorization") != f"Bearer {self.access_token}":
            return 401, self.error(190, "Invalid OAuth access token - Cannot parse access token"), {}
        body = rec.json if isinstance(rec.json, dict) else {}
        if rec.path == f"/{self.version}/me/messages":
            recipient, message = body.get("recipient"), body.get("message")
            if not isinstance(recipient, dict) or "id" not in recipient or not isinstance(message, dict) \
                    or body.get("messaging_type") not in ("RESPONSE", "UPDATE", "MESSAGE_TAG"):
                return 400, self.error(100, "(#100) Invalid parameter"), {}
            return 200, {"recipient_id": recipient["id"], "message_id": "m_" + uuid.uuid4().hex}, {}
        m = re.fullmatch(rf"/{self.version}/(\d+)/messages", rec.path)
        if m is None:
            return 404, self.error(803, "Unknown path components", "GraphMethodException"), {}
        kind = body.get("type", "text")
        if body.get("messaging_product") != "whatsapp" or not body.get("to") or not isinstance(body.get(kind), dict):
            return 400, self.error(100, "(#100) Invalid parameter"), {}
        return 200, {"messaging_product": "whatsapp", "contacts": [{"input": body["to"], "wa_id": body["to"]}],
                     "messages": [{"id": "wamid." + base64.b64encode(uuid.uuid4().bytes).decode().rstrip("=")}]}, {}

    def sent(self) -> list[dict[str, Any]]:
        return [r.json for r in self.received if r.path.endswith("/messages")]


# ---------------------------------------------------------------------- Telegram


class TelegramStandIn(StandIn):
    """``POST /bot<token>/sendMessage`` (and sendPhoto, sendDocument) answering ``{"ok": true, "result"}``
    or ``{"ok": false, "error_code", "description", "parameters"}``."""

    def __init__(self, token: str) -> None:
        self.token = token
        self._ids = itertools.count(100)
        super().__init__()

    @staticmethod
    def error(code: int, description: str, retry_after: int | None = None) -> dict[str, Any]:
        out: dict[str, Any] = {"ok": False, "error_code": code, "description": description}
        if retry_after is not None:
            out["parameters"] = {"retry_after": retry_after}
        return out

    def handle(self, rec: Recorded) -> Answer:
        m = re.fullmatch(r"/bot([^/]+)/(\w+)", rec.path)
        if m is None or m.group(1) != self.token:
            return 404, self.error(404, "Not Found"), {}
        method, body = m.group(2), (rec.json if isinstance(rec.json, dict) else rec.form)
        fields = {"sendMessage": "text", "sendPhoto": "photo", "sendDocument": "document"}
        if method not in fields:
            return 404, self.error(404, "Not Found: method not found"), {}
        if not isinstance(body.get("chat_id"), int | str) or body.get("chat_id") == "":
            return 400, self.error(400, "Bad Request: chat not found"), {}
        if not body.get(fields[method]):
            return 400, self.error(400, f"Bad Request: message {fields[method]} is empty"), {}
        result = {"message_id": next(self._ids), "from": {"id": 1, "is_bot": True, "first_name": "blendcc"},
                  "chat": {"id": body["chat_id"], "type": "private"}, "date": int(time.time())}
        if method == "sendMessage":
            result["text"] = body["text"]
        return 200, {"ok": True, "result": result}, {}

    def sent(self) -> list[tuple[str, dict[str, Any]]]:
        return [(r.path.rsplit("/", 1)[1], r.json) for r in self.received]


# ---------------------------------------------------------------------- the app, live


class LiveApp:
    """The blendcc app on a real uvicorn server (127.0.0.1, a free port) in a thread."""

    def __init__(self, app: Any) -> None:
        import uvicorn

        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning",
                                                    lifespan="on"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()
        for _ in range(500):
            if self.server.started:
                break
            time.sleep(0.01)
        assert self.server.started, "the app server did not start"
        port = self.server.servers[0].sockets[0].getsockname()[1]
        self.url = f"http://127.0.0.1:{port}"

    def close(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)
