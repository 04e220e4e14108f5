"""``blendcc simulate`` and ``POST /api/sim/run``: reports out, clear errors for bad scenarios and oversize work."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import yaml
from typer.testing import CliRunner

from blendcc.cli import app

from .helpers import scenario_doc


def small() -> dict[str, Any]:
    return scenario_doc(agents=3, duration_s=1800, arrivals=[{
        "name": "c", "process": {"kind": "poisson", "rate_per_s": 0.02},
        "handle": {"dist": "exponential", "mean_s": 90}, "patience": {"dist": "exponential", "mean_s": 60}}])


def test_cli_prints_the_table_and_writes_csv_and_json(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_text(yaml.safe_dump(small()))
    runner = CliRunner()
    result = runner.invoke(app, ["simulate", str(path), "--replications", "3", "--seed", "4", "--workers", "1",
                                 "--out", str(tmp_path / "r.csv")], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "service_level" in result.output and "all queues" in result.output
    rows = list(csv.DictReader((tmp_path / "r.csv").open()))
    total = {r["metric"]: r for r in rows if r["interval_start"] == "total" and r["scope"] == "*"}
    assert int(total["offered"]["replications"]) == 3
    offered = total["offered"]
    assert float(offered["ci95_low"]) <= float(offered["mean"]) <= float(offered["ci95_high"])
    again = runner.invoke(app, ["simulate", str(path), "--replications", "3", "--seed", "4", "--workers", "1",
                                "--out", str(tmp_path / "r.json")])
    assert again.exit_code == 0, again.output
    report = json.loads((tmp_path / "r.json").read_text())
    assert report["total"]["*"]["offered"]["mean"] == float(total["offered"]["mean"])


def test_cli_bad_scenario_exits_2_with_a_message(tmp_path: Path) -> None:
    doc = small()
    doc["agents"][0]["queues"] = ["nowhere"]
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(doc))
    runner = CliRunner()
    result = runner.invoke(app, ["simulate", str(path)])
    assert result.exit_code == 2
    assert "unknown queue 'nowhere'" in result.output and "Traceback" not in result.output
    result = runner.invoke(app, ["simulate", str(tmp_path / "none.yaml")])
    assert result.exit_code == 2 and "cannot read scenario" in result.output
    result = runner.invoke(app, ["simulate", str(path), "--out", str(tmp_path / "r.txt")])
    assert result.exit_code == 2 and "--out must end in .csv or .json" in result.output


def test_api_runs_a_scenario(shared_centre: Any) -> None:
    body = {"scenario": small(), "replications": 3, "seed": 2}
    first = shared_centre.post("/api/sim/run", "sup", json=body)
    assert first["replications"] == 3 and len(first["runs"]) == 3
    total = first["total"]["*"]
    assert total["offered"]["n"] == 3 and total["offered"]["ci95"][0] <= total["offered"]["mean"]
    assert first["intervals"] and {"start", "*"} <= set(first["intervals"][0])
    assert shared_centre.post("/api/sim/run", "sup", json=body) == first  # same seed, same report
    brief = shared_centre.post("/api/sim/run", "sup", json={**body, "intervals": False})
    assert "intervals" not in brief and brief["total"] == first["total"]


def test_api_refuses_bad_and_oversize_scenarios(shared_centre: Any) -> None:
    bad = small()
    bad["arrivals"][0]["handle"] = {"dist": "gamma"}
    answer = shared_centre.error("POST", "/api/sim/run", 422, user="sup", json={"scenario": bad})
    assert "handle" in answer["detail"]
    huge = small()
    huge["arrivals"][0]["process"] = {"kind": "poisson", "rate_per_s": 10}
    huge["duration_s"] = 86400
    answer = shared_centre.error("POST", "/api/sim/run", 422, user="sup", json={"scenario": huge})
    assert "at most 200,000" in answer["detail"]
    many = small()
    many["arrivals"][0]["process"] = {"kind": "poisson", "rate_per_s": 50}
    answer = shared_centre.error("POST", "/api/sim/run", 422, user="sup",
                                 json={"scenario": many, "replications": 50})
    assert "replications" in answer["detail"]
    shared_centre.error("POST", "/api/sim/run", 422, user="sup", json={"scenario": small(), "replications": 0})
    shared_centre.error("POST", "/api/sim/run", 401, user=None, json={"scenario": small()})
    shared_centre.error("POST", "/api/sim/run", 403, user="ann", json={"scenario": small()})


def test_api_parallel_replications_from_the_threaded_server_match(make_api: Any, containers: Any, sqlite_url: str,
                                                                   clock: Any, monkeypatch: Any) -> None:
    """Worker processes started from the server's threads (spawn) give the in-thread report (one backend:
    the simulator does not touch the database)."""
    from blendcc.api import routes_sim

    api = make_api(containers(sqlite_url, clock), clock)
    body = {"scenario": small(), "replications": 2, "seed": 9, "intervals": False}
    in_thread = api.post("/api/sim/run", "admin", json=body)
    monkeypatch.setattr(routes_sim, "IN_PROCESS_ARRIVALS", 0)  # force worker processes
    assert api.post("/api/sim/run", "admin", json=body) == in_thread
