"""Restart to serving with a long event log (ADR 0052, 0059): builds a log of about a million events spanning a week,
with emails that have waited all week (open: a restart without a snapshot replays from the oldest of them), then times
``blendcc serve`` from process start to ``/ready`` answering 200, without a snapshot and with one (taken by the
clean shutdown of the first run), on SQLite and on PostgreSQL. Each start's phases (imports, migrations check,
wiring, snapshot load, log replay, statistics warm-up, app, listeners; wall and CPU seconds) are read from the
server's ``startup:`` log line and printed. The server runs with compiled bytecode allowed (``PYTHONDONTWRITEBYTECODE``
is removed from its environment), as an installed package runs.

    PYTHONPATH=src python bench/restart.py [--events 1000000] [--postgres URL | --no-postgres]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NoReturn

import httpx

from blendcc.adapters.storage.engine import make_engine
from blendcc.adapters.storage.migrate import migrate
from blendcc.adapters.storage.snapshot_repo import SqlSnapshotStore
from blendcc.adapters.storage.sql_repos import SqlConfigRepository
from blendcc.adapters.storage.sql_store import SqlStore
from blendcc.domain.agent import AgentConfig, Capacity
from blendcc.domain.channels import Channel
from blendcc.domain.queue import QueueConfig
from blendcc.routing.catalog import build_catalog
from blendcc.routing.engine import Engine
from blendcc.routing.workflow import Target, Workflow
from blendcc.testing.postgres import DEFAULT_PG_URL, temporary_schema

WEEK_S = 7 * 86400
AGENTS = 50
OLD_EMAILS = 200
CHUNK = 5000
ADMIN_PASSWORD = "bench-admin-pw-0123"


def _config(db: Any) -> tuple[list[QueueConfig], list[AgentConfig], list[Workflow]]:
    """Stored configuration (what the server loads) and the same as routing objects; agents answer voice only,
    so the emails wait, open, all week."""
    queues = [QueueConfig(id="q", name="Queue", wrap_up_s=0, offer_timeout_s=30)]
    agents = [AgentConfig(id=f"a{n}", name=f"a{n}", queues=["q"], capacity=Capacity(limits={Channel.VOICE: 1}))
              for n in range(AGENTS)]
    workflows = [Workflow(id="w", name="Main", default=[Target(queue="q")])]
    repo = SqlConfigRepository(db)
    for kind, docs in (("queues", queues), ("agents", agents), ("workflows", workflows)):
        for doc in docs:
            repo.put(kind, doc.id, doc.model_dump(mode="json"), 0.0, "bench")
    return queues, agents, workflows


def build_log(url: str, events: int) -> int:
    """Fill a migrated database with about ``events`` events over the past week; return how many."""
    migrate(url)
    db = make_engine(url)
    try:
        queues, agents, workflows = _config(db)
        catalog = build_catalog(queues, [], agents, workflows, None)
        store = SqlStore(db)
        now = time.time() - WEEK_S
        engine = Engine(catalog, now)
        pending: list[Any] = []
        for n in range(OLD_EMAILS):
            pending += engine.create_contact(f"mail{n}", "email", now + n)
        for a in agents:
            pending += engine.login(a.id, now + OLD_EMAILS)
        step = WEEK_S / (events / 11)  # ~11 events per answered call
        t = now + OLD_EMAILS + 1
        total = n = 0
        while total + len(pending) < events:
            cid = f"v{n}"
            n += 1
            t += step
            out = engine.create_contact(cid, "voice", t)
            c = engine.contacts.get(cid)
            if c is not None and c.agent_id is not None:
                aid = c.agent_id
                out += engine.accept(cid, aid, t + 1)
                out += engine.end(cid, aid, t + 2)
            pending += out
            if len(pending) >= CHUNK:
                store.append(pending)
                total += len(pending)
                pending = []
        if pending:
            store.append(pending)
            total += len(pending)
        return total
    finally:
        db.dispose()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def cpu_s(pid: int) -> float | None:
    """CPU seconds (user + system) the process has used so far (Linux ``/proc``; None elsewhere): unlike wall time,
    it does not grow when other jobs share the machine."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def time_to_ready(url: str, log: Path) -> tuple[float, subprocess.Popen[bytes], str]:
    """Start ``blendcc serve``; seconds until ``/ready`` answers 200, the process, its base URL (the process's
    CPU seconds to that point are in ``proc.cpu_to_ready``)."""
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env = {**env, "BLENDCC_ADMIN_PASSWORD": ADMIN_PASSWORD, "BLENDCC_SECRET_KEY": "bench-secret-key-0123456789",
           "BLENDCC_LOG_LEVEL": "info", "BLENDCC_TIMEZONE": "UTC"}
    started = time.perf_counter()
    with open(log, "ab") as out:
        proc = subprocess.Popen([sys.executable, "-m", "blendcc.cli", "serve", "--port", str(port),
                                 "--database-url", url], stdout=out, stderr=subprocess.STDOUT, env=env)
    base = f"http://127.0.0.1:{port}"
    while True:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}:\n{log.read_text()[-3000:]}")
        try:
            if httpx.get(base + "/ready", timeout=1.0).status_code == 200:
                elapsed = time.perf_counter() - started
                proc.cpu_to_ready = cpu_s(proc.pid)  # type: ignore[attr-defined]
                return elapsed, proc, base
        except httpx.HTTPError:
            pass
        time.sleep(0.05)


def stop(proc: subprocess.Popen[bytes]) -> None:
    """A clean shutdown (SIGINT, as Ctrl-C): the server writes its snapshot on the way out."""
    proc.send_signal(signal.SIGINT)
    try:
        proc.wait(120)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


PHASES = re.compile(r"startup: serving ([\d.]+) s after the process started \(([\d.]+) s CPU\); "
                    r"phases \(wall/CPU s\): (.*)$", re.MULTILINE)


def phases(log: Path, n: int) -> dict[str, Any] | None:
    """The ``n``-th start's phases from the server log: total and per phase, wall and CPU seconds."""
    found = PHASES.findall(log.read_text())
    if len(found) <= n:
        return None
    wall, cpu, rest = found[n]
    parts = {}
    for item in rest.split(", "):
        name, figures = item.rsplit(" ", 1)
        w, c = figures.split("/")
        parts[name] = (float(w), float(c))
    return {"wall_s": float(wall), "cpu_s": float(cpu), "phases": parts}


def measure(url: str, events: int, log: Path, starts_with_snapshot: int = 2) -> dict[str, Any]:
    """Build the log, then time a start without a snapshot and ``starts_with_snapshot`` with the one the first left."""
    t = time.perf_counter()
    stored = build_log(url, events)
    build_s = time.perf_counter() - t
    without, proc, _ = time_to_ready(url, log)
    cpu_without = proc.cpu_to_ready  # type: ignore[attr-defined]
    load_without = os.getloadavg()[0]
    stop(proc)
    db = make_engine(url)
    try:
        snaps = SqlSnapshotStore(db).latest_snapshots(1)
    finally:
        db.dispose()
    if not snaps:
        raise RuntimeError(f"the clean shutdown left no snapshot:\n{log.read_text()[-3000:]}")
    runs = []
    for _ in range(starts_with_snapshot):
        wall, proc, _ = time_to_ready(url, log)
        runs.append((wall, proc.cpu_to_ready, os.getloadavg()[0]))  # type: ignore[attr-defined]
        stop(proc)
    taken = re.findall(r"snapshot at seq \d+: \d+ bytes, ([\d.]+) ms under the writer lock, ([\d.]+) ms to encode",
                       log.read_text())
    return {"events": stored, "build_s": round(build_s, 1), "restart_s_without_snapshot": round(without, 2),
            "restart_s_with_snapshot": round(runs[0][0], 2), "snapshot_bytes": len(snaps[0][2]),
            "restart_cpu_s_without_snapshot": cpu_without, "restart_cpu_s_with_snapshot": runs[0][1],
            "load_average": runs[0][2], "load_average_without": load_without,
            "with_snapshot_runs": [{"wall_s": round(w, 2), "cpu_s": c, "load": round(la, 1)} for w, c, la in runs],
            "phases_without": phases(log, 0), "phases_with": [phases(log, n + 1) for n in range(len(runs))],
            "snapshot_seq": snaps[0][0], "capture_ms": float(taken[0][0]) if taken else None,
            "encode_write_ms": float(taken[0][1]) if taken else None}


def _fail(message: str) -> NoReturn:
    print(message, file=sys.stderr)
    raise SystemExit(2)


@contextmanager
def database(kind: str, tmp: Path, pg_url: str) -> Iterator[str]:
    """A fresh SQLite file, or a fresh schema on the PostgreSQL server at ``pg_url`` (dropped afterwards)."""
    if kind == "sqlite":
        yield f"sqlite:///{tmp / 'restart.db'}"
        return
    os.environ["BLENDCC_TEST_PG_URL"] = pg_url
    with temporary_schema("bench_restart", _fail) as (_schema, url):
        yield url


def _phase_line(p: dict[str, Any] | None) -> str:
    if p is None:
        return "(no startup line in the server log)"
    return (f"serving after {p['wall_s']:.2f} s wall, {p['cpu_s']:.2f} s CPU: "
            + ", ".join(f"{n} {w:.2f}/{c:.2f}" for n, (w, c) in p["phases"].items()))


def report(kind: str, r: dict[str, Any]) -> None:
    print(f"{kind}: {r['events']} events (built in {r['build_s']} s); start to /ready: "
          f"{r['restart_s_without_snapshot']} s without a snapshot (CPU {r['restart_cpu_s_without_snapshot']} s, "
          f"load average {r['load_average_without']:.1f}); with one: "
          + "; ".join(f"{x['wall_s']} s (CPU {x['cpu_s']} s, load average {x['load']})"
                      for x in r["with_snapshot_runs"])
          + f" ({r['snapshot_bytes']} bytes at seq {r['snapshot_seq']}; taking it held the writer "
          f"{r['capture_ms']} ms, encoding and writing it took {r['encode_write_ms']} ms off the lock)")
    print(f"  phases without a snapshot (wall/CPU s): {_phase_line(r['phases_without'])}")
    for n, p in enumerate(r["phases_with"], 1):
        print(f"  phases with the snapshot, start {n} (wall/CPU s): {_phase_line(p)}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--events", type=int, default=1_000_000, help="events in the log")
    ap.add_argument("--postgres", default=os.environ.get("BLENDCC_TEST_PG_URL", DEFAULT_PG_URL),
                    help="PostgreSQL server URL (a throwaway schema is used)")
    ap.add_argument("--no-postgres", action="store_true", help="SQLite only")
    args = ap.parse_args()
    if args.events < 1000:
        print("--events must be at least 1000", file=sys.stderr)
        raise SystemExit(2)
    results: dict[str, dict[str, Any]] = {}
    for kind in ("sqlite",) if args.no_postgres else ("sqlite", "postgresql"):
        with tempfile.TemporaryDirectory(prefix="bench-restart-") as tmp, \
                database(kind, Path(tmp), args.postgres) as url:
            results[kind] = r = measure(url, args.events, Path(tmp) / "server.log")
        report(kind, r)
    pg = results.get("postgresql")
    print(json.dumps({"restart_s_1m_events": results["sqlite"]["restart_s_with_snapshot"],
                      "restart_cpu_s_1m_events": results["sqlite"]["restart_cpu_s_with_snapshot"],
                      "restart_s_1m_events_without_snapshot": results["sqlite"]["restart_s_without_snapshot"],
                      "postgres_restart_s_1m_events": None if pg is None else pg["restart_s_with_snapshot"],
                      "postgres_restart_cpu_s_1m_events": None if pg is None else pg["restart_cpu_s_with_snapshot"],
                      "load_average": results["sqlite"]["load_average"]}))


if __name__ == "__main__":
    main()
