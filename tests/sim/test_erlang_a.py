"""Validation against theory: the simulated M/M/N+M queue reproduces exact Erlang A within the 95% CI.

Exact values come from ``blendcc.wfm.erlang.erlang_a``. The same confidence intervals must be narrow
enough to tell 10 agents from 9 or 11, so the check has power (a wide interval cannot pass by luck).
"""

from __future__ import annotations

import pytest

from blendcc.sim.collect import AGENTS, ALL_QUEUES
from blendcc.sim.report import SimReport
from blendcc.sim.run import simulate
from blendcc.sim.scenario import parse_scenario
from blendcc.wfm.erlang import erlang_a

from .helpers import scenario_doc

N, RATE, AHT, PATIENCE, T = 10, 0.05, 180.0, 300.0, 20.0


@pytest.fixture(scope="module")
def report() -> SimReport:
    doc = scenario_doc(
        agents=N, duration_s=100_000, report_interval_s=86400,
        arrivals=[{"name": "call", "process": {"kind": "poisson", "rate_per_s": RATE},
                   "handle": {"dist": "exponential", "mean_s": AHT},
                   "patience": {"dist": "exponential", "mean_s": PATIENCE}}])
    return simulate(parse_scenario(doc), replications=10, seed=7, workers=1)


def test_exact_erlang_a_inside_the_confidence_intervals(report: SimReport) -> None:
    exact = erlang_a(N, RATE, AHT, PATIENCE, T)
    total = report.total(ALL_QUEUES)
    checks = {"p_wait": exact.p_wait, "abandon_rate": exact.p_abandon, "asa_s": exact.asa_s,
              "service_level": exact.service_level}
    for metric, value in checks.items():
        est = total[metric]
        assert est.n == 10
        assert est.contains(value), f"{metric}: exact {value:.4f} outside [{est.low}, {est.high}]"
    occupancy = report.total(AGENTS)["occupancy"]
    assert occupancy.contains(exact.occupancy), (exact.occupancy, occupancy)


def test_the_intervals_tell_neighbouring_staffing_apart(report: SimReport) -> None:
    total = report.total(ALL_QUEUES)
    for other in (N - 1, N + 1):
        exact = erlang_a(other, RATE, AHT, PATIENCE, T)
        assert not total["p_wait"].contains(exact.p_wait), other
        assert not total["asa_s"].contains(exact.asa_s), other


def test_the_simulated_workload_is_the_scenarios(report: SimReport) -> None:
    total = report.total(ALL_QUEUES)
    assert total["offered"].contains(RATE * 100_000)
    assert total["aht_s"].contains(AHT)
    assert total["short_abandoned"].mean == 0
    assert all(r.open_at_end == 0 and r.finished == r.arrivals for r in report.results)
