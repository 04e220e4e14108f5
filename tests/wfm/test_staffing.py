"""Staffing plans (forecast -> required agents -> FTE -> schedule gap) and the 'staff' / 'erlang' commands."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from typer.testing import CliRunner

from blendcc.cli.base import app
from blendcc.domain.errors import ValidationFailed
from blendcc.wfm.erlang import erlang_a, erlang_c_metrics, required_agents
from blendcc.wfm.staffing import StaffingTargets, calculate, plan_summary, staffing_plan


def forecast(queues: tuple[str, ...] = ("sales",), minutes: int = 30, n: int = 4) -> pd.DataFrame:
    """Rows as 'blendcc forecast' writes them (offset times, queue, channel, volume, aht_s) plus an extra column."""
    rows = []
    start = pd.Timestamp("2024-01-15T08:00:00+01:00")
    for q in queues:
        for i in range(n):
            rows.append({"interval_start": (start + pd.Timedelta(minutes=minutes * i)).isoformat(), "queue": q,
                         "channel": "voice", "volume": 50.0 * (i + 1), "aht_s": 180.0 + 10 * i, "model": "x"})
    return pd.DataFrame(rows)


def test_plan_is_required_agents_per_interval_then_shrinkage() -> None:
    plan, minutes = staffing_plan(forecast(), StaffingTargets(sl_target=0.8, sl_threshold_s=20, shrinkage=0.3))
    assert minutes == 30
    for _, r in plan.iterrows():
        rate = r["volume"] / 1800
        assert r["required"] == required_agents(rate, r["aht_s"], sl_target=0.8, sl_threshold_s=20)
        assert r["fte"] == pytest.approx(r["required"] / 0.7)
        m = erlang_c_metrics(int(r["required"]), rate, r["aht_s"], 20)
        assert r["service_level"] == m.service_level and r["service_level"] >= 0.8
        assert r["erlangs"] == pytest.approx(rate * r["aht_s"])
    assert "model" not in plan.columns  # extra forecast columns are not carried over


def test_erlang_a_plan_and_other_targets() -> None:
    targets = StaffingTargets(sl_target=None, max_abandon=0.03, max_occupancy=0.85, patience_s=90)
    plan, _ = staffing_plan(forecast(), targets)
    for _, r in plan.iterrows():
        n, rate = int(r["required"]), r["volume"] / 1800
        assert n == required_agents(rate, r["aht_s"], max_abandon=0.03, max_occupancy=0.85, patience_s=90)
        assert r["p_abandon"] == erlang_a(n, rate, r["aht_s"], 90, 20).p_abandon <= 0.03
        assert r["occupancy"] <= 0.85


def test_interval_is_inferred_and_checked() -> None:
    _, minutes = staffing_plan(forecast(minutes=15), StaffingTargets())
    assert minutes == 15
    with pytest.raises(ValidationFailed, match="15 minutes apart"):
        staffing_plan(forecast(minutes=15), StaffingTargets(), interval_min=30)
    plan, minutes = staffing_plan(forecast(minutes=60, n=1), StaffingTargets(), interval_min=60)
    assert minutes == 60 and plan["required"].iloc[0] == required_agents(50 / 3600, 180, sl_target=0.8)


def test_per_queue_plans_and_schedule_coverage() -> None:
    f = forecast(("sales", "tech"))
    cov = pd.DataFrame({"interval_start": list(f["interval_start"][:4]), "queue": ["sales"] * 4,
                        "scheduled": [10, 12, 40, 0]})
    plan, minutes = staffing_plan(f, StaffingTargets(shrinkage=0.25), scheduled=cov)
    sales, tech = plan[plan["queue"] == "sales"], plan[plan["queue"] == "tech"]
    assert sales["scheduled"].tolist() == [10, 12, 40, 0] and tech["scheduled"].tolist() == [0, 0, 0, 0]
    assert sales["gap"].tolist() == pytest.approx((sales["scheduled"] - sales["fte"]).tolist())
    # 40 heads, 25 % shrinkage -> 30 on the phones
    third = sales.iloc[2]
    assert third["scheduled_service_level"] == erlang_c_metrics(30, third["volume"] / 1800, third["aht_s"],
                                                                20).service_level
    summary = {s["queue"]: s for s in plan_summary(plan, minutes)}
    assert summary["tech"]["understaffed_intervals"] == 4
    assert summary["sales"]["required_hours"] == pytest.approx(sales["required"].sum() / 2)
    assert summary["sales"]["scheduled_hours"] == pytest.approx(31.0)


@pytest.mark.parametrize(("frame", "needle"), [
    (pd.DataFrame({"interval_start": ["2024-01-01T09:00"], "calls": [3]}), "missing column"),
    (pd.DataFrame({"interval_start": ["2024-01-01T09:00"], "volume": [-1], "aht_s": [100]}), "volume"),
    (pd.DataFrame({"interval_start": ["2024-01-01T09:00"], "volume": ["many"], "aht_s": [100]}), "not a number"),
    (pd.DataFrame({"interval_start": ["2024-01-01T09:00"], "volume": [5], "aht_s": [None]}), "aht_s"),
    (pd.DataFrame({"interval_start": ["nine o'clock"], "volume": [5], "aht_s": [100]}), "ISO 8601"),
    (pd.DataFrame({"interval_start": ["2024-01-01T09:00"] * 2, "volume": [5, 6], "aht_s": [100, 100]}), "twice"),
])
def test_bad_forecasts_are_refused_with_a_message(frame: pd.DataFrame, needle: str) -> None:
    with pytest.raises(ValidationFailed, match=needle):
        staffing_plan(frame, StaffingTargets())


def test_bad_targets_and_coverage_are_refused() -> None:
    with pytest.raises(ValidationFailed, match="shrinkage"):
        staffing_plan(forecast(), StaffingTargets(shrinkage=1.0))
    with pytest.raises(ValidationFailed, match="patience"):
        staffing_plan(forecast(), StaffingTargets(max_abandon=0.05))
    with pytest.raises(ValidationFailed, match="scheduled"):
        staffing_plan(forecast(), StaffingTargets(), scheduled=pd.DataFrame({"interval_start": ["x"], "n": [1]}))


def test_missing_aht_filled_by_default() -> None:
    f = forecast()
    f["aht_s"] = None
    plan, _ = staffing_plan(f, StaffingTargets(), default_aht_s=240)
    assert plan["aht_s"].tolist() == [240.0] * 4


def test_calculator() -> None:
    out = calculate(calls=100, interval_min=30, aht_s=180, sl_target=0.8, shrinkage=0.3)
    assert out["required"] == 14 and out["fte"] == pytest.approx(20.0)
    with pytest.raises(ValidationFailed, match="target"):
        calculate(calls=100, interval_min=30, aht_s=180)
    with pytest.raises(ValidationFailed, match="AHT"):
        calculate(calls=100, interval_min=30, aht_s=-1, agents=3)
    with pytest.raises(ValidationFailed, match="shrinkage"):
        calculate(calls=100, interval_min=30, aht_s=180, agents=3, shrinkage=1.0)
    with pytest.raises(ValidationFailed, match="calls"):
        calculate(calls=-1, interval_min=30, aht_s=180, agents=3)


# ------------------------------------------------------------------ commands

runner = CliRunner()


def test_staff_command_writes_plan_and_chart(tmp_path: Path) -> None:
    src, out, chart, cov = tmp_path / "f.csv", tmp_path / "plan.csv", tmp_path / "plan.png", tmp_path / "cov.csv"
    f = forecast(("sales", "tech"))
    f.to_csv(src, index=False)
    pd.DataFrame({"interval_start": f["interval_start"][:4], "queue": "sales", "scheduled": [9, 14, 22, 30]}).to_csv(
        cov, index=False)
    result = runner.invoke(app, ["staff", str(src), "--sl", "0.8", "--threshold", "20", "--patience", "120",
                                 "--shrinkage", "0.3", "--scheduled", str(cov), "--out", str(out),
                                 "--chart", str(chart)])
    assert result.exit_code == 0, result.output
    plan = pd.read_csv(out)
    assert len(plan) == 8 and {"required", "fte", "scheduled", "gap", "scheduled_service_level"} <= set(plan.columns)
    expected, _ = staffing_plan(f, StaffingTargets(patience_s=120, shrinkage=0.3))
    assert plan["required"].tolist() == expected["required"].tolist()
    assert chart.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "wrote 8 intervals" in result.output


@pytest.mark.parametrize(("args", "needle"), [
    (["--shrinkage", "1.2"], "shrinkage"),
    (["--interval", "60"], "minutes apart"),
    (["--chart", "plan.svg"], "PNG"),
    (["--max-abandon", "0.1"], "patience"),
])
def test_staff_command_bad_input_exits_2(tmp_path: Path, args: list[str], needle: str) -> None:
    src = tmp_path / "f.csv"
    forecast().to_csv(src, index=False)
    result = runner.invoke(app, ["staff", str(src), "--out", str(tmp_path / "p.csv"), *args])
    assert result.exit_code == 2 and needle in result.output and "Traceback" not in result.output


def test_staff_command_without_a_service_level_target(tmp_path: Path) -> None:
    src, out = tmp_path / "f.csv", tmp_path / "p.csv"
    forecast().to_csv(src, index=False)
    result = runner.invoke(app, ["staff", str(src), "--sl", "0", "--patience", "60", "--max-abandon", "0.05",
                                 "--out", str(out)])
    assert result.exit_code == 0, result.output
    plan = pd.read_csv(out)
    assert plan["required"].tolist() == [required_agents(v / 1800, a, max_abandon=0.05, patience_s=60)
                                         for v, a in zip(plan["volume"], plan["aht_s"], strict=True)]
    nothing = runner.invoke(app, ["staff", str(src), "--sl", "0", "--out", str(out)])
    assert nothing.exit_code == 2 and "target" in nothing.output


def test_staff_command_missing_file_exits_2(tmp_path: Path) -> None:
    result = runner.invoke(app, ["staff", str(tmp_path / "nope.csv"), "--out", str(tmp_path / "p.csv")])
    assert result.exit_code == 2 and "cannot read" in result.output


def test_erlang_command() -> None:
    result = runner.invoke(app, ["erlang", "--calls", "100", "--aht", "180", "--sl", "0.8", "--json"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)
    assert out["required"] == 14 and round(out["metrics"]["p_wait"], 4) == 0.1741
    table = runner.invoke(app, ["erlang", "--calls", "100", "--aht", "180", "--agents", "14"])
    assert table.exit_code == 0 and "88.84%" in table.output
    bad = runner.invoke(app, ["erlang", "--calls", "100", "--aht", "180"])
    assert bad.exit_code == 2 and "target" in bad.output


def test_staff_command_on_the_real_bank_history(tmp_path: Path, bank_1999: Any) -> None:
    """A week of the 1999 bank's 6-minute call counts, summed to 30-minute intervals, planned end to end."""
    data = bank_1999("calls_per_6min_1999.csv")
    raw = pd.read_csv(data, usecols=["interval_start", "calls"], parse_dates=["interval_start"])
    week = raw[(raw["interval_start"] >= "1999-01-04") & (raw["interval_start"] < "1999-01-11")]
    half_hours = week.set_index("interval_start")["calls"].resample("30min").sum()
    src, out = tmp_path / "week.csv", tmp_path / "plan.csv"
    pd.DataFrame({"interval_start": half_hours.index.strftime("%Y-%m-%dT%H:%M:%S"), "volume": half_hours.to_numpy(),
                  "aht_s": 200.0}).to_csv(src, index=False)
    result = runner.invoke(app, ["staff", str(src), "--patience", "120", "--shrinkage", "0.3", "--out", str(out)])
    assert result.exit_code == 0, result.output
    plan = pd.read_csv(out)
    assert len(plan) == 7 * 48 and plan["volume"].sum() == week["calls"].sum()
    busiest = plan.loc[plan["volume"].idxmax()]
    assert busiest["required"] == required_agents(busiest["volume"] / 1800, 200, sl_target=0.8, patience_s=120)
    assert (plan.loc[plan["volume"] == 0, "required"] == 0).all() and (plan["service_level"] >= 0.8).all()
