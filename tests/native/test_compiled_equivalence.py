"""The compiled core (mypyc) gives the same results as the pure modules, event for event (ADR 0061)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from blendcc import native

SCENARIOS = Path(__file__).with_name("scenarios.py")
SRC = Path(native.__file__).resolve().parent.parent


def _run(pure: bool) -> dict[str, Any]:
    env = {**os.environ, "PYTHONPATH": str(SRC), native.PURE_ENV: "1" if pure else "0"}
    done = subprocess.run([sys.executable, "-W", "error::RuntimeWarning", str(SCENARIOS)], env=env,
                          capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def test_compiled_and_pure_give_the_same_events_kpis_and_decisions() -> None:
    built, why = native._check(native.BUILD_DIR)
    if built is None and not os.environ.get("CI"):
        pytest.skip(f"no usable compiled build ({why}): run `make native`")  # CI builds it: never skipped there
    compiled, pure = _run(pure=False), _run(pure=True)
    assert pure["native"]["compiled"] is False
    assert compiled["native"]["compiled"] is True, compiled["native"]
    assert compiled["native"]["modules"] == sorted(native.module_name(s) for s in native.COMPILED_SOURCES)
    assert set(compiled["runs"]) == set(pure["runs"]) == {"erlang", "multi_skill", "two_queues", "routing"}
    for name, want in pure["runs"].items():
        got = compiled["runs"][name]
        assert len(want) > 1000, name
        for i, (a, b) in enumerate(zip(got, want, strict=False)):
            assert a == b, f"{name}: line {i} differs\ncompiled: {a}\npure:     {b}"
        assert len(got) == len(want), name
