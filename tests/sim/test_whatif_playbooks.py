"""The surge what-if with and without a playbook's actions: ``run_whatif`` with playbooks, ``blendcc whatif
--playbook FILE`` and the API (documents, or stored playbooks by id); bad playbooks refused."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from blendcc.cli import app
from blendcc.crisis.playbook import Playbook
from blendcc.sim.scenario import parse_scenario
from blendcc.sim.whatif import Surge
from blendcc.sim.whatif_playbook import PlaybookOptions
from blendcc.sim.whatif_report import WhatIfOptions, run_whatif
from blendcc.sim.whatif_staffing import StaffingOptions

from .helpers import scenario_doc
from .test_whatif_cli_api import bank_log

CALLBACK: dict[str, Any] = {
    "id": "surge-callback",
    "triggers": [{"kind": "kpi", "metric": "waiting", "queue": "bank", "threshold": 1, "clear_at": 0,
                  "for_s": 30, "clear_for_s": 120}],
    "actions": [{"kind": "emergency", "scope": "bank", "mode": "callback_only"}]}


def _doc(per_interval: list[float]) -> dict[str, Any]:
    return scenario_doc(duration_s=3600.0 * len(per_interval), report_interval_s=3600,
                        groups=[{"name": "a", "count": 4, "queues": ["q"]}],
                        arrivals=[{"name": "c", "process": {"kind": "poisson", "interval_s": 3600,
                                                            "per_interval": per_interval},
                                   "handle": {"dist": "exponential", "mean_s": 180},
                                   "patience": {"dist": "exponential", "mean_s": 120}}])


def test_offered_against_the_baseline_forecast_fires_only_in_the_surge() -> None:
    """``offered_vs_forecast`` compares the surged arrivals with the baseline's (the forecast had the surge not
    come): a playbook closing the centre at +50% starts once the second hour's doubled volume shows."""
    scenario = parse_scenario(_doc([60, 60, 60]))
    pb = Playbook.model_validate({"id": "over", "triggers": [
        {"kind": "kpi", "metric": "offered_vs_forecast", "threshold": 0.5, "for_s": 300, "clear_for_s": 300}],
        "actions": [{"kind": "emergency", "mode": "closed"}]})
    options = WhatIfOptions(staffing=StaffingOptions(replications=2, seed=4, window_s=1800, warmup_s=300),
                            playbooks=PlaybookOptions((pb,), tick_s=5.0))
    report = run_whatif(lambda _i: scenario, Surge(start_s=3600, end_s=10800, volume=2.0), options).to_dict()
    assert report["playbooks"] == ["over"] and report["playbook_tick_s"] == 5.0
    assert all(n >= 1 for n in report["crises_started"])
    first = next(e for e in report["crisis_timeline"] if e["type"] == "CrisisStarted")
    assert first["at"] >= "2026-01-05T01:00:00" and first["triggers"] == ["offered_vs_forecast above 0.5 on *"]
    first_hour, *_ = report["intervals"]
    assert first_hour["surge_playbook"]["turned_away"]["mean"] == 0  # no crisis before the surge
    total = report["surge_playbook_total"]
    assert total["turned_away"]["mean"] > 0
    assert total["offered"]["mean"] + total["turned_away"]["mean"] == pytest.approx(
        report["total"]["surge"]["offered"]["mean"], rel=0.1)


def test_without_playbooks_the_report_has_no_playbook_side() -> None:
    scenario = parse_scenario(_doc([60, 60]))
    options = WhatIfOptions(staffing=StaffingOptions(replications=1, seed=4, window_s=1800, warmup_s=300))
    report = run_whatif(lambda _i: scenario, Surge(start_s=3600, end_s=7200, volume=1.5), options).to_dict()
    assert "playbooks" not in report and "surge_playbook" not in report["intervals"][0]


def test_cli_whatif_with_a_playbook_file(tmp_path: Path) -> None:
    log = tmp_path / "bank.txt"
    log.write_text(bank_log(), encoding="utf-8")
    book = tmp_path / "surge-callback.yaml"
    book.write_text(yaml.safe_dump({k: v for k, v in CALLBACK.items() if k != "id"}), encoding="utf-8")
    out, table = tmp_path / "r.json", tmp_path / "r.csv"
    args = ["whatif", str(log), "--surge", "150%", "--from", "1999-01-04", "--days", "1", "--replications", "2",
            "--window", "30", "--playbook", str(book), "--out", str(out), "--csv", str(table)]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    assert "with the playbook's actions (surge-callback)" in text and "callers turned away" in text
    report = json.loads(out.read_text())
    assert all(n >= 1 for n in report["crises_started"])
    kinds = [e["type"] for e in report["crisis_timeline"]]
    assert kinds[:3] == ["CrisisStarted", "EmergencyModeSet", "CrisisActionApplied"]
    surge, played = report["total"]["surge"], report["surge_playbook_total"]
    assert played["turned_away"]["mean"] > 0 and played["asa_s"]["mean"] < surge["asa_s"]["mean"]
    rows = list(csv.DictReader(table.open(encoding="utf-8")))
    assert "playbook_service_level" in rows[0] and sum(float(r["playbook_turned_away"] or 0) for r in rows) > 0
    html = tmp_path / "r.html"
    assert CliRunner().invoke(app, [*args[:-4], "--out", str(html)]).exit_code == 0
    page = html.read_text(encoding="utf-8")
    assert "Playbooks: surge-callback" in page and "surge, playbook's actions" in page


@pytest.mark.parametrize(("doc", "message"), [
    ({"triggers": []}, "triggers"),
    ({**CALLBACK, "actions": [{"kind": "emergency", "scope": "nowhere", "mode": "closed"}]},
     "names queue 'nowhere'"),
])
def test_cli_whatif_refuses_a_bad_playbook(tmp_path: Path, doc: dict[str, Any], message: str) -> None:
    log = tmp_path / "bank.txt"
    log.write_text(bank_log(), encoding="utf-8")
    book = tmp_path / "p.yaml"
    book.write_text(yaml.safe_dump(doc), encoding="utf-8")
    result = CliRunner().invoke(app, ["whatif", str(log), "--days", "1", "--replications", "1", "--window", "30",
                                      "--playbook", str(book)])
    assert result.exit_code == 2, result.output
    assert message in " ".join(result.output.split()) and "Traceback" not in result.output


def test_api_whatif_with_playbook_documents_and_stored_ones(shared_centre: Any) -> None:
    centre_wide = {"id": "centre-closed", "triggers": [
        {"kind": "kpi", "metric": "waiting", "threshold": 3, "clear_at": 0, "for_s": 60, "clear_for_s": 120}],
        "actions": [{"kind": "emergency", "mode": "closed"}]}
    body = {"scenario": _doc([60, 60]), "surge": {"start_s": 3600, "end_s": 7200, "volume_pct": 100},
            "replications": 1, "playbooks": [centre_wide]}
    answer = shared_centre.post("/api/sim/whatif", "sup", json=body)
    assert answer["playbooks"] == ["centre-closed"] and answer["crises_started"][0] >= 1
    assert answer["intervals"][1]["surge_playbook"]["turned_away"]["mean"] > 0
    shared_centre.put("/api/crisis/playbooks/centre-closed", "sup", json=centre_wide)
    stored = shared_centre.post("/api/sim/whatif", "sup", json={**body, "playbooks": None,
                                                               "playbook_ids": ["centre-closed"]})
    assert stored["surge_playbook_total"] == answer["surge_playbook_total"]
    shared_centre.error("POST", "/api/sim/whatif", 404, user="sup",
                        json={**body, "playbooks": None, "playbook_ids": ["nope"]})
    bad = shared_centre.error("POST", "/api/sim/whatif", 422, user="sup",
                              json={**body, "playbooks": [{"id": "x", "triggers": []}]})
    assert "triggers" in str(bad["detail"])
    query = "?from=1999-01-04&days=1&surge=150&replications=1&playbook=centre-closed"
    log = shared_centre.post(f"/api/sim/whatif/bank1999{query}", "sup", content=bank_log(),
                             headers={"content-type": "text/plain"})
    assert log["playbooks"] == ["centre-closed"] and len(log["crises_started"]) == 1
    assert all(i["surge_playbook"] is not None for i in log["intervals"])


def test_cli_whatif_with_a_stored_playbook(tmp_path: Path, sqlite_url: str) -> None:
    from blendcc.adapters.storage.engine import make_engine
    from blendcc.adapters.storage.sql_repos import SqlConfigRepository

    engine = make_engine(sqlite_url)
    SqlConfigRepository(engine).put("crisis_playbooks", "surge-callback", CALLBACK, 0.0, "planner")
    engine.dispose()
    log = tmp_path / "bank.txt"
    log.write_text(bank_log(), encoding="utf-8")
    out = tmp_path / "r.json"
    base = ["whatif", str(log), "--surge", "150%", "--from", "1999-01-04", "--days", "1", "--replications", "1",
            "--window", "30", "--database-url", sqlite_url]
    result = CliRunner().invoke(app, [*base, "--playbook", "surge-callback", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert json.loads(out.read_text())["playbooks"] == ["surge-callback"]
    result = CliRunner().invoke(app, [*base, "--playbook", "nothing-stored"])
    assert result.exit_code == 2 and "no playbook 'nothing-stored'" in " ".join(result.output.split())
