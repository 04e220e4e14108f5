"""The 30-day historical report over N interactions (default 1,000,000) on SQLite and PostgreSQL.

Seeding: ``blendcc.sim.report_load`` runs a month of a mid-size centre in the real routing engine (six queues,
voice, chat and email, abandons, overflows, holds, transfers, dispositions, known customers, agents on daily
shifts) and every batch of its events is loaded by ``bulk_append`` (the event rows ``SqlStore.append`` writes,
in one executemany, and the store's own projectors on each batch; tests/storage/test_bulk_load.py shows the
tables equal to ``append``'s), into a fresh SQLite file and a throwaway PostgreSQL schema. Seeding time is
printed apart; it is not the figure.

The figure: the product's report (``ReportRunner.run``, what ``POST /api/reports/run`` and
``GET /api/reports/export`` call) over the 30 local days, day grain, by queue and by agent, with the response
encoded as JSON: seconds per report (wall; CPU seconds of the process beside, steadier on a shared machine),
and the slower of the two (``report_1m_s_*``: one report is one request).
``--before`` also times the runner as it was before the log was read once per run (``read_once=False``) on
the same data.

    python bench/report_month.py [--report-size 1000000] [--seed 7] [--before] [--no-postgres]
"""

from __future__ import annotations

import json
import os
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any, NoReturn

from blendcc.adapters.storage.bulk_load import bulk_append, event_rows
from blendcc.adapters.storage.engine import make_engine
from blendcc.adapters.storage.migrate import migrate
from blendcc.adapters.storage.sql_store import SqlStore
from blendcc.app.reporting.report_query import ReportQuery
from blendcc.app.reporting.report_runner import ReportRunner
from blendcc.domain.events import Event
from blendcc.sim.report_load import ReportLoad, events, month_scenario
from blendcc.sim.scenario import Scenario
from blendcc.testing.postgres import temporary_schema

DAYS = 30


class Unreachable(Exception):
    """The PostgreSQL server cannot be reached."""


def _fail(message: str) -> NoReturn:
    raise Unreachable(message)


@contextmanager
def database(kind: str, tmp: Path, pg_url: str | None) -> Iterator[str]:
    if kind == "sqlite":
        yield f"sqlite:///{tmp / 'report.db'}"
        return
    if pg_url:
        os.environ["BLENDCC_TEST_PG_URL"] = pg_url
    with temporary_schema("bench_report", _fail) as (_schema, url):
        yield url


def thresholds_of(load: ReportLoad) -> Callable[[str, str], tuple[float, float]]:
    engine = load.engine

    def thresholds(queue_id: str, channel: str) -> tuple[float, float]:
        from blendcc.domain.channels import Channel

        q = engine.queue(queue_id)
        return q.sl_threshold(Channel(channel)), q.short_abandon_s

    return thresholds


def seed(stores: Sequence[SqlStore], n: int, seed_: int) -> tuple[ReportLoad, int, dict[int, float]]:
    """Simulate the month once and append every batch to each store; (the centre, events, seconds per store)."""
    spent = {i: 0.0 for i in range(len(stores))}
    count = 0
    scenario = month_scenario(n, DAYS)
    probe = ReportLoad(scenario, seed_)  # the catalog's thresholds (the same documents the run uses)
    for s in stores:
        s.set_thresholds(thresholds_of(probe))

    def sink(batch: Sequence[Event]) -> None:
        nonlocal count
        count += len(batch)
        rows = event_rows(batch)  # encoded once for both databases
        for i, s in enumerate(stores):
            t0 = time.perf_counter()
            bulk_append(s, batch, rows)
            spent[i] += time.perf_counter() - t0

    load = events(n, DAYS, seed_, sink)
    return load, count, spent


def config_of(scenario: Scenario) -> Any:
    """What the runner reads of the configuration: names of queues and agents, and agents' teams."""
    cat = scenario
    return SimpleNamespace(docs={"queues": {q.id: q for q in cat.centre.queues},
                                 "agents": {a.id: a for a in cat.agent_configs()},
                                 "teams": {t.id: t for t in cat.centre.teams}})


def queries(scenario: Scenario, log_kpis: bool = True) -> dict[str, ReportQuery]:
    first = scenario.start.date()
    last = first + timedelta(days=DAYS - 1)
    return {by: ReportQuery.model_validate({"grain": "day", "by": by, "from": first.isoformat(),
                                            "to": last.isoformat(), "log_kpis": log_kpis})
            for by in ("queue", "agent")}


#: the projections the report reads without the log (``log_kpis`` false), with their dimension columns
PROJECTIONS = {"queue_interval_stats": ("queue_id",), "agent_interval_stats": ("agent_id",),
               "wrapup_interval_stats": ("queue_id",), "agent_state_intervals": ("agent_id",),
               "agent_state_seconds": ("agent_id",)}


def replicate(store: SqlStore, copies: int) -> None:
    """Scale the stored month up ``copies`` times in the projections the report sums: each row copied with
    its queue and agent ids suffixed ``#k`` (as if ``copies`` such centres shared the database). The event rows are
    not copied: the report without the log's KPIs does not read them."""
    from sqlalchemy import text

    with store.engine.begin() as conn:
        for table, dims in PROJECTIONS.items():
            cols = [c.name for c in store_table(table).columns if not (table == "agent_state_intervals"
                                                                     and c.name == "id")]
            for k in range(1, copies):
                picked = ", ".join(f"{c} || '#{k}'" if c in dims else c for c in cols)
                conn.execute(text(f"INSERT INTO {table} ({', '.join(cols)}) SELECT {picked} FROM {table} "
                                  f"WHERE {dims[0]} NOT LIKE '%#%'"))


def store_table(name: str) -> Any:
    from blendcc.adapters.storage import tables

    return tables.metadata.tables[name]


def time_reports(store: SqlStore, scenario: Scenario, runs: int = 1, read_once: bool = True,
                 log_kpis: bool = True) -> dict[str, Any]:
    """Seconds (best of ``runs``) of each 30-day report, run and JSON-encoded, and their rows; "now" is two
    days after the month (every contact finished)."""
    after = scenario.start.timestamp() + (DAYS + 2) * 86400.0
    runner = ReportRunner(store, "UTC", config_of(scenario), now=lambda: after, read_once=read_once)
    out: dict[str, Any] = {}
    for by, q in queries(scenario, log_kpis).items():
        best = cpu = None
        for _ in range(runs):
            t0, c0 = time.perf_counter(), time.process_time()
            result = runner.run(q)
            json.dumps(result)
            secs, cpu_s = time.perf_counter() - t0, time.process_time() - c0
            if best is None or secs < best:
                best, cpu = secs, cpu_s
        out[by] = {"s": best, "cpu_s": cpu, "rows": len(result["rows"]), "total": result["total"]}
    return out


def measure(n: int, seed_: int, pg_url: str | None, postgres: bool = True, runs: int = 1,
            before: bool = False, scale: int = 1) -> dict[str, Any]:
    """Seed both databases with ``n`` interactions and time the reports on each."""
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="bench-report-") as tmp:
        kinds = ["sqlite", "postgresql"] if postgres else ["sqlite"]
        with database("sqlite", Path(tmp), None) as sqlite_url:
            stack = [sqlite_url]
            try:
                pg_ctx = database("postgresql", Path(tmp), pg_url) if postgres else None
                pg = pg_ctx.__enter__() if pg_ctx is not None else None
            except Unreachable as exc:
                print(f"postgresql: not measured ({exc})")
                kinds, pg_ctx, pg = ["sqlite"], None, None
            if pg is not None:
                stack.append(pg)
            try:
                engines = [make_engine(u) for u in stack]
                for e in engines:
                    migrate(e)
                stores = [SqlStore(e) for e in engines]
                t0 = time.perf_counter()
                load, count, spent = seed(stores, n, seed_)
                total = time.perf_counter() - t0
                print(f"seeding: {load.arrivals:,} interactions, {count:,} events over {DAYS} days in {total:.0f} s "
                      f"(simulation {total - sum(spent.values()):.0f} s; appends: "
                      + ", ".join(f"{k} {spent[i]:.0f} s" for i, k in enumerate(kinds)) + ")")
                for kind, store in zip(kinds, stores, strict=True):
                    results[f"{kind}_full"] = r = time_reports(store, load.scenario, runs)
                    show(f"report {kind} with the log's KPIs (digital, FCR)", r)
                    results[kind] = r = time_reports(store, load.scenario, runs, log_kpis=False)
                    show(f"report {kind} from the projections (log_kpis false)", r)
                    if scale > 1:
                        t0 = time.perf_counter()
                        replicate(store, scale)
                        print(f"replicated the projections x{scale} in {time.perf_counter() - t0:.0f} s: the report "
                              f"below reads {load.arrivals * scale:,} interactions' projection rows (basis: "
                              f"{load.arrivals:,} generated, x{scale}; the event rows are not copied)")
                        results[f"{kind}_scaled"] = r = time_reports(store, load.scenario, runs, log_kpis=False)
                        show(f"report {kind} from the projections x{scale}", r)
                    if before:
                        results[f"{kind}_before"] = b = time_reports(store, load.scenario, 1, read_once=False)
                        same = all(b[k]["total"] == r[k]["total"] for k in b)
                        print(f"report {kind} before (each part reads the log): by queue {b['queue']['s']:.2f} s "
                              f"({b['queue']['cpu_s']:.2f} CPU s), by agent {b['agent']['s']:.2f} s "
                              f"({b['agent']['cpu_s']:.2f} CPU s); same totals: {same}", flush=True)
                results["interactions"] = load.arrivals
                results["events"] = count
                for e in engines:
                    e.dispose()
            finally:
                if pg_ctx is not None:
                    pg_ctx.__exit__(None, None, None)
    return results


def show(label: str, r: dict[str, Any]) -> None:
    print(f"{label}: 30 days by queue {r['queue']['s']:.2f} s ({r['queue']['cpu_s']:.2f} CPU s, "
          f"{r['queue']['rows']} rows), by agent {r['agent']['s']:.2f} s ({r['agent']['cpu_s']:.2f} "
          f"CPU s, {r['agent']['rows']} rows)", flush=True)


def figure(r: dict[str, Any] | None) -> float | None:
    """The slower of the two 30-day reports (by queue, by agent), seconds: one report is one request."""
    return None if r is None else round(max(r["queue"]["s"], r["agent"]["s"]), 2)


def exit_on_term() -> None:
    """SIGTERM ends the run like Ctrl-C: the SQLite file and the PostgreSQL schema are removed on the way out."""
    import signal
    import sys

    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))


def main() -> int:
    import argparse

    exit_on_term()
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--report-size", type=int, default=1_000_000, help="interactions over the 30 days")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--postgres", default=None, help="PostgreSQL server URL (a throwaway schema is used)")
    ap.add_argument("--no-postgres", action="store_true")
    ap.add_argument("--before", action="store_true", help="also time the runner reading the log per part")
    ap.add_argument("--scale", type=int, default=1,
                    help="after seeding, copy the projections' rows this many times (queue and agent ids suffixed) "
                         "and time the report from the projections again")
    args = ap.parse_args()
    if args.report_size < 100:
        print("error: --report-size must be at least 100")
        return 2
    if args.scale < 1:
        print("error: --scale must be at least 1")
        return 2
    r = measure(args.report_size, args.seed, args.postgres, not args.no_postgres, before=args.before,
                scale=args.scale)
    print(json.dumps(summary(r, args.report_size, args.scale)))
    return 0


def summary(r: dict[str, Any], size: int, scale: int) -> dict[str, Any]:
    """The bench's JSON: ``report_1m_s_*`` is the report from the projections at 1,000,000 interactions, seeded
    (``scale`` 1) or seeded at ``size`` and replicated ``scale`` times in the projections (``report_1m_basis``)."""
    kinds = ("sqlite", "postgresql", "sqlite_before", "postgresql_before", "sqlite_full", "postgresql_full",
             "sqlite_scaled", "postgresql_scaled")
    out = {kind: figure(r.get(kind)) for kind in kinds}
    one_m = size * scale == 1_000_000
    at = "scaled" if scale > 1 else ""
    basis = None if not one_m else ("generated" if scale == 1 else
                                    f"{r.get('interactions')} generated, projections replicated x{scale}")
    return {"interactions": r.get("interactions"), "events": r.get("events"), "report_1m_basis": basis,
            "report_1m_s_sqlite": out[f"sqlite_{at}" if at else "sqlite"] if one_m else None,
            "report_1m_s_postgres": out[f"postgresql_{at}" if at else "postgresql"] if one_m else None,
            "report_full_s_sqlite": out["sqlite_full"], "report_full_s_postgres": out["postgresql_full"],
            "report_s_sqlite": out["sqlite"], "report_s_postgres": out["postgresql"],
            "before_s_sqlite": out["sqlite_before"], "before_s_postgres": out["postgresql_before"]}


if __name__ == "__main__":
    raise SystemExit(main())
