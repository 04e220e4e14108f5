"""A CRM stand-in: a real HTTP server (in a thread) answering lookups as a test tells it to: JSON, slowly,
or with an error status. It records every request (path, query, headers)."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


class CrmStandIn:
    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.mode = "ok"  # ok | slow | error
        self.delay_s = 0.0
        self.release = threading.Event()  # a slow answer waits for this (or its delay)
        self.url = ""

    def answer(self, query: dict[str, str]) -> dict[str, Any]:
        return {"account": "ACME-" + (query.get("phone") or query.get("email") or "?"), "segment": "enterprise",
                "open_tickets": 2}


@contextmanager
def crm_standin() -> Iterator[CrmStandIn]:
    crm = CrmStandIn()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            query = {k: v[0] for k, v in parse_qs(parts.query).items()}
            crm.requests.append({"path": parts.path, "query": query, "auth": self.headers.get("Authorization")})
            if crm.mode == "slow":
                crm.release.wait(crm.delay_s)
            if crm.mode == "error":
                body, status = b'{"error": "boom"}', 500
            else:
                body, status = json.dumps(crm.answer(query)).encode(), 200
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            except OSError:  # the client gave up (timeout)
                pass

        def log_message(self, *_: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    crm.url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield crm
    finally:
        crm.release.set()
        server.shutdown()
        server.server_close()
        thread.join(5)
        time.sleep(0)
