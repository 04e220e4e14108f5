"""Real processes: no server log line (debug level) and no CLI output carries a token or a password, and the
demo-traffic child of `serve --demo` dies with its server (SIGTERM or kill -9)."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from e2e_support import ADMIN_PASSWORD, Client, Server, free_port, pg_schema_url, wait_until
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect
from websockets.typing import Subprotocol

pytestmark = pytest.mark.slow

DB_PASSWORD = "Db-Pa55word-never-logged"
USER_PASSWORD = "sup2-Pa55word-never-logged"


@pytest.fixture
def pg_url_with_password() -> Iterator[str]:
    """A fresh PostgreSQL schema, its URL carrying a password (the test server trusts local connections,
    so the password is never asked for, but every log and print path sees it)."""
    with pg_schema_url() as url:
        scheme, rest = url.split("://", 1)
        userinfo, host = rest.split("@", 1)
        yield f"{scheme}://{userinfo.split(':')[0]}:{DB_PASSWORD}@{host}"


def _socket_session(ws_url: str, path: str, token: str, how: str) -> str:
    """Open a socket the way ``how`` says, read for a moment; the first message's type or the close code."""
    protocols = [Subprotocol("blendcc.v1")]
    url = ws_url + path
    if how == "subprotocol":
        protocols.append(Subprotocol(f"bearer.{token}"))
    elif how == "query":
        url += f"?token={token}"
    with connect(url, subprotocols=protocols, open_timeout=10) as ws:
        if how == "message":
            ws.send(json.dumps({"type": "auth", "token": token}))
        try:
            first = json.loads(ws.recv(timeout=5))
            ws.recv(timeout=1.5)  # more traffic (stats come each second)
            return str(first.get("type") or first.get("stream"))
        except ConnectionClosed as exc:
            return str(exc.rcvd.code if exc.rcvd else "closed")


def test_server_log_at_debug_never_carries_a_token_or_password(pg_url_with_password: str, tmp_path: Path) -> None:
    server = Server(pg_url_with_password, tmp_path, env={"BLENDCC_LOG_LEVEL": "debug"})
    try:
        server.start()
        admin = Client(server.url, "admin", ADMIN_PASSWORD)
        admin.ok("PUT", "/api/users/sup2", {"password": USER_PASSWORD, "role": "supervisor"})
        sup = Client(server.url, "sup2", USER_PASSWORD)
        ws_url = server.url.replace("http://", "ws://")
        got = {(path, how): _socket_session(ws_url, path, tok, how) for how in ("subprotocol", "message", "query")
               for path, tok in (("/ws/supervisor", sup.token), ("/ws/agent", admin.token))}
        assert got == {("/ws/supervisor", "subprotocol"): "snapshot", ("/ws/supervisor", "message"): "Authenticated",
                       ("/ws/supervisor", "query"): "4401",  # refused: no token in URLs
                       ("/ws/agent", "subprotocol"): "4403", ("/ws/agent", "message"): "4403",  # admin: no agent
                       ("/ws/agent", "query"): "4401"}
        assert admin.request("GET", "/api/auth/me").status_code == 200
        r = httpx.get(server.url + "/api/auth/me", headers={"Authorization": f"Bearer {sup.token}x"})
        assert r.status_code == 401  # a forged token: its logging path too
    finally:
        server.stop()
    log = server.log_tail(lines=1_000_000)
    # the log is real and verbose: the WebSocket lines the tokens used to ride on are there
    assert "DEBUG" in log and "WebSocket /ws/supervisor" in log, log[-3000:]
    assert "token=[REDACTED]" in log  # the refused ?token= socket, logged without its token
    for secret in (sup.token, admin.token, sup.token.split(".")[-1], USER_PASSWORD, ADMIN_PASSWORD, DB_PASSWORD):
        assert secret not in log, f"a secret leaked into the server log: ...{secret[-8:]}"


def _cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "blendcc.cli", *args], capture_output=True, text=True,
                          check=False, timeout=120, env={**os.environ, "COLUMNS": "300", **(env or {})})


def test_migrate_never_prints_the_database_password(pg_url_with_password: str) -> None:
    done = _cli("migrate", "--database-url", pg_url_with_password)
    assert done.returncode == 0, done.stderr
    assert "is up to date" in done.stdout and "[REDACTED]@" in done.stdout
    assert DB_PASSWORD not in done.stdout + done.stderr
    # failing: nothing listens on the port; the error names the problem, not the password
    bad = f"postgresql+psycopg://someone:{DB_PASSWORD}@127.0.0.1:{free_port()}/nowhere?connect_timeout=2"
    failed = _cli("migrate", "--database-url", bad)
    assert failed.returncode == 2 and "migration failed" in failed.stderr
    assert DB_PASSWORD not in failed.stdout + failed.stderr
    # the same through the environment, and for `serve` failing to start
    failed = _cli("serve", "--port", str(free_port()), env={"BLENDCC_DATABASE_URL": bad})
    assert failed.returncode == 2 and DB_PASSWORD not in failed.stdout + failed.stderr


# ---------------------------------------------------------------------- the demo child


def _children(pid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            with contextlib.suppress(OSError):
                stat = Path(f"/proc/{entry}/stat").read_text()
                if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                    found.append(int(entry))
    return found


def _alive(pid: int) -> bool:
    """Running (a zombie waiting for its reaper is dead)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM], ids=["kill-9", "sigterm"])
def test_demo_traffic_child_dies_with_the_server(tmp_path: Path, sig: signal.Signals) -> None:
    server = Server(f"sqlite:///{tmp_path / 'demo.db'}", tmp_path, ("--demo", "--demo-rate", "60"))
    server.start()
    assert server.proc is not None
    pgid = server.proc.pid  # start_new_session: the server leads its own process group
    try:
        child = wait_until(lambda: _children(server.proc.pid) if server.proc else None, 20.0, "the demo child")[0]
        cmdline = Path(f"/proc/{child}/cmdline").read_bytes().split(b"\0")
        assert b"demo" in cmdline and b"--parent-pid" in cmdline, cmdline
        sup = Client(server.url, "super", "super")
        wait_until(lambda: any(a["state"] != "offline" for a in sup.get("/api/stats/live")["agents"]), 30.0,
                   "the demo agents to log in")
        os.kill(server.proc.pid, sig)  # the server only, not its process group
        server.proc.wait(15)
        wait_until(lambda: not _alive(child), 12.0, f"the demo child {child} to exit after the server died")
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pgid, signal.SIGKILL)
