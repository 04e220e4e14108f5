"""Bounded numbers and deadlines for the API's computations (issue 10, defect 4): the probe's Erlang inputs
are refused, a computation that outlives its deadline is killed (with its own children) and answered
with 503, and the CLI answers bad numbers with exit 2."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from blendcc.api.compute import DeadlineExceeded, run_bounded
from blendcc.cli import app as cli
from blendcc.domain.errors import ValidationFailed
from blendcc.testing.jobs import answer, never_answer, spin_forever
from blendcc.wfm.staffing import calculate

PROBE_HANG = {"calls": 1e300, "interval_min": 30, "aht_s": 180, "sl_target": 0.8}
PROBE_OVERFLOW = {"calls": 7.248e307, "interval_min": 30, "aht_s": 180, "sl_target": 5e-324}


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return False
    return state not in ("Z", "X")  # a zombie has stopped running


def _wait_gone(pids: list[int]) -> list[int]:
    """The pids still running after a generous wait (the kill is asynchronous)."""
    for _ in range(200):
        left = [p for p in pids if _alive(p)]
        if not left:
            return []
        time.sleep(0.05)
    return left


def test_worker_and_its_children_are_killed_at_the_deadline(tmp_path: Path) -> None:
    pid_file = tmp_path / "pids"
    with pytest.raises(DeadlineExceeded, match="deadline"):
        run_bounded(spin_forever, str(pid_file), True, deadline_s=1.0, what="the test job")
    pids = [int(p) for p in pid_file.read_text().split()]
    assert len(pids) == 2 and os.getpid() not in pids
    assert _wait_gone(pids) == []


def test_results_and_refusals_come_back_from_the_worker() -> None:
    assert run_bounded(answer, 21, deadline_s=30, what="a job") == 42
    with pytest.raises(ValidationFailed, match="offered load"):
        run_bounded(calculate, **PROBE_HANG, deadline_s=30, what="the Erlang calculation")


@pytest.mark.parametrize("body", [PROBE_HANG, PROBE_OVERFLOW,
                                  {**PROBE_HANG, "calls": 100, "max_occupancy": 5e-324},
                                  {**PROBE_HANG, "calls": 100, "patience_s": 1e300},
                                  {**PROBE_HANG, "calls": 100, "agents": True},
                                  {**PROBE_HANG, "calls": 100, "agents": 10**12},
                                  {**PROBE_HANG, "calls": 100, "interval_min": 1e-300},
                                  {**PROBE_HANG, "calls": 100, "sl_threshold_s": 1e300},
                                  {**PROBE_HANG, "calls": 100, "aht_s": 5e-324}])
def test_probe_erlang_inputs_are_422(shared_centre: Any, body: dict[str, Any]) -> None:
    answer_ = shared_centre.error("POST", "/api/wfm/erlang", 422, user="sup", json=body)
    assert answer_["error"] == "invalid"


def test_erlang_limits_still_allow_a_large_centre(shared_centre: Any) -> None:
    big = shared_centre.post("/api/wfm/erlang", "sup",
                             json={"calls": 100_000, "interval_min": 30, "aht_s": 300, "sl_target": 0.8})
    assert big["required"] > big["erlangs"] > 10_000


def test_staffing_plan_refuses_an_impossible_load(shared_centre: Any) -> None:
    body = {"intervals": [{"interval_start": "2024-01-15T09:00:00", "volume": 1e9, "aht_s": 86_400}]}
    assert "offered load" in shared_centre.error("POST", "/api/wfm/staffing", 422, user="sup", json=body)["detail"]


def _sim_body(rate: float) -> dict[str, Any]:
    scenario = {
        "duration_s": 3600,
        "centre": {"queues": [{"id": "q", "wrap_up_s": 0, "short_abandon_s": 0, "sl_threshold_s": 20}],
                   "workflows": [{"id": "w", "default": [{"queue": "q"}]}]},
        "agents": [{"name": "a", "count": 50, "queues": ["q"]}],
        "arrivals": [{"name": "c", "process": {"kind": "poisson", "rate_per_s": rate},
                      "handle": {"dist": "exponential", "mean_s": 90},
                      "patience": {"dist": "exponential", "mean_s": 60}}],
    }
    return {"scenario": scenario, "replications": 5, "seed": 3, "intervals": False}


def test_simulation_past_its_deadline_is_503_and_the_server_goes_on(centre: Any) -> None:
    centre.container.settings.compute_deadline_s = 0.5
    heavy = _sim_body(rate=10.0)  # 36,000 arrivals per replication, 5 replications: seconds of work
    answer_ = centre.error("POST", "/api/sim/run", 503, user="sup", json=heavy)
    assert answer_["error"] == "unavailable" and "deadline" in answer_["detail"]
    centre.container.settings.compute_deadline_s = 120
    light = _sim_body(rate=0.01)
    assert centre.post("/api/sim/run", "sup", json=light)["replications"] == 5


def test_erlang_past_its_deadline_is_503(centre: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    # the calculation never answers (a stand-in: a real one's run time depends on the machine)
    monkeypatch.setattr("blendcc.wfm.staffing.calculate", never_answer)
    centre.container.settings.compute_deadline_s = 0.5
    body = {"calls": 100, "interval_min": 30, "aht_s": 180, "sl_target": 0.8}
    assert "deadline" in centre.error("POST", "/api/wfm/erlang", 503, user="sup", json=body)["detail"]
    monkeypatch.undo()
    centre.container.settings.compute_deadline_s = 60
    assert centre.post("/api/wfm/erlang", "sup", json=body)["required"] > 0  # the server goes on answering


@pytest.mark.parametrize("args", [
    ["--calls", "1e300", "--aht", "180", "--sl", "0.8"],
    ["--calls", "7.248e307", "--aht", "180", "--sl", "5e-324"],
    ["--calls", "100", "--aht", "180", "--max-occupancy", "5e-324"],
    ["--calls", "100", "--aht", "180", "--sl", "0.8", "--patience", "1e300"],
    ["--calls", "100", "--aht", "180", "--agents", "100000000000"],
    ["--calls", "nan", "--aht", "180", "--sl", "0.8"],
    ["--calls", "100", "--aht", "inf", "--sl", "0.8"],
])
def test_cli_erlang_bad_numbers_exit_2(args: list[str]) -> None:
    result = CliRunner().invoke(cli, ["erlang", *args])
    assert result.exit_code == 2, result.output
    assert "error" in result.output.lower()


def test_cli_staff_refuses_an_impossible_load(tmp_path: Path) -> None:
    src = tmp_path / "f.csv"
    src.write_text("interval_start,volume,aht_s\n2024-01-15T09:00:00,1e300,180\n")
    result = CliRunner().invoke(cli, ["staff", str(src), "--sl", "0.8", "--out", str(tmp_path / "p.csv")])
    assert result.exit_code == 2, result.output
    assert "offered load" in result.output


def test_simulation_horizon_is_bounded(shared_centre: Any) -> None:
    body = _sim_body(rate=0.01)
    body["scenario"]["horizon_s"] = 1e300  # float time would stop advancing: the run never ended
    assert "horizon_s" in shared_centre.error("POST", "/api/sim/run", 422, user="sup", json=body)["detail"]


def test_dialer_numbers_are_bounded(shared_centre: Any) -> None:
    campaign = {"name": "C", "mode": "preview", "queue_id": "sales", "caller_id": "+14155550100"}
    for bad in ({"retry": {"busy": 1e300}}, {"reserve_inbound_agents": 10**12}, {"max_attempts": True}):
        shared_centre.error("PUT", "/api/campaigns/c9", 422, json={**campaign, **bad})
    shared_centre.error("POST", "/api/campaigns/c9/records/r1/disposition", 422, user="sup",
                        json={"disposition": "callback", "callback_at": 1e300})
    shared_centre.error("GET", "/api/campaigns/c9/stats?start=nan", 422, user="sup")
    shared_centre.error("GET", "/api/dnc/global?offset=100000000000", 422, user="sup")
