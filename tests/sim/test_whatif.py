"""Surge what-if: the surge applied to a scenario, the per-interval report, the agents needed (Erlang, simulation)."""

from __future__ import annotations

import random
from typing import Any

import pytest

from blendcc.domain.errors import ValidationFailed
from blendcc.sim.run import simulate
from blendcc.sim.scenario import Replay, parse_scenario
from blendcc.sim.staffing import queue_estimates
from blendcc.sim.whatif import Surge, surge_scenario
from blendcc.sim.whatif_report import WhatIfOptions, run_whatif
from blendcc.sim.whatif_staffing import StaffingOptions, interval_case, with_agents
from blendcc.wfm.erlang import required_agents

from .helpers import scenario_doc

HOUR = 3600.0


def centre(per_hour: float = 60.0, published: list[int] | None = None) -> dict[str, Any]:
    """Four hours, ``per_hour`` calls an hour (3 Erlangs at 60), 180 s exponential talk, 120 s patience,
    published staffing per hour."""
    return scenario_doc(
        duration_s=4 * HOUR, report_interval_s=3600,
        groups=[{"name": "a", "count": 6, "queues": ["q"],
                 "staffing": {"interval_s": 3600, "counts": published or [5, 5, 5, 5]}}],
        arrivals=[{"name": "c", "process": {"kind": "poisson", "interval_s": 3600, "per_interval": [per_hour] * 4},
                   "handle": {"dist": "exponential", "mean_s": 180},
                   "patience": {"dist": "exponential", "mean_s": 120}}])


SURGE = Surge(start_s=HOUR, end_s=3 * HOUR, volume=1.5, aht=1.1)


def test_surge_multiplies_volume_and_handle_time_inside_the_window_only() -> None:
    sc = parse_scenario(centre())
    hot = surge_scenario(sc, SURGE, random.Random(1))
    by_name = {s.name: s for s in hot.arrivals}
    assert set(by_name) == {"c", "c-surge"}
    assert by_name["c"].process.per_interval == [60.0, 0.0, 0.0, 60.0]  # type: ignore[union-attr]
    assert by_name["c-surge"].process.per_interval == [0.0, 90.0, 90.0, 0.0]  # type: ignore[union-attr]
    assert by_name["c"].handle.mean() == 180 and by_name["c-surge"].handle.mean() == pytest.approx(198)
    assert hot.expected_arrivals() == pytest.approx(60 + 90 + 90 + 60)
    with pytest.raises(ValidationFailed, match="interval boundaries"):
        surge_scenario(sc, Surge(start_s=1800, end_s=HOUR * 2, volume=2), random.Random(1))
    with pytest.raises(ValidationFailed, match="factor"):
        surge_scenario(sc, Surge(start_s=0, end_s=HOUR, volume=0), random.Random(1))


def test_surge_on_replayed_contacts_copies_recorded_ones_deterministically() -> None:
    contacts = [{"t_s": 10.0 * k, "handle_s": 100.0, "patience_s": 50.0 + k} for k in range(1, 300)]
    doc = scenario_doc(duration_s=3000, report_interval_s=900,
                       arrivals=[{"name": "c", "process": {"kind": "replay", "contacts": contacts},
                                  "handle": {"dist": "constant", "value_s": 1}}])
    sc = parse_scenario(doc)
    window = Surge(start_s=900, end_s=1800, volume=2.0, aht=1.5)
    hot = surge_scenario(sc, window, random.Random(7))
    assert hot == surge_scenario(sc, window, random.Random(7))
    inside = next(s for s in hot.arrivals if s.name == "c-surge").process
    assert isinstance(inside, Replay)
    recorded = [c for c in contacts if 900 <= c["t_s"] < 1800]
    assert len(inside.contacts) == 2 * len(recorded)
    assert all(900 <= c.t_s < 1800 and c.handle_s == 150.0 for c in inside.contacts)
    assert {c.patience_s for c in inside.contacts} <= {c["patience_s"] for c in recorded}  # copies of recorded calls
    fewer = surge_scenario(sc, Surge(start_s=900, end_s=1800, volume=0.5), random.Random(7))
    kept = next(s for s in fewer.arrivals if s.name == "c-surge").process
    assert isinstance(kept, Replay) and 0 < len(kept.contacts) < len(recorded)


@pytest.fixture(scope="module")
def report() -> Any:
    sc = parse_scenario(centre())
    options = WhatIfOptions(sl_target=0.8, staffing=StaffingOptions(replications=3, seed=5))
    return run_whatif(lambda _i: sc, SURGE, options)


def test_surge_raises_offered_load_and_lowers_service_level(report: Any) -> None:
    hot = [r for r in report.rows if r.in_surge]
    assert [r.start.hour for r in hot] == [1, 2] and [r.published for r in report.rows] == [5, 5, 5, 5]
    for r in hot:
        assert r.surge["offered"].mean > r.baseline["offered"].mean
        assert r.surge["service_level"].mean < r.baseline["service_level"].mean
        assert r.surge["occupancy"].mean > r.baseline["occupancy"].mean
        assert r.surge["asa_s"].mean > r.baseline["asa_s"].mean
    assert report.surge_total["offered"].mean > report.baseline_total["offered"].mean
    assert all(r.need is None for r in report.rows if not r.in_surge)


def test_erlang_guess_and_simulated_agents_are_consistent(report: Any) -> None:
    sc = parse_scenario(centre())
    for r in (r for r in report.rows if r.in_surge):
        need = r.need
        assert need is not None and need.simulated is not None
        # Erlang A on the surged load: 90 calls an hour, 198 s handle time, 120 s patience, T = 20 s
        assert need.erlang == required_agents(90 / HOUR, 198.0, sl_target=0.8, sl_threshold_s=20, patience_s=120)
        assert abs(need.simulated - need.erlang) <= 2
        assert need.sl_at is not None and need.sl_at >= 0.8
        assert need.sl_one_fewer is not None and need.sl_one_fewer < 0.8
        assert r.simulated_extra == need.simulated - 5 and r.erlang_extra == need.erlang - 5
        # the confirmation is a real simulation: running the interval's case again gives the same SLs
        lo = (r.start.timestamp() - sc.t0)
        case = interval_case(sc, SURGE, lo, lo + HOUR, 7200.0)
        assert case is not None
        for n, expected in ((need.simulated, need.sl_at), (need.simulated - 1, need.sl_one_fewer)):
            again = queue_estimates(simulate(with_agents(case, n), replications=3, seed=5, workers=1), "q", 1800.0)
            assert again["service_level"].mean == pytest.approx(expected)


def test_report_is_deterministic_and_serialisable(report: Any) -> None:
    sc = parse_scenario(centre())
    options = WhatIfOptions(sl_target=0.8, staffing=StaffingOptions(replications=3, seed=5))
    again = run_whatif(lambda _i: sc, SURGE, options)
    assert again.to_dict() == report.to_dict()
    d = report.to_dict()
    assert d["total"]["extra_agent_hours_simulated"] == sum(r.simulated_extra for r in report.rows if r.in_surge)
    assert d["intervals"][1]["surge"]["service_level"]["ci95"][0] is not None


def test_published_staffing_override_and_bad_options() -> None:
    sc = parse_scenario(centre())
    options = WhatIfOptions(sl_target=0.8, staffing=StaffingOptions(replications=2, seed=1, max_agents=3))
    capped = run_whatif(lambda _i: sc, SURGE, options, published_counts=[2, 2, 2, 2])
    assert [r.published for r in capped.rows] == [2, 2, 2, 2]
    hot = [r for r in capped.rows if r.in_surge]
    assert all(r.need is not None and r.need.simulated is None for r in hot)  # 3 agents cannot hold 80%
    assert capped.to_dict()["total"]["intervals_not_met_within_bound"] == 2
    with pytest.raises(ValidationFailed, match="SL target"):
        run_whatif(lambda _i: sc, SURGE, WhatIfOptions(sl_target=1.5))
    two = centre()
    two["agents"].append({"name": "b", "count": 1, "queues": ["q"]})
    with pytest.raises(ValidationFailed, match="one agent group"):
        run_whatif(lambda _i: parse_scenario(two), SURGE, WhatIfOptions())


def test_whatif_on_the_real_1999_log(bank_1999: Any) -> None:
    from datetime import date

    from blendcc.adapters.importers.bank1999 import read_bank1999
    from blendcc.sim.whatif_history import history_baseline, whole_days

    records = read_bank1999(bank_1999("january.txt")).records
    baseline = history_baseline(records, date(1999, 1, 4), 1, 3600, seed=1)
    options = WhatIfOptions(sl_target=0.8, sl_threshold_s=20,
                            staffing=StaffingOptions(replications=2, seed=1, max_agents=40))
    report = run_whatif(baseline, whole_days(1, 1.4, 1.1), options)
    day = [r for r in report.rows if r.need is not None and r.published > 0]
    assert len(day) >= 15  # the bank's day: 7:00 to midnight
    assert report.surge_total["offered"].mean > 1.3 * report.baseline_total["offered"].mean
    assert report.surge_total["service_level"].mean < report.baseline_total["service_level"].mean
    for r in day:
        need = r.need
        assert need is not None and need.simulated is not None and need.sl_at is not None
        assert need.sl_at >= 0.8 and abs(need.simulated - need.erlang) <= 3
        assert need.sl_one_fewer is None or need.sl_one_fewer < 0.8
    assert sum(r.simulated_extra or 0 for r in day) > 0


def test_surge_staffed_with_the_agents_found_recovers_the_service_level(report: Any) -> None:
    hot = [r for r in report.rows if r.in_surge]
    assert [r.staffed_agents for r in hot] == [r.need.simulated for r in hot]
    assert [r.staffed_agents for r in report.rows if not r.in_surge] == [5, 5]
    for r in hot:
        assert r.staffed["service_level"].mean > r.surge["service_level"].mean
        assert r.staffed["offered"].mean == r.surge["offered"].mean  # the same surged arrivals
    assert report.staffed_total["service_level"].mean > report.surge_total["service_level"].mean
