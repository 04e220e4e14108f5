"""`blendcc schedule` end to end on files: schedule, coverage (read back by `blendcc staff`), chart, refusals."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from typer.testing import CliRunner

from blendcc.cli import app

TEMPLATES = """
templates:
  - id: short
    start_earliest: "09:00"
    start_latest: "11:00"
    lengths_min: [120]
    breaks:
      - {activity: break, length_min: 15, earliest_min: 30, latest_end_min: 90}
"""
AGENTS = """
- {id: a1, team_id: t1}
- {id: a2, team_id: t1}
- {id: a3}
"""


def flat(text: str) -> str:
    """Console output without rich's line wrapping."""
    return " ".join(text.split())


def write_plan(path: Path) -> None:
    # 30-minute plan, Monday 09:00-13:00 UTC: 2 agents then 1 (the breaks need a 15-minute grid)
    with path.open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["interval_start", "queue", "channel", "required", "fte"])
        for i in range(8):
            w.writerow([f"2024-01-15T{9 + i // 2:02d}:{30 * (i % 2):02d}:00+00:00", "sales", "voice",
                        2 if i < 4 else 1, 3])


def files(tmp_path: Path) -> dict[str, Path]:
    f = {name: tmp_path / name for name in ("plan.csv", "t.yaml", "a.yaml", "s.csv", "c.csv", "c.png", "d.json")}
    write_plan(f["plan.csv"])
    f["t.yaml"].write_text(TEMPLATES)
    f["a.yaml"].write_text(AGENTS)
    return f


def test_schedule_command_writes_schedule_coverage_chart_and_documents(tmp_path: Path) -> None:
    f = files(tmp_path)
    result = CliRunner().invoke(app, ["schedule", str(f["plan.csv"]), "--templates", str(f["t.yaml"]), "--agents",
                                      str(f["a.yaml"]), "--out", str(f["s.csv"]), "--coverage", str(f["c.csv"]),
                                      "--chart", str(f["c.png"]), "--documents", str(f["d.json"]),
                                      "--time-limit", "10"])
    assert result.exit_code == 0, result.output
    assert "OPTIMAL" in result.output
    rows = list(csv.DictReader(f["s.csv"].open()))
    assert {r["activity"] for r in rows} == {"work", "break"}
    assert len({(r["agent_id"], r["shift_start"]) for r in rows}) == 3
    cov = list(csv.DictReader(f["c.csv"].open()))
    assert [c["interval_start"] for c in cov][:2] == ["2024-01-15T09:00:00+00:00", "2024-01-15T09:30:00+00:00"]
    assert [float(c["required"]) for c in cov] == [2, 2, 2, 2, 1, 1, 1, 1]
    # a 15-minute break inside a 30-minute interval leaves half an agent there
    assert all(float(c["scheduled"]) in (0.5, 1.0, 1.5, 2.0) for c in cov)
    assert sum(float(c["scheduled"]) for c in cov) == 2 * 4 + 1 * 4 - 3 * 0.5
    assert f["c.png"].read_bytes()[:4] == b"\x89PNG"
    docs = json.loads(f["d.json"].read_text())["schedules"]
    assert sorted(d["id"] for d in docs) == ["a1.2024-01-15", "a2.2024-01-15", "a3.2024-01-15"]
    # the staffing engineer's command reads the coverage back
    fc = tmp_path / "fc.csv"
    fc.write_text("interval_start,volume,aht_s\n" + "".join(
        f"2024-01-15T{9 + i // 2:02d}:{30 * (i % 2):02d}:00+00:00,10,180\n" for i in range(8)))
    staff = CliRunner().invoke(app, ["staff", str(fc), "--out", str(tmp_path / "p.csv"), "--scheduled",
                                     str(f["c.csv"])])
    assert staff.exit_code == 0, staff.output
    assert "scheduled" in (tmp_path / "p.csv").read_text().splitlines()[0]


def test_schedule_command_refuses_bad_input_with_exit_2(tmp_path: Path) -> None:
    f = files(tmp_path)
    base = ["schedule", str(f["plan.csv"]), "--templates", str(f["t.yaml"]), "--agents", str(f["a.yaml"]),
            "--out", str(f["s.csv"])]
    runner = CliRunner()
    r = runner.invoke(app, [*base, "--column", "nope"])
    assert r.exit_code == 2 and "need columns interval_start and nope" in flat(r.output)
    f["a.yaml"].write_text("- {id: a1, min_hours_week: 30}\n")
    r = runner.invoke(app, base)
    assert r.exit_code == 2 and "contract minimum" in flat(r.output)
    f["t.yaml"].write_text("templates: [{id: x}]\n")
    r = runner.invoke(app, base)
    assert r.exit_code == 2 and "start_earliest" in flat(r.output)
    f["t.yaml"].write_text("{{{")
    r = runner.invoke(app, base)
    assert r.exit_code == 2 and "not valid YAML" in flat(r.output)
    r = runner.invoke(app, [*base, "--tz", "Mars/Olympus"])
    assert r.exit_code == 2 and "unknown time zone" in flat(r.output)
    assert "Traceback" not in r.output
