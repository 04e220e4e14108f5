"""Server load: 1,000 agents on real ``/ws/agent`` sockets, 100 new contacts/s, offer latency, CPU and memory.

A real ``blendcc serve`` process on a fresh database (a SQLite file, and a throwaway PostgreSQL schema;
``--db sqlite|postgres|both``, both by default). Setup, through the product's REST API (concurrently): a skill,
a chat queue asking for it (wrap-up until the agent completes), its workflow, ``--agents`` agents having the
skill, one agent user each. Every scripted agent then does what the desktop does: it signs in
(``/api/auth/token``), logs in available, opens ``/ws/agent`` with the bearer subprotocol and reads every
pushed frame. On each offer frame it accepts (REST), keeps the conversation a random ``--handle`` time, ends
it and completes its wrap-up, so the centre stays in a steady state (about rate x mean handle agents busy).

Load: chat contacts through the generic inbound channel (``POST /api/contacts``, what a channel adapter
calls: the contact is stored before the answer), open loop at ``--rate`` per second for ``--duration``
seconds of wall time (300 by default; ``--quick``: 20 s; a client that falls behind sends late, and
``contacts_per_s`` is the rate it reached), from a pool of ``--customers`` returning customers (every
offer carries a real screen pop).

Figures:
- offer latency: from the moment a contact's POST is sent (client clock) to the moment its offer frame is
  read off the agent's socket (one process, one monotonic clock); p50, p99, max.
- errors: HTTP failures of any request (create, accept, end, wrap-up), sockets closed by the server, offers
  that rang out before the accept, contacts created but never offered within 30 s of the end of the load.
- the server process's CPU (percent of one core) and RSS, sampled every ``--sample`` seconds from /proc;
  ``rss_growth_mb`` = RSS at the end of the load less RSS after the warm-up (``--warmup`` seconds of load).
- ``client_lag_p99_ms``: how late the bench's own event loop ran (the client shares the machine's cores).

``--profile OUT``: the server runs under ``bench/stack_sampler.py`` (a sampling profiler of every thread);
the collapsed stacks go to ``OUT-<database>``, the self and inclusive shares per function to ``OUT-<database>.top``.

Several nodes (``--nodes N``, PostgreSQL only): N ``blendcc serve`` processes in cluster mode (ADR 0053) on one
fresh PostgreSQL schema and one Redis (``--redis``; the run's keys under a fresh prefix, deleted at the end). The
bench waits for one routing leader, then spreads the agents (their REST calls and their socket) and the contact
POSTs round-robin over the nodes: the standbys forward the requests and relay the sockets to the leader. The
figures are the same, with each node's CPU, RSS, contacts posted and offers read under ``per_node``; the CPU
and RSS figures of the run are the sums over the nodes. ``--lease-ttl S`` sets the routing lease's lifetime
(``BLENDCC_LEASE_TTL_S``): on a machine shared with other jobs, a leader starved of CPU for longer than the default
3 s misses its renewals and a standby takes over mid-run (``per_node``'s roles are those at the start).

    python bench/server.py [--agents 1000] [--rate 100] [--duration 300 | --quick] [--db both] [--nodes 1]

The last line is one JSON object: ``agents``, ``contacts_per_s``, ``offer_p50_ms``, ``offer_p99_ms``,
``errors``, ``nodes``, ``rss_growth_mb`` (with two databases: the worse of the two runs for each figure) and
``runs`` (each database's figures, the CPU and RSS samples included).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NoReturn

import httpx
from websockets.asyncio.client import connect

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

from bench_chat import ADMIN_PASSWORD, AGENT_PASSWORD, Server, _percentile, _token
from server_nodes import nodes, wait_for_leader

TARGET_P99_MS = 100.0
AGENTS_PER_CLIENT = 25
DRAIN_S = 30.0  # how long after the load every created contact may still take to be offered
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"


def _ms(values: list[float], q: float) -> float | None:
    value = _percentile(values, q)
    return None if value is None else round(1000 * value, 1)


class Probe:
    """The server process's CPU seconds and RSS, read from /proc."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.tick = os.sysconf("SC_CLK_TCK")

    def cpu_s(self) -> float:
        fields = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / self.tick

    def rss_mb(self) -> float:
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        return 0.0


class Run:
    """What every scripted agent of one run shares: send times, latencies, counters, errors."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.sent: dict[str, float] = {}
        self.created: set[str] = set()
        self.offered: set[str] = set()
        self.latencies: list[float] = []
        self.handled = 0
        self.expired = 0
        self.errors = 0
        self.error_kinds: dict[str, int] = {}
        self.samples: list[str] = []
        self.offers_by_node = [0] * args.nodes  # first offers read off the sockets opened on each node
        self.rng = random.Random(args.seed)

    def error(self, kind: str, text: str) -> None:
        self.errors += 1
        self.error_kinds[kind] = self.error_kinds.get(kind, 0) + 1
        if len(self.samples) < 5:
            self.samples.append(text[:300])


class Agent:
    """One scripted agent: REST for its actions, ``/ws/agent`` for what is pushed to it."""

    def __init__(self, run: Run, http: httpx.AsyncClient, user: str, ws_url: str, node: int = 0) -> None:
        self.run, self.http, self.user, self.ws_url, self.node = run, http, user, ws_url, node
        self.headers: dict[str, str] = {}
        self.tasks: set[asyncio.Task[None]] = set()
        self.closing = False

    async def sign_in(self) -> str:
        token = await _token(self.http, self.user, AGENT_PASSWORD)
        self.headers = {"Authorization": f"Bearer {token}"}
        r = await self.http.post("/api/agent/login", json={"status": "available"}, headers=self.headers)
        r.raise_for_status()
        return token

    async def socket(self, token: str, ready: asyncio.Event) -> None:
        try:
            async with connect(self.ws_url, subprotocols=["blendcc.v1", f"bearer.{token}"],  # type: ignore[list-item]
                               max_size=None, ping_interval=None, open_timeout=120) as ws:
                async for raw in ws:
                    now = time.perf_counter()
                    frame = json.loads(raw)
                    stream = frame.get("stream")
                    if stream == "offer":
                        self._offer(str(frame["contact_id"]), now)
                    elif stream == "snapshot":
                        ready.set()
                if not self.closing:
                    self.run.error("socket", f"{self.user}: socket closed by the server ({ws.close_code})")
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            if not self.closing:
                self.run.error("socket", f"{self.user}: {exc!r}")
        finally:
            ready.set()

    def _offer(self, cid: str, now: float) -> None:
        run = self.run
        at = run.sent.get(cid)
        if at is not None and cid not in run.offered:  # a contact's first offer (a re-offer is not measured)
            run.offered.add(cid)
            run.latencies.append(now - at)
            run.offers_by_node[self.node] += 1
        task = asyncio.create_task(self._handle(cid))
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def _handle(self, cid: str) -> None:
        """Accept, talk a random handle time, end and complete the wrap-up."""
        lo, hi = self.run.args.handle
        for n, (step, body) in enumerate((("accept", None), ("end", None), ("wrapup", {"notes": "bench"}))):
            if n == 1:
                await asyncio.sleep(self.run.rng.uniform(lo, hi))
            try:
                r = await self.http.post(f"/api/agent/contacts/{cid}/{step}", json=body, headers=self.headers)
            except httpx.HTTPError as exc:
                self.run.error(step, f"{step} {cid}: {exc!r}")
                return
            if step == "accept" and r.status_code == 404:  # it rang out before the accept arrived
                self.run.expired += 1
                self.run.error("expired", f"accept {cid}: {r.status_code} {r.text[:200]}")
                return
            if r.status_code != 200:
                self.run.error(step, f"{step} {cid}: {r.status_code} {r.text[:200]}")
                return
        self.run.handled += 1


async def _setup(http: httpx.AsyncClient, agents: int) -> list[str]:
    """A skill, a chat queue asking for it, its workflow; ``agents`` agents with the skill, one user each."""
    admin = {"Authorization": f"Bearer {await _token(http, 'admin', ADMIN_PASSWORD)}"}
    gate = asyncio.Semaphore(8)

    async def put(path: str, body: dict[str, Any]) -> None:
        async with gate:
            r = await http.put(path, json=body, headers=admin)
        if r.status_code not in (200, 201):
            raise RuntimeError(f"PUT {path}: {r.status_code} {r.text[:300]}")

    await put("/api/config/skills/support", {"name": "Support"})
    await put("/api/config/queues/support", {"name": "Support", "skills": {"support": 1}, "wrap_up_s": None,
                                             "offer_timeout_s": 60})
    await put("/api/config/workflows/support", {"name": "Support", "channels": ["chat"],
                                                "default": [{"queue": "support"}]})
    await asyncio.gather(*(put(f"/api/config/agents/s{n}", {
        "name": f"Agent {n}", "queues": ["support"], "skills": {"support": 1 + n % 5},
        "capacity": {"limits": {"voice": 1, "chat": 1}}}) for n in range(agents)))
    await asyncio.gather(*(put(f"/api/users/agent{n}", {"password": AGENT_PASSWORD, "role": "agent",
                                                        "agent_id": f"s{n}"}) for n in range(agents)))
    return [f"agent{n}" for n in range(agents)]


async def _lag_monitor(lags: list[float], stop: asyncio.Event) -> None:
    while not stop.is_set():
        t = time.perf_counter()
        await asyncio.sleep(0.01)
        lags.append(max(0.0, time.perf_counter() - t - 0.01))


async def _sampler(probes: list[Probe], every: float, out: list[dict[str, Any]], stop: asyncio.Event) -> None:
    """CPU (percent of one core over the interval) and RSS of the server every ``every`` seconds (several nodes:
    the sums, and each node's under ``nodes``)."""
    t0 = last_t = time.perf_counter()
    last_cpu = [p.cpu_s() for p in probes]
    while not stop.is_set():
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), every)
        now, cpu = time.perf_counter(), [p.cpu_s() for p in probes]
        each = [{"cpu_pct": round(100 * (c - c0) / (now - last_t), 1), "rss_mb": round(p.rss_mb(), 1)}
                for p, c, c0 in zip(probes, cpu, last_cpu, strict=True)]
        sample: dict[str, Any] = {"t_s": round(now - t0, 1), "cpu_pct": round(sum(e["cpu_pct"] for e in each), 1),
                                  "rss_mb": round(sum(e["rss_mb"] for e in each), 1)}
        if len(probes) > 1:
            sample["nodes"] = each
        out.append(sample)
        last_t, last_cpu = now, cpu


async def _inject(run: Run, https: list[httpx.AsyncClient], admin: dict[str, str], rss_at_warmup: list[list[float]],
                  probes: list[Probe]) -> tuple[int, float]:
    """POST chat contacts at ``--rate`` per second for ``--duration`` (open loop), round-robin over the nodes;
    returns (sent, seconds)."""
    args = run.args
    total = int(args.rate * args.duration)
    pending: set[asyncio.Task[None]] = set()

    async def post(i: int) -> None:
        cid = f"bench-{i}"
        body = {"channel": "chat", "contact_id": cid, "caller_id": f"visitor-{i % args.customers}",
                "customer_name": f"Customer {i % args.customers}", "text": f"Hello, question {i}"}
        run.sent[cid] = time.perf_counter()
        try:
            r = await https[i % len(https)].post("/api/contacts", json=body, headers=admin)
        except httpx.HTTPError as exc:
            run.error("create", f"create {cid}: {exc!r}")
            return
        if r.status_code == 201:
            run.created.add(cid)
        else:
            run.error("create", f"create {cid}: {r.status_code} {r.text[:200]}")

    start = time.perf_counter()
    for i in range(total):
        now = time.perf_counter()
        if now - start > args.duration:  # the client fell behind (a starved machine): stop at the duration
            total = i
            break
        delay = start + i / args.rate - now
        await asyncio.sleep(max(0.0, delay))  # yield even when late, so the sockets and replies are read
        if not rss_at_warmup and now - start >= args.warmup:  # by the clock: a starved client sends fewer
            rss_at_warmup.append([p.rss_mb() for p in probes])
        if i % int(max(1, args.rate * 30)) == 0 and i:
            print(f"  {i} contacts sent, {len(run.offered)} offered, {run.errors} errors", file=sys.stderr, flush=True)
        task = asyncio.create_task(post(i))
        pending.add(task)
        task.add_done_callback(pending.discard)
    if pending:
        await asyncio.wait(pending)
    return total, min(time.perf_counter() - start, args.duration)


async def _run(args: argparse.Namespace, servers: list[Server], leader: int = 0) -> dict[str, Any]:
    run = Run(args)
    probes = []
    for server in servers:
        assert server.proc is not None
        probes.append(Probe(server.proc.pid))
    count = len(servers)
    # small connection pools: httpx's pool scans all its connections for every request (O(pool) each), so the
    # agents share one client per AGENTS_PER_CLIENT (an agent has one request in flight at most) and the
    # contacts have their own; agent n and contact i go to node n % count and i % count
    async with contextlib.AsyncExitStack() as stack:
        def client(url: str, size: int) -> Any:
            # idle connections dropped well before uvicorn's 5 s keep-alive timeout closes them under a request
            # (the margin covers a late client event loop)
            limits = httpx.Limits(max_connections=size, max_keepalive_connections=size, keepalive_expiry=1.0)
            return stack.enter_async_context(httpx.AsyncClient(base_url=url, timeout=120, limits=limits))

        https = [await client(s.url, max(10, 100 // count)) for s in servers]
        http = https[leader]  # the set-up goes to the leader (a standby would forward it there)
        per_node = [len(range(k, args.agents, count)) for k in range(count)]
        pools = [[await client(s.url, AGENTS_PER_CLIENT) for _ in range(0, per_node[k], AGENTS_PER_CLIENT)]
                 for k, s in enumerate(servers)]
        t = time.perf_counter()
        users = await _setup(http, args.agents)
        admin = {"Authorization": f"Bearer {await _token(http, 'admin', ADMIN_PASSWORD)}"}
        agents = [Agent(run, pools[n % count][(n // count) // AGENTS_PER_CLIENT], u,
                        servers[n % count].url.replace("http://", "ws://") + "/ws/agent", n % count)
                  for n, u in enumerate(users)]
        gate = asyncio.Semaphore(16)

        async def sign_in(a: Agent) -> str:
            async with gate:
                return await a.sign_in()

        tokens = await asyncio.gather(*(sign_in(a) for a in agents))
        readies = [asyncio.Event() for _ in agents]
        sockets = [asyncio.create_task(a.socket(tok, r)) for a, tok, r in zip(agents, tokens, readies, strict=True)]
        await asyncio.wait_for(asyncio.gather(*(r.wait() for r in readies)), 300)
        setup_s = time.perf_counter() - t
        print(f"  {len(agents)} agents configured, signed in, available and connected in {setup_s:.0f} s "
              f"(RSS {sum(p.rss_mb() for p in probes):.0f} MB)", file=sys.stderr, flush=True)
        await asyncio.sleep(2)

        lags: list[float] = []
        samples: list[dict[str, Any]] = []
        rss_at_warmup: list[list[float]] = []
        stop = asyncio.Event()
        watchers = [asyncio.create_task(_lag_monitor(lags, stop)),
                    asyncio.create_task(_sampler(probes, args.sample, samples, stop))]
        cpu0, client0 = [p.cpu_s() for p in probes], time.process_time()
        total, load_s = await _inject(run, https, admin, rss_at_warmup, probes)
        rss_end = [p.rss_mb() for p in probes]
        load_cpu = [100 * (p.cpu_s() - c) / load_s for p, c in zip(probes, cpu0, strict=True)]
        client_cpu = 100 * (time.process_time() - client0) / load_s
        deadline = time.perf_counter() + DRAIN_S
        while len(run.offered & run.created) < len(run.created) and time.perf_counter() < deadline:
            await asyncio.sleep(0.1)
        stop.set()
        await asyncio.gather(*watchers)
        never = len(run.created - run.offered)
        for _ in range(never):
            run.error("never offered", "a created contact was never offered")
        busy = {t for a in agents for t in a.tasks}
        if busy:  # let the conversations in progress finish, so the centre ends idle
            await asyncio.wait(busy, timeout=args.handle[1] + 30)
        drained_cpu_s = sum(p.cpu_s() - c for p, c in zip(probes, cpu0, strict=True))  # every contact handled
        for task in busy:
            if not task.done():
                run.error("unfinished", "a conversation's accept, end or wrap-up did not finish in time")
                task.cancel()
        for a in agents:
            a.closing = True
        for s in sockets:
            s.cancel()
        await asyncio.gather(*sockets, return_exceptions=True)
    warm = rss_at_warmup[0] if rss_at_warmup else None
    cpus = [s["cpu_pct"] for s in samples]
    result = {"agents": args.agents, "nodes": count, "contacts_sent": total, "contacts_per_s": round(total / load_s, 1),
              "contacts_created": len(run.created), "offers_measured": len(run.latencies),
              "offer_p50_ms": _ms(run.latencies, 0.5), "offer_p99_ms": _ms(run.latencies, 0.99),
              "offer_max_ms": _ms(run.latencies, 1.0), "errors": run.errors, "error_kinds": run.error_kinds,
              "error_samples": run.samples, "contacts_handled": run.handled, "offers_expired": run.expired,
              "rss_after_warmup_mb": None if warm is None else round(sum(warm), 1),
              "rss_end_mb": round(sum(rss_end), 1),
              "rss_growth_mb": None if warm is None else round(sum(rss_end) - sum(warm), 1),
              "server_cpu_load_pct": round(sum(load_cpu), 1), "server_cpu_max_pct": max(cpus, default=None),
              "server_cpu_ms_per_contact": round(1000 * drained_cpu_s / max(1, total), 1),
              "client_cpu_load_pct": round(client_cpu, 1), "client_lag_p99_ms": _ms(lags, 0.99),
              "setup_s": round(setup_s, 1), "duration_s": args.duration, "samples": samples}
    if count > 1:
        result["per_node"] = [
            {"node": k, "role": "leader" if k == leader else "standby", "agents": per_node[k],
             "contacts_posted": len(range(k, total, count)), "offers_received": run.offers_by_node[k],
             "cpu_load_pct": round(load_cpu[k], 1),
             "cpu_max_pct": max((s["nodes"][k]["cpu_pct"] for s in samples), default=None),
             "rss_after_warmup_mb": None if warm is None else round(warm[k], 1), "rss_end_mb": round(rss_end[k], 1),
             "rss_growth_mb": None if warm is None else round(rss_end[k] - warm[k], 1)} for k in range(count)]
    return result


def _fail(message: str) -> NoReturn:
    raise RuntimeError(message)


@contextlib.contextmanager
def _database(kind: str, tmp: Path, pg_url: str) -> Iterator[str]:
    if kind == "sqlite":
        yield f"sqlite:///{tmp / f'server-{time.monotonic_ns()}.db'}"
        return
    from blendcc.testing.postgres import temporary_schema

    os.environ["BLENDCC_TEST_PG_URL"] = pg_url
    with temporary_schema("bench_server", _fail) as (_schema, url):
        yield url


def _launchers(profile: str | None, kind: str, count: int) -> Iterator[tuple[str, ...]]:
    """What runs each node's ``blendcc.cli``: under the stack sampler with ``--profile`` (OUT-<db>[-n<i>])."""
    for i in range(count):
        if not profile:
            yield ("-m", "blendcc.cli")
            continue
        sampler = str(Path(__file__).resolve().parent / "stack_sampler.py")
        yield (sampler, f"{profile}-{kind}" + (f"-n{i}" if count > 1 else ""), "blendcc.cli")


def _report(kind: str, r: dict[str, Any]) -> None:
    print(f"{kind}: {r['agents']} agents, {r['contacts_sent']} chat contacts at {r['contacts_per_s']}/s for "
          f"{r['duration_s']:g} s: offer p50 {r['offer_p50_ms']} ms, p99 {r['offer_p99_ms']} ms, max "
          f"{r['offer_max_ms']} ms (target p99 < {TARGET_P99_MS:.0f} ms); errors {r['errors']} {r['error_kinds']}; "
          f"{r['contacts_handled']} handled", file=sys.stderr)
    print(f"{kind}: server CPU {r['server_cpu_load_pct']}% of a core under load (max sample "
          f"{r['server_cpu_max_pct']}%, {r['server_cpu_ms_per_contact']} ms per contact with its accept, end and "
          f"wrap-up); RSS {r['rss_after_warmup_mb']} MB after warm-up, {r['rss_end_mb']} MB at the end: growth "
          f"{r['rss_growth_mb']} MB; client CPU {r['client_cpu_load_pct']}%, client loop lag p99 "
          f"{r['client_lag_p99_ms']} ms", file=sys.stderr)
    line = ", ".join(f"{s['t_s']:g}s {s['cpu_pct']:g}%/{s['rss_mb']:g}MB" for s in r["samples"])
    print(f"{kind}: CPU/RSS every {r['samples'][1]['t_s'] - r['samples'][0]['t_s'] if len(r['samples']) > 1 else 0:g} "
          f"s: {line}", file=sys.stderr)
    for n in r.get("per_node", []):
        print(f"{kind}: node {n['node']} ({n['role']}): {n['agents']} agents, {n['contacts_posted']} contacts posted, "
              f"{n['offers_received']} offers read; CPU {n['cpu_load_pct']}% (max {n['cpu_max_pct']}%), RSS "
              f"{n['rss_after_warmup_mb']} -> {n['rss_end_mb']} MB ({n['rss_growth_mb']} MB)", file=sys.stderr)
    for text in r["error_samples"]:
        print(f"  error: {text}", file=sys.stderr)


def _worst(runs: dict[str, dict[str, Any]], key: str, pick: Any) -> Any:
    values = [r[key] for r in runs.values() if r.get(key) is not None]
    return pick(values) if values else None


def main() -> None:
    from blendcc.testing.postgres import DEFAULT_PG_URL

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--agents", type=int, default=1000, help="scripted agents, each on its own socket")
    ap.add_argument("--rate", type=float, default=100.0, help="new contacts per second")
    ap.add_argument("--duration", type=float, default=300.0, help="seconds of load")
    ap.add_argument("--quick", action="store_true", help="20 s of load (warm-up 5 s), to check the set-up")
    ap.add_argument("--warmup", type=float, default=60.0, help="seconds of load before the RSS baseline")
    ap.add_argument("--sample", type=float, default=5.0, help="seconds between CPU/RSS samples")
    ap.add_argument("--handle", type=float, nargs=2, default=(2.0, 8.0), metavar=("MIN", "MAX"),
                    help="random handle time of a conversation, seconds")
    ap.add_argument("--customers", type=int, default=5000, help="distinct returning customers")
    ap.add_argument("--db", choices=("sqlite", "postgres", "both"), default=None,
                    help="both by default with one node, postgres with several")
    ap.add_argument("--postgres", default=DEFAULT_PG_URL, help="PostgreSQL server URL (a throwaway schema is used)")
    ap.add_argument("--nodes", type=int, default=1, help="blendcc serve processes (above 1: cluster mode, PostgreSQL)")
    ap.add_argument("--redis", default=DEFAULT_REDIS_URL, help="Redis URL for several nodes (a fresh key prefix)")
    ap.add_argument("--lease-ttl", type=float, default=None, metavar="S",
                    help="several nodes: the routing lease's lifetime (BLENDCC_LEASE_TTL_S, default 3 s); a leader "
                         "starved of CPU on a shared machine misses its renewals and the lease changes hands")
    ap.add_argument("--node-url", nargs="+", default=None, help="not supported: the bench starts its own nodes")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--profile", default=None, metavar="OUT",
                    help="run the server under bench/stack_sampler.py; its stacks go to OUT-<database>[.top]")
    args = ap.parse_args()
    if args.quick:
        args.duration, args.warmup = 20.0, 5.0
    if min(args.agents, args.rate, args.duration, args.sample, args.customers) <= 0 or args.warmup < 0 \
            or args.warmup >= args.duration or not 0 <= args.handle[0] <= args.handle[1]:
        print("--agents, --rate, --duration, --sample, --customers must be positive, --warmup shorter than "
              "--duration, and 0 <= MIN <= MAX for --handle", file=sys.stderr)
        raise SystemExit(2)
    if args.nodes < 1:
        print("--nodes must be at least 1", file=sys.stderr)
        raise SystemExit(2)
    if args.node_url is not None:
        print("--node-url is not supported: the bench starts its own nodes on a fresh database (use --nodes N)",
              file=sys.stderr)
        raise SystemExit(2)
    if args.db is None:
        args.db = "both" if args.nodes == 1 else "postgres"
    if args.nodes > 1 and args.db != "postgres":
        print(f"--nodes {args.nodes}: several nodes share one PostgreSQL database (cluster mode); SQLite cannot be "
              "shared by several nodes: use --db postgres (the default with --nodes above 1)", file=sys.stderr)
        raise SystemExit(2)
    kinds = ["sqlite", "postgresql"] if args.db == "both" else ["postgresql" if args.db == "postgres" else "sqlite"]
    runs: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory(prefix="blendcc-bench-server-") as tmp:
        for kind in kinds:
            print(f"{kind}: starting blendcc serve" + (f" x {args.nodes} (cluster)" if args.nodes > 1 else ""),
                  file=sys.stderr, flush=True)
            try:
                with _database(kind, Path(tmp), args.postgres) as url:
                    workdir = Path(tmp) / kind
                    workdir.mkdir()
                    with nodes(args.nodes, workdir, url, _launchers(args.profile, kind, args.nodes),
                               args.redis, args.lease_ttl) as servers:
                        leader = wait_for_leader(servers) if args.nodes > 1 else 0
                        if args.nodes > 1:
                            print(f"{kind}: node {leader} is the routing leader", file=sys.stderr, flush=True)
                        runs[kind] = asyncio.run(_run(args, servers, leader))
            except RuntimeError as exc:
                if kind == "postgresql" and "PostgreSQL is required" in str(exc):
                    print(f"{kind}: not measured ({exc})", file=sys.stderr)
                    continue
                raise
            _report(kind, runs[kind])
    result = {"agents": args.agents, "contacts_per_s": _worst(runs, "contacts_per_s", min),
              "offer_p50_ms": _worst(runs, "offer_p50_ms", max), "offer_p99_ms": _worst(runs, "offer_p99_ms", max),
              "errors": sum(r["errors"] for r in runs.values()), "nodes": args.nodes,
              "rss_growth_mb": _worst(runs, "rss_growth_mb", max), "target_p99_ms": TARGET_P99_MS,
              "duration_s": args.duration, "databases": list(runs), "runs": runs}
    print(json.dumps(result))
    if result["errors"]:
        sys.exit(1)


if __name__ == "__main__":
    main()
