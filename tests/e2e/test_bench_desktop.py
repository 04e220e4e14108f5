"""bench/desktop.py end to end at a small scale: it starts its server, connects its desktops, offers contacts
and ends with the JSON line the README documents, every offer measured once with its screen pop (the figures
themselves are the benchmark's business, not this test's)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

BENCH = Path(__file__).resolve().parents[2] / "bench" / "desktop.py"
KEYS = {"desktops", "offer_to_screen_p50_ms", "offer_to_screen_p99_ms", "cpu_per_desktop_pct", "contacts_per_s",
        "offers_measured", "server_cpu_ms_per_contact", "errors"}


def test_the_desktop_bench_measures_every_offer_and_ends_with_its_json_line() -> None:
    env = {**os.environ, "PYTHONPATH": str(BENCH.parents[1] / "src")}
    done = subprocess.run([sys.executable, str(BENCH), "--desktops", "8", "--rate", "4", "--seconds", "2",
                           "--idle-seconds", "0.5", "--handle", "0.2", "0.4", "--capacity", "3"],
                          check=False, capture_output=True, text=True, timeout=240, env=env)
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert set(result) >= KEYS, KEYS - set(result)
    assert result["desktops"] == 8 and result["contacts_sent"] == 8
    assert result["offers_measured"] == result["offers_with_screen_pop"] == 8
    assert result["contacts_handled"] == 8 and result["errors"] == []
    assert 0 < result["offer_to_screen_p50_ms"] <= result["offer_to_screen_p99_ms"] <= result["offer_to_screen_max_ms"]
    assert "offer-to-screen p50" in done.stderr
