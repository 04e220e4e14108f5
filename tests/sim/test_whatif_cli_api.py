"""``blendcc whatif`` on a small synthesised bank log and a scenario file, and the what-if API; bad input refused."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from blendcc.adapters.importers.bank1999 import FIELDS
from blendcc.cli import app

from .helpers import scenario_doc


def _hms(t: int) -> str:
    return f"{t // 3600}:{t // 60 % 60:02d}:{t % 60:02d}"


def bank_log(days: tuple[str, ...] = ("990104", "990105")) -> str:
    """Two mornings: a call a minute from 9:00 to 12:00, three agents in turn (150 s talk, 5 s wait);
    every tenth caller hangs up after 30 s."""
    lines = ["\t".join(FIELDS)]
    call = 0
    for day in days:
        for k in range(180):
            call += 1
            t = 9 * 3600 + 60 * k
            row = {"vru+line": "AA0101", "call_id": str(call), "customer_id": str(1000 + k), "priority": "1",
                   "type": "PS", "date": day, "vru_entry": _hms(t - 10), "vru_exit": _hms(t), "vru_time": "10",
                   "q_start": _hms(t)}
            if k % 10 == 9:
                row.update(q_exit=_hms(t + 30), q_time="30", outcome="HANG", ser_start="0:00:00",
                           ser_exit="0:00:00", ser_time="0", server="NO_SERVER")
            else:
                row.update(q_exit=_hms(t + 5), q_time="5", outcome="AGENT", ser_start=_hms(t + 5),
                           ser_exit=_hms(t + 155), ser_time="150", server=f"AGENT{k % 3}")
            lines.append("\t".join(row[f] for f in FIELDS))
    return "\r\n".join(lines) + "\r\n"


@pytest.fixture
def log(tmp_path: Path) -> Path:
    path = tmp_path / "bank.txt"
    path.write_text(bank_log(), encoding="utf-8")
    return path


def test_cli_whatif_on_a_call_log_prints_and_writes_html_and_csv(log: Path, tmp_path: Path) -> None:
    html, table = tmp_path / "r.html", tmp_path / "r.csv"
    args = ["whatif", str(log), "--surge", "40%", "--aht", "+10%", "--from", "1999-01-04", "--days", "2",
            "--sl-target", "0.8", "--sl-threshold", "20", "--replications", "2", "--seed", "3",
            "--out", str(html), "--csv", str(table)]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    assert "volume x1.4, handle time x1.1" in text and "extra agent-hours" in text
    page = html.read_text(encoding="utf-8")
    assert "<svg" in page and "Surge what-if" in page
    rows = list(csv.DictReader(table.open(encoding="utf-8")))
    assert len(rows) == 24 + 12  # hours from the first day's midnight to the last call (11:59 on the second day)
    busy = [r for r in rows if r["surge_offered"] and float(r["surge_offered"]) > 20]
    assert busy and all(float(r["surge_offered"]) > float(r["baseline_offered"]) for r in busy)
    assert all(int(r["simulated_agents"]) >= int(r["published_agents"]) for r in busy if r["simulated_agents"])
    again = tmp_path / "r2.csv"
    assert CliRunner().invoke(app, [*args[:-4], "--csv", str(again)]).exit_code == 0
    assert again.read_text() == table.read_text()  # same seed, same report


def test_cli_whatif_on_a_scenario_file_writes_json(tmp_path: Path) -> None:
    doc = scenario_doc(duration_s=7200, groups=[{"name": "a", "count": 4, "queues": ["q"]}],
                       arrivals=[{"name": "c", "process": {"kind": "poisson", "interval_s": 3600,
                                                           "per_interval": [50, 50]},
                                  "handle": {"dist": "exponential", "mean_s": 180}}])
    path = tmp_path / "s.yaml"
    path.write_text(yaml.safe_dump(doc), encoding="utf-8")
    out = tmp_path / "r.json"
    result = CliRunner().invoke(app, ["whatif", "--scenario", str(path), "--days", "1", "--surge", "30",
                                      "--replications", "2", "--out", str(out)])
    assert result.exit_code == 0, result.output
    report = json.loads(out.read_text())
    assert report["surge"]["volume"] == pytest.approx(1.3) and len(report["intervals"]) == 2
    assert all(i["needed"]["erlang"] >= 1 for i in report["intervals"])


@pytest.mark.parametrize(("args", "message"), [
    (["--surge", "lots"], "not a change in percent"),
    (["--surge", "-100%"], "above -100%"),
    (["--from", "1999-13-01"], "not an ISO date"),
    (["--from", "1999-01-20"], "no offered calls on 1999-01-20"),
    (["--sl-target", "1.2"], "SL target"),
    (["--interval", "20"], "--interval must be"),
    (["--agents", "3,x"], "--agents"),
    (["--out", "r.pdf"], "--out must end in .html or .json"),
])
def test_cli_whatif_bad_input_exits_2(log: Path, args: list[str], message: str) -> None:
    result = CliRunner().invoke(app, ["whatif", str(log), "--days", "1", *args])
    assert result.exit_code == 2, result.output
    assert message in " ".join(result.output.split())
    assert "Traceback" not in result.output


def test_cli_whatif_missing_files_exit_2(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["whatif", str(tmp_path / "none.txt")])
    assert result.exit_code == 2 and "does not exist" in " ".join(result.output.split())
    result = CliRunner().invoke(app, ["whatif", "--scenario", str(tmp_path / "none.yaml")])
    assert result.exit_code == 2 and "cannot read scenario" in " ".join(result.output.split())


def test_api_whatif_on_a_posted_log(shared_centre: Any) -> None:
    query = "?from=1999-01-04&days=1&surge=40&aht=10&replications=2&seed=3"
    answer = shared_centre.post(f"/api/sim/whatif/bank1999{query}", "sup", content=bank_log(),
                                headers={"content-type": "text/plain"})
    assert answer["surge"]["volume"] == pytest.approx(1.4) and answer["surge"]["aht"] == pytest.approx(1.1)
    busy = [i for i in answer["intervals"] if i["needed"] is not None and i["surge"]["offered"]
            and i["surge"]["offered"]["mean"] > 20]
    assert busy and all(i["surge"]["offered"]["mean"] > i["baseline"]["offered"]["mean"] for i in busy)
    assert answer == shared_centre.post(f"/api/sim/whatif/bank1999{query}", "sup", content=bank_log(),
                                        headers={"content-type": "text/plain"})


def test_api_whatif_on_a_scenario_and_as_html(shared_centre: Any) -> None:
    doc = scenario_doc(duration_s=7200, groups=[{"name": "a", "count": 4, "queues": ["q"]}],
                       arrivals=[{"name": "c", "process": {"kind": "poisson", "interval_s": 3600,
                                                           "per_interval": [50, 50]},
                                  "handle": {"dist": "exponential", "mean_s": 180}}])
    body = {"scenario": {**doc, "report_interval_s": 3600},
            "surge": {"start_s": 3600, "end_s": 7200, "volume_pct": 50, "aht_pct": 0}, "replications": 2}
    answer = shared_centre.post("/api/sim/whatif", "sup", json=body)
    first, second = answer["intervals"]
    assert not first["in_surge"] and second["in_surge"] and second["needed"]["simulated"] >= 4
    page = shared_centre.post("/api/sim/whatif?format=html", "sup", json=body)
    assert isinstance(page, str) and page.startswith("<!doctype html>") and "<svg" in page


def test_api_whatif_refuses_bad_requests(shared_centre: Any) -> None:
    def refuse(path: str, status: int = 422, user: str | None = "sup", **kw: Any) -> str:
        return str(shared_centre.error("POST", path, status, user=user, **kw)["detail"])

    text = {"content": bank_log(), "headers": {"content-type": "text/plain"}}
    assert "no offered calls" in refuse("/api/sim/whatif/bank1999", content=b"nothing\n",
                                        headers={"content-type": "text/plain"})
    assert "1999-01-20" in refuse("/api/sim/whatif/bank1999?from=1999-01-20&days=1", **text)
    assert "surge" in refuse("/api/sim/whatif/bank1999?surge=-150", **text)
    assert "interval" in refuse("/api/sim/whatif/bank1999?interval=7", **text)
    assert "agents" in refuse("/api/sim/whatif/bank1999?agents=a,b", **text)
    refuse("/api/sim/whatif/bank1999?replications=50", **text)
    refuse("/api/sim/whatif/bank1999", status=401, user=None, **text)
    refuse("/api/sim/whatif/bank1999", status=403, user="ann", **text)
    doc = scenario_doc(groups=[{"name": "a", "count": 1, "queues": ["q"]}, {"name": "b", "count": 1, "queues": ["q"]}])
    assert "one agent group" in refuse("/api/sim/whatif", json={"scenario": doc,
                                                                "surge": {"start_s": 0, "end_s": 900}})
    assert "handle" in refuse("/api/sim/whatif", json={"scenario": {**scenario_doc(), "arrivals": [
        {"name": "c", "process": {"kind": "poisson", "rate_per_s": 1}, "handle": {"dist": "gamma"}}]},
        "surge": {"start_s": 0, "end_s": 900}})
    refuse("/api/sim/whatif", json={"scenario": scenario_doc(), "surge": {"start_s": 0, "end_s": 900},
                                    "sl_target": 2})
    assert "surge window" in refuse("/api/sim/whatif", json={"scenario": scenario_doc(),
                                                             "surge": {"start_s": 5000, "end_s": 9000}})
    busy = scenario_doc(arrivals=[{"name": "c", "process": {"kind": "poisson", "rate_per_s": 10},
                                   "handle": {"dist": "exponential", "mean_s": 60}}])
    assert "busiest interval" in refuse("/api/sim/whatif", json={"scenario": busy,
                                                                 "surge": {"start_s": 0, "end_s": 900}})


def test_cli_whatif_on_a_forecast_needs_agents_and_reports(tmp_path: Path) -> None:
    path = tmp_path / "forecast.csv"
    rows = ["interval_start,queue,channel,volume,aht_s"]
    rows += [f"2026-03-02T{h:02d}:00:00+01:00,q,voice,{60 if 8 <= h < 18 else 0},200" for h in range(24)]
    rows += [f"2026-03-03T{h:02d}:00:00+01:00,q,voice,{60 if 8 <= h < 18 else 0},200" for h in range(24)]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["whatif", "--forecast", str(path), "--days", "1"])
    assert result.exit_code == 2 and "--agents" in result.output
    out = tmp_path / "r.json"
    result = CliRunner().invoke(app, ["whatif", "--forecast", str(path), "--agents", "5", "--patience", "120",
                                      "--from", "2026-03-03", "--days", "1", "--surge", "50%", "--replications", "2",
                                      "--out", str(out)])
    assert result.exit_code == 0, result.output
    report = json.loads(out.read_text())
    hot = [i for i in report["intervals"] if i["in_surge"] and i["needed"] is not None]
    assert len(hot) == 10 and all(not i["in_surge"] for i in report["intervals"][:24])
    assert all(i["surge"]["offered"]["mean"] > 70 for i in hot)  # 90 expected an hour
    # Erlang A of 90 calls an hour, 200 s handle time, 120 s patience, 80% in 20 s
    from blendcc.wfm.erlang import required_agents

    expected = required_agents(90 / 3600, 200.0, sl_target=0.8, sl_threshold_s=20, patience_s=120)
    assert {i["needed"]["erlang"] for i in hot} == {expected}
    assert all(i["simulated_extra"] == i["needed"]["simulated"] - 5 for i in hot)
    gap = tmp_path / "gap.csv"
    gap.write_text("\n".join(rows[:5] + rows[7:]) + "\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["whatif", "--forecast", str(gap), "--agents", "5"])
    assert result.exit_code == 2 and "no gaps" in " ".join(result.output.split())
