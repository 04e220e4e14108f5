"""Agent desktop benchmark: offer-to-screen latency and server CPU per connected desktop, over real sockets.

A real ``blendcc serve`` process on a fresh SQLite file (or ``--database``, e.g. a PostgreSQL URL). The run
seeds ``--desktops`` agents (default 200) with users and a chat queue (chat, so an agent holds several
conversations), then each simulated desktop does what the browser desktop does: it signs in over REST
(``/api/auth/token``), logs its agent in available and opens ``/ws/agent`` with the bearer subprotocol
(``blendcc.v1, bearer.<token>``), reads the snapshot and then every pushed frame.

1. Idle: the server's CPU (``/proc/<pid>/stat``, every thread) over ``--idle-seconds`` before any desktop
   connects (the baseline) and again with every desktop connected and available.
2. Load: an admin client offers chat contacts (``POST /api/contacts``, open loop) at ``--rate`` per second for
   ``--seconds``; a pool of ``--customers`` returning customers makes every screen pop real (customer, last
   contacts, open conversations). Each desktop accepts its offer, keeps the conversation a random
   ``--handle`` time, ends it and wraps it up (REST), so the load is steady.

Offer-to-screen latency: from the moment a contact's POST is sent (client clock) to the moment its offer
frame (``stream: offer``, with its screen pop) is read off the agent's socket, one process and one monotonic
clock. ``client_lag_p99_ms`` is how late the client's own event loop ran (a busy client inflates the latency;
the server and the client share this machine's cores).

``--pages K``: K of the desktops are real headless Chromium pages of ``/desktop`` signed in through its form
(bench/desktop_pages.py); their latency, POST sent -> the offer card on screen, is reported apart
(``pages_offer_to_screen_*``); ``offers_measured`` counts both kinds.

    python bench/desktop.py [--desktops 200] [--rate 50] [--seconds 20] [--pages 0] [--database URL]

The last line is one JSON object: ``desktops``, ``offer_to_screen_p50_ms``, ``offer_to_screen_p99_ms``,
``cpu_per_desktop_pct`` (the idle server's CPU with every desktop connected, less its CPU with none, per
desktop, in percent of one core; ``cpu_per_desktop_load_pct`` the same under load) and details.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import sys
import tempfile
import time
from contextlib import AsyncExitStack
from pathlib import Path
from typing import Any

import httpx
from websockets.asyncio.client import connect

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_chat import ADMIN_PASSWORD, AGENT_PASSWORD, Server, _percentile, _token
from desktop_pages import Pages

TARGET_P99_MS = 150.0


def _ms(values: list[float], q: float) -> float | None:
    value = _percentile(values, q)
    return None if value is None else round(1000 * value, 1)


async def _setup(http: httpx.AsyncClient, desktops: int, capacity: int) -> list[str]:
    """A chat queue (wrap-up until the agent finishes), its workflow, and ``desktops`` agents with users."""
    admin = {"Authorization": f"Bearer {await _token(http, 'admin', ADMIN_PASSWORD)}"}
    gate = asyncio.Semaphore(8)

    async def put(path: str, body: dict[str, Any]) -> None:
        async with gate:
            r = await http.put(path, json=body, headers=admin)
        if r.status_code not in (200, 201):
            raise RuntimeError(f"PUT {path}: {r.status_code} {r.text[:300]}")

    await put("/api/config/queues/chat", {"name": "Chat", "wrap_up_s": None, "offer_timeout_s": 120})
    await put("/api/config/workflows/chat", {"name": "Chat", "channels": ["chat"], "default": [{"queue": "chat"}]})
    await asyncio.gather(*(put(f"/api/config/agents/d{n}", {
        "name": f"Desk {n}", "queues": ["chat"], "capacity": {"limits": {"voice": 1, "chat": capacity}}})
        for n in range(desktops)))
    await asyncio.gather(*(put(f"/api/users/desk{n}", {"password": AGENT_PASSWORD, "role": "agent",
                                                       "agent_id": f"d{n}"}) for n in range(desktops)))
    return [f"desk{n}" for n in range(desktops)]


class Run:
    """What every desktop of the run shares: the POST send times and the figures measured."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.sent: dict[str, float] = {}
        self.latencies: list[float] = []
        self.page_latencies: list[float] = []  # the --pages desktops: POST sent -> offer card on screen
        self.offers = 0
        self.with_pop = 0
        self.handled = 0
        self.peak = 0  # the most conversations one desktop held at once
        self.expired = 0  # offers gone (rang out) before the desktop's accept reached the server
        self.measured: set[str] = set()
        self.errors: list[str] = []
        self.rng = random.Random(args.seed)

    def error(self, text: str) -> None:
        if len(self.errors) < 50:
            self.errors.append(text)


class Desktop:
    """One agent desktop: REST for actions, ``/ws/agent`` for everything pushed."""

    def __init__(self, run: Run, http: httpx.AsyncClient, user: str, ws_url: str) -> None:
        self.run, self.http, self.user, self.ws_url = run, http, user, ws_url
        self.headers: dict[str, str] = {}
        self.tasks: set[asyncio.Task[None]] = set()
        self.page = False  # a real Chromium page of /desktop shows this agent's offers (--pages)

    async def sign_in(self) -> str:
        token = await _token(self.http, self.user, AGENT_PASSWORD)
        self.headers = {"Authorization": f"Bearer {token}"}
        r = await self.http.post("/api/agent/login", json={"status": "available"}, headers=self.headers)
        r.raise_for_status()
        return token

    async def run_socket(self, token: str, ready: asyncio.Event) -> None:
        async with connect(self.ws_url, subprotocols=["blendcc.v1", f"bearer.{token}"],  # type: ignore[list-item]
                           max_size=None, ping_interval=None, open_timeout=60) as ws:
            async for raw in ws:
                now = time.perf_counter()
                frame = json.loads(raw)
                stream = frame.get("stream")
                if stream == "snapshot":
                    ready.set()
                elif stream == "offer":
                    self._offer(frame, now)

    def _offer(self, frame: dict[str, Any], now: float) -> None:
        run, cid = self.run, str(frame["contact_id"])
        at = run.sent.get(cid)
        if at is not None and cid not in run.measured:  # a contact's first offer (a re-offer is not measured)
            run.measured.add(cid)
            (run.page_latencies if self.page else run.latencies).append(now - at)
            run.offers += 1
            run.with_pop += frame.get("screen_pop") is not None
        task = asyncio.create_task(self._handle(cid))
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)
        run.peak = max(run.peak, len(self.tasks))

    def on_page_offer(self, cid: str, now: float) -> None:
        """The page rendered the offer card of ``cid`` (with the screen pop the frame carried)."""
        self._offer({"contact_id": cid, "screen_pop": True}, now)

    async def _handle(self, cid: str) -> None:
        """Accept, talk a random handle time, end and wrap up, as an agent at the desktop does."""
        lo, hi = self.run.args.handle
        steps = [("accept", None), ("end", None), ("wrapup", {"notes": "bench"})]
        for n, (step, body) in enumerate(steps):
            if n == 1:
                await asyncio.sleep(self.run.rng.uniform(lo, hi))
            try:
                r = await self.http.post(f"/api/agent/contacts/{cid}/{step}", json=body, headers=self.headers)
            except httpx.HTTPError as exc:
                self.run.error(f"{step} {cid}: {exc!r}")
                return
            if step == "accept" and r.status_code == 404:  # it rang out first (an overloaded server)
                self.run.expired += 1
                return
            if r.status_code != 200:
                self.run.error(f"{step} {cid}: {r.status_code} {r.text[:200]}")
                return
        self.run.handled += 1


async def _lag_monitor(lags: list[float], stop: asyncio.Event) -> None:
    """How late the client's event loop wakes from a 10 ms sleep."""
    while not stop.is_set():
        t = time.perf_counter()
        await asyncio.sleep(0.01)
        lags.append(max(0.0, time.perf_counter() - t - 0.01))


async def _offer_contacts(run: Run, http: httpx.AsyncClient, admin: dict[str, str]) -> int:
    """POST chat contacts at ``--rate`` per second for ``--seconds`` (open loop: a late answer never delays
    the next contact)."""
    args = run.args
    total = int(args.rate * args.seconds)
    pending: set[asyncio.Task[None]] = set()

    async def post(i: int) -> None:
        cid = f"bench-{i}"
        body = {"channel": "chat", "contact_id": cid, "caller_id": f"visitor-{i % args.customers}",
                "customer_name": f"Customer {i % args.customers}", "text": f"Hello, question {i}"}
        run.sent[cid] = time.perf_counter()
        try:
            r = await http.post("/api/contacts", json=body, headers=admin)
        except httpx.HTTPError as exc:
            run.error(f"create {cid}: {exc!r}")
            return
        if r.status_code != 201:
            run.error(f"create {cid}: {r.status_code} {r.text[:200]}")

    start = time.perf_counter()
    for i in range(total):
        delay = start + i / args.rate - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        task = asyncio.create_task(post(i))
        pending.add(task)
        task.add_done_callback(pending.discard)
    if pending:
        await asyncio.wait(pending)
    return total


async def _cpu_pct(server: Server, seconds: float) -> float:
    """The server's CPU over ``seconds`` of wall time, as percent of one core."""
    cpu, wall = server.cpu_s(), time.perf_counter()
    await asyncio.sleep(seconds)
    return 100 * (server.cpu_s() - cpu) / (time.perf_counter() - wall)


async def _run(args: argparse.Namespace, server: Server) -> dict[str, Any]:
    run = Run(args)
    limits = httpx.Limits(max_connections=400, max_keepalive_connections=400)
    async with httpx.AsyncClient(base_url=server.url, timeout=120, limits=limits) as http, AsyncExitStack() as stack:
        users = await _setup(http, args.desktops, args.capacity)
        admin = {"Authorization": f"Bearer {await _token(http, 'admin', ADMIN_PASSWORD)}"}
        await asyncio.sleep(1)
        baseline = await _cpu_pct(server, args.idle_seconds)
        desktops = [Desktop(run, http, u, server.url.replace("http://", "ws://") + "/ws/agent") for u in users]
        gate = asyncio.Semaphore(16)

        async def sign_in(d: Desktop) -> str:
            async with gate:
                return await d.sign_in()

        tokens = await asyncio.gather(*(sign_in(d) for d in desktops))
        readies = [asyncio.Event() for _ in desktops]
        k = min(args.pages, len(desktops))
        sockets = [asyncio.create_task(d.run_socket(t, r))
                   for d, t, r in zip(desktops[k:], tokens[k:], readies[k:], strict=True)]
        pages = await stack.enter_async_context(Pages()) if k else None
        for d, ready in zip(desktops[:k], readies[:k], strict=True):
            assert pages is not None
            d.page = True
            await pages.open(server.url + "/desktop", d.user, AGENT_PASSWORD, d.on_page_offer)
            ready.set()
        await asyncio.wait_for(asyncio.gather(*(r.wait() for r in readies)), 120)
        print(f"desktop: {len(desktops)} desktops signed in and connected; idle window", file=sys.stderr, flush=True)
        await asyncio.sleep(2)  # let the connection burst settle
        idle = await _cpu_pct(server, args.idle_seconds)

        lags: list[float] = []
        stop = asyncio.Event()
        monitor = asyncio.create_task(_lag_monitor(lags, stop))
        cpu0, wall0, client0 = server.cpu_s(), time.perf_counter(), time.process_time()
        total = await _offer_contacts(run, http, admin)
        load_wall = time.perf_counter() - wall0
        load_cpu = 100 * (server.cpu_s() - cpu0) / load_wall
        client_cpu = 100 * (time.process_time() - client0) / load_wall
        deadline = time.perf_counter() + 30
        while run.offers < total and time.perf_counter() < deadline:
            await asyncio.sleep(0.1)
        stop.set()
        await monitor
        for d in desktops:  # let the conversations in progress finish, so the server log stays clean
            if d.tasks:
                await asyncio.wait(d.tasks, timeout=args.handle[1] + 10)
        drained_cpu_s = server.cpu_s() - cpu0  # every contact offered, handled and wrapped up
        for s in sockets:
            s.cancel()
        dead = [s for s in sockets if s.done() and not s.cancelled() and s.exception() is not None]
        if dead:
            run.error(f"{len(dead)} sockets failed, first: {dead[0].exception()!r}")
        for problem in pages.errors if pages is not None else ():
            run.error(f"page: {problem}")
    n = args.desktops
    return {"desktops": n, "contacts_per_s": round(total / load_wall, 1), "contacts_sent": total,
            "offers_measured": run.offers, "offers_with_screen_pop": run.with_pop,
            "offer_to_screen_p50_ms": _ms(run.latencies, 0.5), "offer_to_screen_p99_ms": _ms(run.latencies, 0.99),
            "offer_to_screen_max_ms": _ms(run.latencies, 1.0), "pages": args.pages,
            "pages_offers_measured": len(run.page_latencies),
            "pages_offer_to_screen_p50_ms": _ms(run.page_latencies, 0.5),
            "pages_offer_to_screen_p99_ms": _ms(run.page_latencies, 0.99),
            "cpu_per_desktop_pct": round((idle - baseline) / n, 4) + 0.0 if n else None,
            "server_cpu_idle_pct": round(idle, 2), "server_cpu_baseline_pct": round(baseline, 2),
            "server_cpu_load_pct": round(load_cpu, 1),
            "server_cpu_ms_per_contact": round(1000 * drained_cpu_s / max(1, total), 1),
            "cpu_per_desktop_load_pct": round((load_cpu - baseline) / n, 3) if n else None,
            "contacts_handled": run.handled, "offers_expired": run.expired, "max_contacts_per_desktop": run.peak,
            "client_lag_p99_ms": _ms(lags, 0.99), "client_cpu_load_pct": round(client_cpu, 1),
            "target_p99_ms": TARGET_P99_MS,
            "database": server.database.split(":", 1)[0], "errors": run.errors[:5]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--desktops", type=int, default=200, help="simulated agent desktops")
    parser.add_argument("--rate", type=float, default=50.0, help="contacts offered per second")
    parser.add_argument("--seconds", type=float, default=20.0, help="how long contacts are offered")
    parser.add_argument("--idle-seconds", type=float, default=5.0, help="each idle CPU window")
    parser.add_argument("--handle", type=float, nargs=2, default=(2.0, 8.0), metavar=("MIN", "MAX"),
                        help="random handle time of a conversation, seconds")
    parser.add_argument("--capacity", type=int, default=6, help="chats an agent may hold at once")
    parser.add_argument("--customers", type=int, default=2000, help="distinct customers the contacts come from")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--pages", type=int, default=0,
                        help="how many of the desktops are real headless Chromium pages of /desktop")
    parser.add_argument("--database", default=None, help="SQLAlchemy URL (default: a fresh SQLite file)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="blendcc-bench-desktop-") as tmp:
        server = Server(Path(tmp), args.database)
        server.start()
        try:
            result = asyncio.run(_run(args, server))
        finally:
            server.stop()
    print(f"desktop: {result['desktops']} desktops, {result['contacts_sent']} chat contacts at "
          f"{result['contacts_per_s']}/s: {result['offers_measured']} offers measured "
          f"({result['offers_with_screen_pop']} with a screen pop), offer-to-screen p50 "
          f"{result['offer_to_screen_p50_ms']} ms, p99 {result['offer_to_screen_p99_ms']} ms, max "
          f"{result['offer_to_screen_max_ms']} ms (target p99 < {TARGET_P99_MS:.0f} ms); {result['offers_expired']} "
          f"rang out before the accept; client loop lag p99 {result['client_lag_p99_ms']} ms, client CPU "
          f"{result['client_cpu_load_pct']}% of a core", file=sys.stderr)
    if result["pages"]:
        print(f"desktop: {result['pages']} Chromium pages of /desktop: {result['pages_offers_measured']} offer cards "
              f"on screen, p50 {result['pages_offer_to_screen_p50_ms']} ms, p99 "
              f"{result['pages_offer_to_screen_p99_ms']} ms", file=sys.stderr)
    print(f"desktop: server CPU {result['server_cpu_baseline_pct']}% of a core with no desktop, "
          f"{result['server_cpu_idle_pct']}% with {result['desktops']} idle desktops "
          f"({result['cpu_per_desktop_pct']}% each), {result['server_cpu_load_pct']}% under load "
          f"({result['cpu_per_desktop_load_pct']}% each, {result['server_cpu_ms_per_contact']} ms of server CPU per "
          f"contact with its accept, end and wrap-up)", file=sys.stderr)
    print(json.dumps(result))
    if result["errors"] or result["offers_measured"] < result["contacts_sent"]:
        sys.exit(1)


if __name__ == "__main__":
    main()
