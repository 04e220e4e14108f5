"""Durable accepted contacts per second: many concurrent callers create contacts through ``ContactService``
(the path ``POST /api/contacts`` takes: the ``Commands`` port, the single writer, the SQL event store),
with group commit on and off, on SQLite (WAL, synchronous=FULL) and on PostgreSQL.

A contact counts once ``create`` has returned, i.e. after its events were committed. At the end the log
is read back: every acknowledged contact must be stored. Then ``bench/restart.py`` times a restart with a
log of a million events and week-old open emails, without and with a snapshot (ADR 0052):
``restart_s_1m_events`` is the time from process start to ``/ready`` with the snapshot.

    PYTHONPATH=src python bench/commit.py [--seconds 5] [--callers 64] [--postgres URL | --no-postgres]
                                          [--restart-events 1000000 | --no-restart]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NoReturn

from blendcc.app.acd.contacts import NewContact
from blendcc.bootstrap import build_container
from blendcc.config import Settings
from blendcc.domain.channels import Channel
from blendcc.routing.commands import LogIn
from blendcc.testing.postgres import DEFAULT_PG_URL, temporary_schema

AGENTS = 20


def _configure(c: Any) -> None:
    """One queue, one workflow, a few agents logged in (most contacts wait in line, as in a burst)."""
    c.config.put("queues", "q", {"name": "Queue", "wrap_up_s": None, "offer_timeout_s": 600}, "bench")
    c.config.put("workflows", "w", {"name": "Main", "default": [{"queue": "q"}]}, "bench")
    for n in range(AGENTS):
        c.config.put("agents", f"a{n}", {"name": f"a{n}", "queues": ["q"]}, "bench")
        c.runtime.execute(LogIn(f"a{n}"))


def _pct(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return round(1000 * ordered[min(len(ordered) - 1, int(q * len(ordered)))], 2)


def run(url: str, group_commit: bool, callers: int, seconds: float) -> dict[str, Any]:
    """Create contacts from ``callers`` threads for ``seconds``; return the figures."""
    settings = Settings(database_url=url, admin_password="bench-admin-pw", secret_key="bench-secret-key-0123456789",
                        timezone="UTC", group_commit=group_commit)
    c = build_container(settings)
    try:
        _configure(c)
        batches: list[int] = []
        commit_s: list[float] = []

        def observe(n: int, s: float) -> None:
            batches.append(n)
            commit_s.append(s)

        c.runtime.batch_observers.append(observe)
        acked: list[list[str]] = [[] for _ in range(callers)]
        waits: list[list[float]] = [[] for _ in range(callers)]  # each acknowledged create, seconds
        errors: list[str] = []
        start = threading.Barrier(callers + 1)
        stop = threading.Event()

        def caller(k: int) -> None:
            mine, took = acked[k], waits[k]
            start.wait()
            i = 0
            while not stop.is_set():
                try:
                    t = time.perf_counter()
                    out = c.contacts.create(NewContact(channel=Channel.VOICE, contact_id=f"k{k}-{i}"))
                    took.append(time.perf_counter() - t)
                    mine.append(out["contact_id"])
                except Exception as exc:
                    errors.append(repr(exc))
                i += 1

        threads = [threading.Thread(target=caller, args=(k,), daemon=True) for k in range(callers)]
        for th in threads:
            th.start()
        start.wait()
        t0 = time.perf_counter()
        time.sleep(seconds)
        stop.set()
        for th in threads:
            th.join(60)
        elapsed = time.perf_counter() - t0
        done = [cid for mine in acked for cid in mine]
        stored = {s.event.contact_id for s in c.store.events_of_type(["ContactCreated"])}
        lost = sum(1 for cid in done if cid not in stored)
        latency = [w for mine in waits for w in mine]
        return {"contacts": len(done), "contacts_per_s": round(len(done) / elapsed, 1), "errors": len(errors),
                "lost": lost, "commits": len(batches),
                "mean_batch": round(statistics.fmean(batches), 1) if batches else None,
                "max_batch": max(batches, default=None),
                "commit_p50_ms": _pct(commit_s, 0.5), "commit_p99_ms": _pct(commit_s, 0.99),
                "create_p50_ms": _pct(latency, 0.5), "create_p99_ms": _pct(latency, 0.99)}
    finally:
        c.store.engine.dispose()


class _Unreachable(Exception):
    """The PostgreSQL server cannot be reached."""


def _fail(message: str) -> NoReturn:
    raise _Unreachable(message)


@contextmanager
def _database(kind: str, tmp: Path, pg_url: str) -> Iterator[str]:
    if kind == "sqlite":
        path = tmp / f"commit-{time.monotonic_ns()}.db"
        yield f"sqlite:///{path}"
    else:
        import os

        os.environ["BLENDCC_TEST_PG_URL"] = pg_url
        with temporary_schema("bench_commit", _fail) as (_schema, url):
            yield url


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seconds", type=float, default=5.0, help="length of each run")
    ap.add_argument("--callers", type=int, default=64, help="concurrent callers (threads)")
    ap.add_argument("--postgres", default=DEFAULT_PG_URL, help="PostgreSQL server URL (a throwaway schema is used)")
    ap.add_argument("--no-postgres", action="store_true", help="SQLite only")
    ap.add_argument("--restart-events", type=int, default=1_000_000, help="events in the restart bench's log")
    ap.add_argument("--no-restart", action="store_true", help="skip the restart bench (several minutes)")
    args = ap.parse_args()
    if args.seconds <= 0 or args.callers <= 0 or args.restart_events < 1000:
        print("--seconds and --callers must be positive, --restart-events at least 1000", file=sys.stderr)
        raise SystemExit(2)
    kinds = ["sqlite"] if args.no_postgres else ["sqlite", "postgresql"]
    best: dict[str, float | None] = {"sqlite": None, "postgresql": None}
    with tempfile.TemporaryDirectory(prefix="bench-commit-") as tmp:
        for kind in kinds:
            for group_commit in (True, False):
                try:
                    with _database(kind, Path(tmp), args.postgres) as url:
                        r = run(url, group_commit, args.callers, args.seconds)
                except _Unreachable as exc:
                    print(f"{kind}: not measured ({exc})")
                    break
                label = f"{kind:10s} group commit {'on ' if group_commit else 'off'}"
                print(f"{label}: {r['contacts_per_s']:8.1f} contacts/s durable ({r['contacts']} in "
                      f"{args.seconds:g} s, {args.callers} callers); {r['commits']} commits, mean batch "
                      f"{r['mean_batch']}, max {r['max_batch']}; commit p50 {r['commit_p50_ms']} ms, "
                      f"p99 {r['commit_p99_ms']} ms; create p50 {r['create_p50_ms']} ms, p99 {r['create_p99_ms']} ms; "
                      f"errors {r['errors']}, lost {r['lost']}")
                if r["lost"]:
                    print(f"  LOST {r['lost']} acknowledged contacts", file=sys.stderr)
                if group_commit:
                    best[kind] = r["contacts_per_s"] if not r["lost"] else 0.0
    restart_s: float | None = None
    if not args.no_restart:
        from restart import measure  # bench/restart.py, next to this file

        with tempfile.TemporaryDirectory(prefix="bench-restart-") as tmp:
            r = measure(f"sqlite:///{Path(tmp) / 'restart.db'}", args.restart_events, Path(tmp) / "server.log")
        restart_s = r["restart_s_with_snapshot"]
        print(f"restart (sqlite, {r['events']} events, week-old open emails): start to /ready "
              f"{r['restart_s_without_snapshot']} s without a snapshot, {restart_s} s with one; CPU "
              f"{r['restart_cpu_s_without_snapshot']} s and {r['restart_cpu_s_with_snapshot']} s (load average "
              f"{r['load_average']:.1f}) "
              f"({r['snapshot_bytes']} bytes; taking it held the writer {r['capture_ms']} ms)")
    print(json.dumps({"sqlite_contacts_per_s": best["sqlite"], "postgres_contacts_per_s": best["postgresql"],
                      "restart_s_1m_events": restart_s}))


if __name__ == "__main__":
    main()
