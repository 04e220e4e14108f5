"""bench/server.py end to end at a small scale: its own server (under the stack sampler), agents on sockets,
contacts at a rate, every offer measured, CPU/RSS samples, and the JSON line the README documents; several
nodes are refused with exit 2 while multi-node mode does not exist (the figures are the benchmark's business)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

BENCH = Path(__file__).resolve().parents[2] / "bench" / "server.py"
KEYS = {"agents", "contacts_per_s", "offer_p99_ms", "errors", "nodes", "rss_growth_mb"}
ENV = {**os.environ, "PYTHONPATH": str(BENCH.parents[1] / "src")}


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


@pytest.mark.parametrize("extra", [["--nodes", "3"], ["--node-url", "http://a:8000", "http://b:8000"]])
def test_several_nodes_are_refused_until_multi_node_mode_exists(extra: list[str]) -> None:
    done = subprocess.run([sys.executable, str(BENCH), *extra], check=False, capture_output=True, text=True,
                          timeout=60, env=ENV)
    assert done.returncode == 2
    assert "multi-node mode is not available" in done.stderr


def test_bad_arguments_exit_2() -> None:
    done = subprocess.run([sys.executable, str(BENCH), "--rate", "0"], check=False, capture_output=True,
                          text=True, timeout=60, env=ENV)
    assert done.returncode == 2 and "must be positive" in done.stderr
