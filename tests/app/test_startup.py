"""The start's phases (ADR 0059): a timer of wall and CPU seconds per phase, and what serving imports."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from blendcc.app.startup import PhaseTimer

SRC = str(Path(__file__).resolve().parents[2] / "src")
#: heavy libraries only some commands and jobs need: never imported to serve (forecasts, schedules, migrations)
NOT_TO_SERVE = ("pandas", "scipy", "ortools", "statsforecast", "alembic", "matplotlib", "pyarrow")


def test_phases_add_up_and_inner_phases_are_taken_out() -> None:
    timer = PhaseTimer()
    timer.add("imports", 2.0, 1.5)
    sum(range(200_000))
    timer.mark("wiring", within={"snapshot_load": (0.0, 0.0)})
    timer.mark("wiring")
    assert list(timer.phases) == ["imports", "snapshot_load", "wiring"]
    wall, cpu = timer.total()
    assert wall >= 2.0 and cpu >= 1.5
    assert timer.summary().startswith(f"serving {wall:.3f} s after the process started ({cpu:.3f} s CPU)")
    assert "imports 2.000/1.500, wiring" in timer.summary()  # in the order a start goes through them


def test_serving_imports_none_of_the_heavy_libraries() -> None:
    code = ("import sys, blendcc.cli, blendcc.api.app, blendcc.bootstrap, blendcc.cli.serving; "
            f"print(sorted(m for m in {NOT_TO_SERVE!r} if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], check=False, capture_output=True, text=True, timeout=120,
                         env={"PYTHONPATH": SRC, "PATH": "/usr/bin:/bin"})
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"
