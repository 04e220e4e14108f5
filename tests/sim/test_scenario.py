"""Scenario documents: a bad scenario is a clear ValidationFailed naming the problem; CSV replay loads."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from blendcc.domain.errors import ValidationFailed
from blendcc.sim.scenario import load_scenario, parse_scenario

from .helpers import scenario_doc


def _with(path: str, value: Any) -> dict[str, Any]:
    doc = scenario_doc()
    target: Any = doc
    *parents, last = path.split(".")
    for p in parents:
        target = target[int(p)] if p.isdigit() else target[p]
    if value is ...:
        del target[last]
    else:
        target[last] = value
    return doc


BAD: list[tuple[dict[str, Any], str]] = [
    (_with("duration_s", ...), "duration_s: Field required"),
    (_with("duration_s", -5), "duration_s"),
    (_with("duration_s", float("nan")), "duration_s: must be a finite number"),
    (_with("colour", "blue"), "colour: Extra inputs are not permitted"),
    (_with("report_interval_s", 600), "multiple of 900"),
    (_with("agents.0.queues", ["nowhere"]), "unknown queue 'nowhere'"),
    (_with("agents.0.ids", ["x"]), "exactly one of count, ids"),
    (_with("agents.0.staffing", {"interval_s": 60, "counts": [5]}), "staffing needs more agents"),
    (_with("centre.workflows.0.default", [{"queue": "ghost"}]), "unknown queue 'ghost'"),
    (_with("centre.queues.0.strategy", "random_pick"), "random_pick"),
    (_with("centre.queues.0.wrap_up", 5), "wrap_up: Extra inputs are not permitted"),
    (_with("arrivals.0.handle", {"dist": "gamma", "mean_s": 3}), "handle"),
    (_with("arrivals.0.handle", {"dist": "exponential", "mean_s": 0}), "mean_s"),
    (_with("arrivals.0.patience", {"dist": "empirical", "values_s": []}), "values_s"),
    (_with("arrivals.0.process", {"kind": "poisson"}), "exactly one of rate_per_s, per_interval"),
    (_with("arrivals.0.process", {"kind": "poisson", "per_interval": [3]}), "per_interval needs interval_s"),
    (_with("arrivals.0.process", {"kind": "replay", "csv": "calls.csv"}), "only read from scenario files"),
    (_with("arrivals.0.channel", "fax"), "channel"),
    (_with("arrivals.0.workflow_id", "nope"), "unknown workflow 'nope'"),
    (_with("agents.0.shifts", [{"start_s": 100, "end_s": 50}]), "end_s must be after start_s"),
]


@pytest.mark.parametrize(("doc", "mentions"), BAD)
def test_bad_scenarios_are_refused_with_the_reason(doc: dict[str, Any], mentions: str) -> None:
    with pytest.raises(ValidationFailed) as info:
        parse_scenario(doc)
    assert mentions in str(info.value), str(info.value)


def test_a_channel_no_workflow_serves_is_refused() -> None:
    doc = scenario_doc()
    doc["centre"]["workflows"][0]["channels"] = ["chat"]
    with pytest.raises(ValidationFailed, match="no routing workflow serves channel 'voice'"):
        parse_scenario(doc)


def test_yaml_files_and_replay_csv(tmp_path: Path) -> None:
    (tmp_path / "calls.csv").write_text("t_s,handle_s,patience_s,topic\n30,120,,cards\n5,,60,\n")
    (tmp_path / "s.yaml").write_text("""
duration_s: 100
centre:
  queues: [{id: q}]
  workflows: [{id: w, default: [{queue: q}]}]
agents: [{name: a, count: 1, queues: [q]}]
arrivals:
  - name: rec
    process: {kind: replay, csv: calls.csv}
    handle: {dist: constant, value_s: 9}
""")
    sc = load_scenario(tmp_path / "s.yaml")
    records = sc.arrivals[0].process.records()  # type: ignore[union-attr]
    assert [(r.t_s, r.handle_s, r.patience_s, r.attributes) for r in records] == [
        (5.0, None, 60.0, {}), (30.0, 120.0, None, {"topic": "cards"})]
    (tmp_path / "bad.csv").write_text("t_s,handle_s\n1,abc\n")
    (tmp_path / "b.yaml").write_text((tmp_path / "s.yaml").read_text().replace("calls.csv", "bad.csv"))
    with pytest.raises(ValidationFailed, match=r"bad\.csv, line 2"):
        load_scenario(tmp_path / "b.yaml")
    (tmp_path / "broken.yaml").write_text("duration_s: [1,\n")
    with pytest.raises(ValidationFailed, match="not valid YAML"):
        load_scenario(tmp_path / "broken.yaml")
    with pytest.raises(ValidationFailed, match="cannot read scenario"):
        load_scenario(tmp_path / "missing.yaml")
