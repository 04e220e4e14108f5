"""bench/server.py end to end at a small scale: its own server (under the stack sampler), agents on sockets,
contacts at a rate, every offer measured, CPU/RSS samples, and the JSON line the README documents; three nodes in
cluster mode on PostgreSQL and Redis, offers arriving through the standbys; SQLite with several nodes refused with
exit 2 (the figures are the benchmark's business)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from e2e_support import redis_or_skip

from blendcc.testing.postgres import test_pg_url as _pg_url
from blendcc.testing.redis_check import REDIS_URL

pytestmark = pytest.mark.slow

BENCH = Path(__file__).resolve().parents[2] / "bench" / "server.py"
KEYS = {"agents", "contacts_per_s", "offer_p99_ms", "errors", "nodes", "rss_growth_mb"}
ENV = {**os.environ, "PYTHONPATH": str(BENCH.parents[1] / "src")}
PG_URL = _pg_url()  # PostgreSQL is required, never skipped (blendcc.testing.postgres)


def test_the_server_bench_measures_every_offer_and_ends_with_its_json_line(tmp_path: Path) -> None:
    profile = tmp_path / "stacks"
    done = subprocess.run([sys.executable, str(BENCH), "--agents", "8", "--rate", "4", "--duration", "3",
                           "--warmup", "1", "--sample", "1", "--handle", "0.2", "0.4", "--db", "sqlite",
                           "--customers", "5", "--profile", str(profile)],
                          check=False, capture_output=True, text=True, timeout=300, env=ENV)
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert set(result) >= KEYS, KEYS - set(result)
    assert result["agents"] == 8 and result["nodes"] == 1 and result["errors"] == 0
    run = result["runs"]["sqlite"]
    assert run["contacts_sent"] == run["contacts_created"] == run["offers_measured"] == run["contacts_handled"] == 12
    assert 0 < run["offer_p50_ms"] <= run["offer_p99_ms"] <= run["offer_max_ms"]
    assert len(run["samples"]) >= 2 and all(s["rss_mb"] > 0 for s in run["samples"])
    assert result["rss_growth_mb"] == run["rss_growth_mb"] is not None
    assert "offer p50" in done.stderr
    top = Path(f"{profile}-sqlite.top").read_text()
    assert "busy thread-samples" in top and "inclusive" in top
    assert Path(f"{profile}-sqlite").read_text().strip()  # the collapsed stacks
    cpu = Path(f"{profile}-sqlite.cpu").read_text().strip().splitlines()  # the same weighted by thread CPU time
    assert cpu and sum(int(line.rsplit(" ", 1)[1]) for line in cpu) > 0
    assert "inclusive" in Path(f"{profile}-sqlite.cpu.top").read_text()


def test_three_nodes_in_cluster_mode_offer_through_the_standbys_without_errors(tmp_path: Path) -> None:
    redis_or_skip()
    done = subprocess.run([sys.executable, str(BENCH), "--nodes", "3", "--agents", "6", "--rate", "2",
                           "--duration", "5", "--warmup", "1", "--sample", "1", "--handle", "0.2", "0.4",
                           "--customers", "5", "--postgres", PG_URL, "--redis", REDIS_URL],
                          check=False, capture_output=True, text=True, timeout=240, env=ENV)
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert set(result) >= KEYS, KEYS - set(result)
    assert result["nodes"] == 3 and result["errors"] == 0 and result["databases"] == ["postgresql"]
    run = result["runs"]["postgresql"]
    assert run["contacts_sent"] == run["contacts_created"] == run["offers_measured"] == run["contacts_handled"] == 10
    nodes = run["per_node"]
    assert sorted(n["role"] for n in nodes) == ["leader", "standby", "standby"]
    assert [n["agents"] for n in nodes] == [2, 2, 2] and sum(n["contacts_posted"] for n in nodes) == 10
    assert sum(n["offers_received"] for n in nodes) == 10
    assert all(n["offers_received"] > 0 and n["contacts_posted"] > 0 for n in nodes if n["role"] == "standby")
    assert all(n["rss_end_mb"] > 0 and n["cpu_load_pct"] > 0 for n in nodes)
    assert all(len(s["nodes"]) == 3 for s in run["samples"]) and run["samples"]
    assert "routing leader" in done.stderr




@pytest.mark.parametrize("db", ["sqlite", "both"])
def test_several_nodes_on_sqlite_are_refused(db: str) -> None:
    done = subprocess.run([sys.executable, str(BENCH), "--db", db, "--nodes", "3"], check=False,
                          capture_output=True, text=True, timeout=60, env=ENV)
    assert done.returncode == 2
    assert "use --db postgres" in done.stderr and "SQLite cannot be shared" in done.stderr


def test_external_nodes_are_refused() -> None:
    done = subprocess.run([sys.executable, str(BENCH), "--node-url", "http://a:8000", "http://b:8000"],
                          check=False, capture_output=True, text=True, timeout=60, env=ENV)
    assert done.returncode == 2 and "--node-url is not supported" in done.stderr


def test_bad_arguments_exit_2() -> None:
    done = subprocess.run([sys.executable, str(BENCH), "--rate", "0"], check=False, capture_output=True,
                          text=True, timeout=60, env=ENV)
    assert done.returncode == 2 and "must be positive" in done.stderr
