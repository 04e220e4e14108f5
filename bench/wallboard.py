"""Wallboard benchmark: how late the supervisor socket's wallboard frame is after an event, on a generated centre.

In one process: the real container (SQLite event store in a temporary directory, or ``--database``), the real
API app served by uvicorn on a free port (its lifespan starts the real background: the asyncio scheduler and
the wallboard feed, which publishes a frame ``wallboard_coalesce_s`` after events and on an idle heartbeat),
and a supervisor client on ``/ws/supervisor`` (bearer subprotocol, as the console). The centre: ``--queues``
queues (default 50) with a workflow each and ``--agents`` agents (default 1,000), each a member of 2-3
queues, everyone logged in.

A driver thread runs engine commands through the Runtime (the single writer: stored, then published) at
``--rate`` per second for ``--seconds``: new voice and chat contacts, accepts, holds, resumes, ends, wrap-ups
and aux/available changes, so the board really changes. Lag: from just before a command is executed (its
events appended) to the moment the client reads the first "stats" frame whose ``seq`` (the last stored event
the frame reflects, read under the writer's lock with the state) covers the command's events; one monotonic
clock, one process.

    python bench/wallboard.py [--agents 1000] [--queues 50] [--rate 100] [--seconds 20] [--database URL]

The last line is one JSON object: ``agents``, ``queues``, ``update_lag_p50_ms``, ``update_lag_p99_ms`` (the
target is under 1,000 ms), frames, frame size, the feed's build time and how long a frame holds the writer's
lock. Figures depend on the machine's load: the server, the driver and the client share its cores.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import socket
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import uvicorn
from websockets.asyncio.client import connect

from blendcc.api.app import create_app
from blendcc.app.acd import live_views
from blendcc.bootstrap import build_container
from blendcc.config import Settings
from blendcc.routing import commands as cmd

ADMIN_PASSWORD = "bench-admin-pw"
TARGET_P99_MS = 1000.0


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def serve(app: Any) -> tuple[Any, threading.Thread, str]:
    """The app served by uvicorn on a free port in a thread, once it has started: (server, thread, base URL)."""
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning",
                                           ws_max_size=16 * 1024 * 1024))
    serving = threading.Thread(target=server.run, daemon=True)
    serving.start()
    deadline = time.monotonic() + 30
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    return server, serving, f"http://127.0.0.1:{port}"


def _pct(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return round(1000 * ordered[min(len(ordered) - 1, int(q * len(ordered)))], 1)


def _configure(c: Any, agents: int, queues: int, rng: random.Random) -> list[str]:
    """The generated centre through the configuration service (stored, then the routing catalog)."""
    for n in range(queues):
        c.config.put("queues", f"q{n}", {"name": f"Queue {n}", "wrap_up_s": None, "offer_timeout_s": 600,
                                         "sl_target": rng.choice([0.8, 0.85, 0.9])}, "bench")
        c.config.put("workflows", f"w{n}", {"name": f"Queue {n}", "default": [{"queue": f"q{n}"}]}, "bench")
    ids = [f"agent{n}" for n in range(agents)]
    for aid in ids:
        member = sorted(rng.sample(range(queues), k=rng.choice([2, 3])))
        c.config.put("agents", aid, {"name": aid, "queues": [f"q{q}" for q in member],
                                     "capacity": {"limits": {"voice": 1, "chat": 2}}}, "bench")
    return ids


class Driver:
    """Runs commands on the Runtime and remembers when each stored sequence number was produced."""

    def __init__(self, c: Any, agent_ids: list[str], queues: int, rng: random.Random) -> None:
        self.c, self.rt, self.agents, self.queues, self.rng = c, c.runtime, agent_ids, queues, rng
        self.pending: list[tuple[int, float]] = []  # (last seq of the command, perf_counter before it)
        self.lock = threading.Lock()
        self.commands = 0
        self.refused = 0
        self.n = 0
        self.work: list[tuple[str, str, str]] = []  # (agent, contact, stage), re-read every 10 steps

    def run(self, command: Any, measure: bool = True) -> None:
        before = self.rt.last_seq
        t0 = time.perf_counter()
        try:
            self.rt.execute(command)
        except Exception:  # a command the state no longer allows (the contact moved on): not measured
            self.refused += 1
            return
        self.commands += 1
        seq = self.rt.last_seq
        if measure and seq > before:
            with self.lock:
                self.pending.append((seq, t0))

    def step(self) -> None:
        """One random action that changes the board."""
        r = self.rng.random()
        if self.commands % 10 == 0 or not self.work:  # the driver's own read of the engine, not every step
            self.work = self.rt.query(lambda e, _now: [(a.id, cid, asg.stage.value) for a in e.agents.values()
                                                       for cid, asg in list(a.work.items())[:1]])
        work = self.work
        if r < 0.3 or not work:
            self.n += 1
            q = self.rng.randrange(self.queues)
            self.run(cmd.CreateContact(f"b{self.n}", self.rng.choice(["voice", "chat"]), workflow_id=f"w{q}"))
        elif r < 0.35:
            aid = self.rng.choice(self.agents)
            self.run(cmd.SetStatus(aid, self.rng.choice(["aux", "available"]), None))
        else:
            aid, cid, stage = work.pop(self.rng.randrange(len(work)))
            nxt = {"reserved": cmd.AcceptOffer, "busy": self.rng.choice([cmd.HoldContact, cmd.EndContact]),
                   "held": cmd.ResumeContact, "wrap_up": None}.get(stage)
            if nxt is None:
                self.run(cmd.CompleteWrapUp(cid, aid))
            else:
                self.run(nxt(cid, aid))


async def _supervise(url: str, token: str, driver: Driver, stop: threading.Event, out: dict[str, Any]) -> None:
    lags: list[float] = out["lags"]
    async with connect(url, subprotocols=["blendcc.v1", f"bearer.{token}"],  # type: ignore[list-item]
                       max_size=None, ping_interval=None, open_timeout=60) as ws:
        out["connected"].set()
        while not (stop.is_set() and not driver.pending):
            try:
                raw = await asyncio.wait_for(ws.recv(), timeout=2.0)
            except TimeoutError:
                if stop.is_set():
                    break
                continue
            now = time.perf_counter()
            if '"stream": "stats"' not in raw[:200] and '"stream":"stats"' not in raw[:200]:
                continue
            frame = json.loads(raw)
            out["frames"] += 1
            out["bytes"] = max(out["bytes"], len(raw))
            seq = int(frame.get("seq", 0))
            with driver.lock:
                done = [t0 for s, t0 in driver.pending if s <= seq]
                driver.pending = [(s, t0) for s, t0 in driver.pending if s > seq]
            lags.extend(now - t0 for t0 in done)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--agents", type=int, default=1000)
    ap.add_argument("--queues", type=int, default=50)
    ap.add_argument("--rate", type=float, default=100.0, help="commands per second")
    ap.add_argument("--seconds", type=float, default=20.0)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--database", default=None, help="SQLAlchemy URL (default: SQLite in a temporary directory)")
    args = ap.parse_args()
    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory(prefix="bench-wallboard-") as tmp:
        url = args.database or f"sqlite:///{Path(tmp) / 'wallboard.db'}"
        settings = Settings(database_url=url, admin_password=ADMIN_PASSWORD, secret_key="bench-secret-key-0123456789",
                            timezone="UTC", token_ttl_s=3600)
        c = build_container(settings)
        t = time.perf_counter()
        agent_ids = _configure(c, args.agents, args.queues, rng)
        for aid in agent_ids:
            c.runtime.execute(cmd.LogIn(aid))
        print(f"centre: {args.agents} agents, {args.queues} queues configured and logged in "
              f"in {time.perf_counter() - t:.1f} s", file=sys.stderr)
        builds: list[float] = []
        feed_build = c.views.wallboard

        def timed_build() -> dict[str, Any]:
            t0 = time.perf_counter()
            try:
                return feed_build()
            finally:
                builds.append(time.perf_counter() - t0)

        c.views.wallboard = timed_build  # type: ignore[method-assign]  # the feed calls it through the views
        held: list[float] = []  # how long each frame holds the writer's lock (the copy of the live state)
        real_capture = live_views.capture

        def timed_capture(engine: Any) -> Any:
            t0 = time.perf_counter()
            try:
                return real_capture(engine)
            finally:
                held.append(time.perf_counter() - t0)

        live_views.capture = timed_capture  # type: ignore[assignment]
        server, serving, base = serve(create_app(c))
        token = httpx.post(f"{base}/api/auth/token", json={"username": "admin", "password": ADMIN_PASSWORD},
                           timeout=30).json()["access_token"]
        driver = Driver(c, agent_ids, args.queues, rng)
        stop = threading.Event()
        out: dict[str, Any] = {"lags": [], "frames": 0, "bytes": 0, "connected": threading.Event()}

        def drive() -> None:
            out["connected"].wait(60)
            for _ in range(int(args.rate * 2)):  # warm-up: the board fills with work (not measured)
                driver.step()
            with driver.lock:
                driver.pending.clear()
            out["lags"].clear()
            start = time.perf_counter()
            k = 0
            while (elapsed := time.perf_counter() - start) < args.seconds:
                due = start + k / args.rate
                if due > time.perf_counter():
                    time.sleep(due - time.perf_counter())
                driver.step()
                k += 1
            out["elapsed"] = elapsed
            stop.set()

        driving = threading.Thread(target=drive, daemon=True)
        driving.start()
        asyncio.run(_supervise(base.replace("http://", "ws://") + "/ws/supervisor", token, driver, stop, out))
        driving.join(10)
        server.should_exit = True
        serving.join(15)
        c.store.engine.dispose()
    lags = out["lags"]
    p50, p99 = _pct(lags, 0.50), _pct(lags, 0.99)
    print(f"commands {driver.commands} ({driver.refused} refused) in {out.get('elapsed', 0):.1f} s; "
          f"{out['frames']} wallboard frames, largest {out['bytes'] / 1024:.0f} KiB")
    print(f"event -> supervisor frame lag over {len(lags)} commands: p50 {p50} ms, p99 {p99} ms, "
          f"max {_pct(lags, 1.0)} ms (target p99 < {TARGET_P99_MS:.0f} ms)")
    print(f"frame build: p50 {_pct(builds, 0.5)} ms, p99 {_pct(builds, 0.99)} ms; of which the writer's lock "
          f"is held (the copy of the live state): p50 {_pct(held, 0.5)} ms, p99 {_pct(held, 0.99)} ms")
    print(json.dumps({"agents": args.agents, "queues": args.queues, "update_lag_p99_ms": p99,
                      "update_lag_p50_ms": p50, "update_lag_max_ms": _pct(lags, 1.0), "measured": len(lags),
                      "commands_per_s": round(driver.commands / max(out.get("elapsed", 1.0), 1e-9), 1),
                      "frames": out["frames"], "frame_kib": round(out["bytes"] / 1024, 1),
                      "build_p50_ms": _pct(builds, 0.5), "build_p99_ms": _pct(builds, 0.99),
                      "lock_held_p99_ms": _pct(held, 0.99),
                      "target_p99_ms": TARGET_P99_MS, "within_target": p99 is not None and p99 < TARGET_P99_MS}))


if __name__ == "__main__":
    main()
