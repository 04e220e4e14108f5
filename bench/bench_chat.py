"""The web-chat section of bench/channels.py: simulated customers and agents over real WebSockets against a
real ``blendcc serve`` process (see that file's docstring for what is measured)."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import math
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
from websockets.asyncio.client import ClientConnection, connect

ADMIN_PASSWORD = "bench-admin-pw"
AGENT_PASSWORD = "bench-agent-pw"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _percentile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(q * len(ordered)) - 1))]


class Server:
    """``python -m blendcc.cli serve`` on a free port, its log in ``workdir``."""

    def __init__(self, workdir: Path, database: str | None, launcher: tuple[str, ...] = ("-m", "blendcc.cli"),
                 env: dict[str, str] | None = None) -> None:
        self.env = env or {}  # extra settings (bench/server.py --nodes: the cluster's)
        self.launcher = launcher  # what runs ``blendcc.cli`` (bench/server.py --profile: under bench/stack_sampler.py)
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.workdir = workdir
        self.database = database or f"sqlite:///{workdir / 'chat.db'}"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        env = {**os.environ, "BLENDCC_ADMIN_PASSWORD": ADMIN_PASSWORD, "BLENDCC_LOG_LEVEL": "warning",
               "BLENDCC_WEBCHAT_THROTTLE_FREE": "1000000", "BLENDCC_WEBCHAT_ATTACHMENT_DIR": str(self.workdir / "att"),
               "PYTHONPATH": str(Path(__file__).resolve().parent.parent / "src"), **self.env}
        log = open(self.workdir / "server.log", "wb")  # noqa: SIM115
        self.proc = subprocess.Popen([sys.executable, *self.launcher, "serve", "--port", str(self.port),
                                      "--database-url", self.database], stdout=log, stderr=subprocess.STDOUT,
                                     env=env, start_new_session=True)
        log.close()
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("server exited: " + (self.workdir / "server.log").read_text()[-2000:])
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(self.url + "/health", timeout=1).status_code == 200:
                    return
            time.sleep(0.2)
        raise RuntimeError("server did not start")

    def cpu_s(self) -> float:
        """CPU seconds the server process used so far (user + system, every thread)."""
        assert self.proc is not None
        fields = Path(f"/proc/{self.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)


async def _token(http: httpx.AsyncClient, user: str, password: str) -> str:
    r = await http.post("/api/auth/token", json={"username": user, "password": password})
    r.raise_for_status()
    return str(r.json()["access_token"])


async def _setup(http: httpx.AsyncClient, agents: int, chats: int) -> list[str]:
    admin = {"Authorization": f"Bearer {await _token(http, 'admin', ADMIN_PASSWORD)}"}
    per_agent = min(50, math.ceil(chats / agents) + 1)
    if per_agent * agents < chats:
        raise SystemExit(f"{agents} agents take at most {50 * agents} chats; use more agents")

    async def put(path: str, body: dict[str, Any]) -> None:
        r = await http.put(path, json=body, headers=admin)
        if r.status_code not in (200, 201):
            raise RuntimeError(f"PUT {path}: {r.status_code} {r.text}")

    await put("/api/config/queues/chat", {"name": "Chat", "wrap_up_s": 0, "offer_timeout_s": 600})
    await put("/api/config/workflows/chat", {"name": "Chat", "channels": ["chat"], "default": [{"queue": "chat"}]})
    users = []
    for n in range(agents):
        await put(f"/api/config/agents/b{n}", {"name": f"Agent {n}", "queues": ["chat"],
                                                "capacity": {"limits": {"voice": 1, "chat": per_agent}}})
        await put(f"/api/users/bench{n}", {"password": AGENT_PASSWORD, "role": "agent", "agent_id": f"b{n}"})
        users.append(f"bench{n}")
    return users


class Agent:
    """One agent: logged in over REST, its /ws/agent socket accepting every offer (REST) and timing every
    customer message it receives."""

    def __init__(self, http: httpx.AsyncClient, user: str, ws_url: str, sent: dict[str, float],
                 latencies: list[float], arrivals: list[float], accepted: set[str]) -> None:
        self.http, self.user, self.ws_url = http, user, ws_url
        self.sent, self.latencies, self.arrivals, self.accepted = sent, latencies, arrivals, accepted
        self.headers: dict[str, str] = {}
        self.errors: list[str] = []
        self.tasks: set[asyncio.Task[None]] = set()

    async def run(self, ready: asyncio.Event) -> None:
        token = await _token(self.http, self.user, AGENT_PASSWORD)
        self.headers = {"Authorization": f"Bearer {token}"}
        r = await self.http.post("/api/agent/login", json={"status": "available"}, headers=self.headers)
        r.raise_for_status()
        async with connect(self.ws_url, subprotocols=["blendcc.v1", f"bearer.{token}"],  # type: ignore[list-item]
                           max_size=None, ping_interval=None) as ws:
            ready.set()
            async for raw in ws:
                frame = json.loads(raw)
                kind = frame.get("type")
                if frame.get("stream") == "offer":
                    task = asyncio.create_task(self._accept(str(frame["contact_id"])))
                    self.tasks.add(task)
                    task.add_done_callback(self.tasks.discard)
                elif kind == "MessageReceived":
                    at = self.sent.pop(str(frame.get("body")), None)
                    if at is not None:
                        now = time.perf_counter()
                        self.latencies.append(now - at)
                        self.arrivals.append(now)

    async def _accept(self, contact_id: str) -> None:
        for attempt in range(3):
            try:
                r = await self.http.post(f"/api/agent/contacts/{contact_id}/accept", headers=self.headers)
            except httpx.HTTPError as exc:
                self.errors.append(f"accept {contact_id} (attempt {attempt + 1}): {exc!r}")
                continue
            if r.status_code == 200:
                self.accepted.add(contact_id)
            else:
                self.errors.append(f"accept {contact_id}: {r.status_code} {r.text[:200]}")
            return


class Customer:
    def __init__(self, k: int, session: dict[str, Any], ws_url: str, sent: dict[str, float]) -> None:
        self.k, self.session, self.ws_url, self.sent = k, session, ws_url, sent
        self.ws: ClientConnection | None = None
        self.reader: asyncio.Task[None] | None = None
        self.acks: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self.connected = asyncio.Event()
        self.errors: list[str] = []
        self.n = 0

    async def open(self) -> None:
        self.ws = await connect(self.ws_url, max_size=None, open_timeout=120, ping_interval=None)
        await self.ws.send(json.dumps({"type": "hello", "session_id": self.session["session_id"],
                                       "token": self.session["token"], "after": 0}))
        self.reader = asyncio.create_task(self._read())
        await self.say()  # the first message opens the chat
        await self.acks.get()

    async def _read(self) -> None:
        assert self.ws is not None
        with contextlib.suppress(Exception):
            async for raw in self.ws:
                frame = json.loads(raw)
                kind = frame.get("type")
                if kind == "ack":
                    self.acks.put_nowait(frame)
                elif kind == "agent":
                    self.connected.set()
                elif kind == "error":
                    self.errors.append(str(frame))
                    self.acks.put_nowait(frame)

    async def say(self) -> None:
        assert self.ws is not None
        self.n += 1
        body = f"c{self.k} m{self.n}"
        self.sent[body] = time.perf_counter()
        await self.ws.send(json.dumps({"type": "message", "client_id": f"m{self.n}", "body": body}))

    async def write(self, until: float, interval: float) -> None:
        """Send until ``until``: every ``interval`` s (open loop), or after each ack (``interval`` 0)."""
        next_at = time.perf_counter() + (interval * (self.k % 1000) / 1000 if interval else 0)
        while True:
            now = time.perf_counter()
            if interval:
                if next_at >= until:
                    return
                if next_at > now:
                    await asyncio.sleep(next_at - now)
                next_at += interval
                await self.say()
            else:
                if now >= until:
                    return
                await self.say()
                await self.acks.get()


async def _run(args: argparse.Namespace, server: Server) -> dict[str, Any]:
    ws_base = server.url.replace("http://", "ws://")
    limits = httpx.Limits(max_connections=200, max_keepalive_connections=200)
    async with httpx.AsyncClient(base_url=server.url, timeout=60, limits=limits) as http:
        users = await _setup(http, args.agents, args.chats)
        sent: dict[str, float] = {}
        latencies: list[float] = []
        arrivals: list[float] = []
        accepted: set[str] = set()
        agents = [Agent(http, u, ws_base + "/ws/agent", sent, latencies, arrivals, accepted) for u in users]
        readies = [asyncio.Event() for _ in agents]
        agent_tasks = [asyncio.create_task(a.run(r)) for a, r in zip(agents, readies, strict=True)]
        await asyncio.wait_for(asyncio.gather(*(r.wait() for r in readies)), 60)

        async def start(k: int) -> dict[str, Any]:
            r = await http.post("/api/webchat/default/sessions", json={"name": f"Customer {k}",
                                                                        "email": f"c{k}@example.org"})
            r.raise_for_status()
            out: dict[str, Any] = r.json()
            return out

        sessions = await asyncio.gather(*(start(k) for k in range(args.chats)))
        customers = [Customer(k, s, ws_base + "/ws/webchat", sent) for k, s in enumerate(sessions)]
        await asyncio.gather(*(c.open() for c in customers))
        deadline = time.perf_counter() + 300
        while not all(c.connected.is_set() for c in customers) and time.perf_counter() < deadline:
            await asyncio.sleep(0.2)
        waiting = [c for c in customers if not c.connected.is_set()]
        if waiting:  # reported (chat_errors) and left out of the measurement
            customers = [c for c in customers if c.connected.is_set()]
            for a in agents:
                a.errors.append(f"{len(waiting)} chats got no agent within 300 s")
                break
        print(f"chat: {len(customers)} chats open with their agents; measuring", file=sys.stderr, flush=True)
        latencies.clear()  # measure the steady state: every chat open, with its agent
        arrivals.clear()
        interval = args.chats / args.chat_rate if args.chat_rate > 0 else 0.0
        start_t = time.perf_counter()
        cpu_before = server.cpu_s()
        client_before = time.process_time()
        until = start_t + args.chat_seconds
        await asyncio.gather(*(c.write(until, interval) for c in customers))
        sent_total = sum(c.n - 1 for c in customers)
        deadline = time.perf_counter() + 30
        while len(latencies) < sent_total and time.perf_counter() < deadline:
            await asyncio.sleep(0.05)
        server_cpu = server.cpu_s() - cpu_before
        client_cpu = time.process_time() - client_before
        delivered = len(latencies)
        elapsed = (max(arrivals) if arrivals else time.perf_counter()) - start_t
        for t in agent_tasks:
            t.cancel()
        for c in customers:
            if c.ws is not None:
                await c.ws.close()
        errors = [e for a in agents for e in a.errors] + [e for c in customers for e in c.errors]
        return {"chat_messages_per_s": round(delivered / elapsed, 1),
                "chat_p50_ms": None if not latencies else round(1000 * (_percentile(latencies, 0.5) or 0), 1),
                "chat_p99_ms": None if not latencies else round(1000 * (_percentile(latencies, 0.99) or 0), 1),
                "concurrent_chats": len([c for c in customers if c.connected.is_set()]),
                "chat_agents": args.agents, "chat_messages_sent": sent_total, "chat_messages_delivered": delivered,
                "chat_seconds": round(elapsed, 3), "chat_rate_offered": args.chat_rate or None,
                "chat_server_cpu_ms_per_message": round(1000 * server_cpu / max(1, delivered), 2),
                "chat_client_cpu_ms_per_message": round(1000 * client_cpu / max(1, delivered), 2),
                "chat_errors": errors[:5]}


def section_chat(args: argparse.Namespace, workdir: Path) -> dict[str, Any]:
    workdir.mkdir(parents=True, exist_ok=True)
    server = Server(workdir, args.database if args.database and args.skip_email else None)
    server.start()
    try:
        return asyncio.run(_run(args, server))
    finally:
        server.stop()
