"""Simulated people on the real engine: replayed records, patience, ring delay, wrap-up, shifts, breaks,
staffing, routing rules, and the KPI rows they produce."""

from __future__ import annotations

from pathlib import Path

import pytest

from blendcc.domain import events as ev
from blendcc.sim.collect import AGENTS, ALL_QUEUES
from blendcc.sim.run import simulate
from blendcc.sim.scenario import load_scenario, parse_scenario

from .helpers import of, replay, run_recorded, scenario_doc

EXAMPLES = Path(__file__).resolve().parents[2] / "src" / "blendcc" / "sim" / "examples"


def test_replayed_records_keep_their_handle_time_and_patience() -> None:
    doc = scenario_doc(arrivals=replay([{"t_s": 0, "handle_s": 100}, {"t_s": 10, "patience_s": 50},
                                        {"t_s": 20, "handle_s": 30, "patience_s": 500}]))
    result, log = run_recorded(doc)
    t0 = parse_scenario(doc).t0
    connected = {e.contact_id: (e.at - t0, e.wait_s) for e in of(log, ev.ContactConnected)}
    assert connected == {"c-1": (0.0, 0.0), "c-3": (100.0, 80.0)}
    (gone,) = of(log, ev.ContactAbandoned)
    assert (gone.contact_id, gone.at - t0, gone.wait_s) == ("c-2", 60.0, 50.0)
    done = {e.contact_id: e.talk_s for e in of(log, ev.WrapUpCompleted)}
    assert done == {"c-1": 100.0, "c-3": 30.0}
    total = result.rows[(None, ALL_QUEUES)]
    assert (total["offered"], total["handled"], total["abandoned"]) == (3, 2, 1)
    assert total["aht_s"] == 65.0 and total["asa_s"] == 40.0 and total["avg_abandon_wait_s"] == 50.0
    assert total["service_level"] == pytest.approx(1 / 3) and total["p_wait"] == pytest.approx(2 / 3)


def test_ring_delay_timed_wrap_up_and_sampled_acw() -> None:
    groups = [{"name": "a", "count": 1, "queues": ["q"], "ring_delay": {"dist": "constant", "value_s": 3},
               "acw": {"dist": "constant", "value_s": 7}}]
    timed = scenario_doc(groups=groups, queue={"wrap_up_s": 12}, arrivals=replay([{"t_s": 0, "handle_s": 10}]))
    _, log = run_recorded(timed)
    (done,) = of(log, ev.WrapUpCompleted)
    assert (done.talk_s, done.acw_s, done.timed_out) == (10.0, 12.0, True)
    (conn,) = of(log, ev.ContactConnected)
    assert conn.wait_s == 3.0
    agent_acw = scenario_doc(groups=groups, queue={"wrap_up_s": None}, arrivals=replay([{"t_s": 0, "handle_s": 10}]))
    result, log = run_recorded(agent_acw)
    (done,) = of(log, ev.WrapUpCompleted)
    assert (done.talk_s, done.acw_s, done.timed_out) == (10.0, 7.0, False)
    assert result.rows[(None, ALL_QUEUES)]["aht_s"] == 17.0
    agent_acw["arrivals"][0]["acw"] = {"dist": "constant", "value_s": 4}  # this kind of call's own ACW wins
    _, log = run_recorded(agent_acw)
    assert [e.acw_s for e in of(log, ev.WrapUpCompleted)] == [4.0]


def test_an_offer_that_rings_out_goes_to_the_next_agent_and_the_missed_agent_comes_back() -> None:
    groups = [{"name": "slow", "count": 1, "queues": ["q"], "ring_delay": {"dist": "constant", "value_s": 60},
               "after_missed_s": 30},
              {"name": "fast", "count": 1, "queues": ["q"], "shifts": [{"start_s": 1}]}]  # idle for less time
    doc = scenario_doc(groups=groups, queue={"offer_timeout_s": 10, "strategy": "longest_idle"},
                       arrivals=replay([{"t_s": 5, "handle_s": 100}]))
    _, log = run_recorded(doc)
    t0 = parse_scenario(doc).t0
    assert [(r.agent_id, r.reason, r.at - t0) for r in of(log, ev.OfferRevoked)] == [("slow-1", "timeout", 15.0)]
    (conn,) = of(log, ev.ContactConnected)
    assert (conn.agent_id, conn.at - t0, conn.wait_s) == ("fast-1", 15.0, 10.0)
    slow = [(e.status, e.reason, e.at - t0) for e in of(log, ev.AgentStatusChanged) if e.agent_id == "slow-1"]
    assert slow == [("available", None, 0.0), ("aux", "missed", 15.0), ("available", None, 45.0)]


def test_shifts_breaks_and_a_logout_that_waits_for_the_call_to_end() -> None:
    groups = [{"name": "a", "count": 1, "queues": ["q"],
               "shifts": [{"start_s": 100, "end_s": 400, "breaks": [{"start_s": 200, "duration_s": 100}]}]}]
    doc = scenario_doc(groups=groups, arrivals=replay([{"t_s": 0, "handle_s": 50}, {"t_s": 210, "handle_s": 10},
                                                       {"t_s": 380, "handle_s": 60}]))
    _, log = run_recorded(doc)
    t0 = parse_scenario(doc).t0
    waits = {e.contact_id: (e.at - t0, e.wait_s) for e in of(log, ev.ContactConnected)}
    assert waits == {"c-1": (100.0, 100.0), "c-2": (300.0, 90.0), "c-3": (380.0, 0.0)}
    assert [(e.reason, e.at - t0) for e in of(log, ev.AgentStatusChanged) if e.status == "aux"] == [
        ("break", 200.0), ("shift_end", 400.0)]
    (out,) = of(log, ev.AgentLoggedOut)
    assert out.at - t0 == 440.0  # the call that was going at 400 ended at 440


def test_staffing_counts_log_agents_in_and_out_per_interval() -> None:
    groups = [{"name": "a", "count": 3, "queues": ["q"], "staffing": {"interval_s": 100, "counts": [1, 3, 0, 2]}}]
    doc = scenario_doc(groups=groups, arrivals=replay([{"t_s": 500}]))
    result, log = run_recorded(doc)
    t0 = parse_scenario(doc).t0
    logins = [e.at - t0 for e in of(log, ev.AgentLoggedIn)]
    logouts = [e.at - t0 for e in of(log, ev.AgentLoggedOut)]
    assert logins == [0.0, 100.0, 100.0, 300.0, 300.0]
    assert logouts == [200.0, 200.0, 200.0]
    logged_in = result.rows[(None, AGENTS)]["logged_in_s"]
    assert logged_in == pytest.approx(100 + 300 + 2 * (1000 - 300))


def test_the_centres_routing_rules_are_the_ones_simulated() -> None:
    doc = {
        "duration_s": 1000,
        "centre": {
            "queues": [{"id": "gold", "wrap_up_s": 0, "skills": {"vip": 2}}, {"id": "std", "wrap_up_s": 0}],
            "workflows": [{"id": "w", "filters": [{"name": "vip", "expression": "tier == 'gold'",
                                                   "targets": [{"queue": "gold", "timeout_s": 30}, {"queue": "std"}]}],
                           "default": [{"queue": "std"}]}],
        },
        "agents": [{"name": "v", "count": 1, "skills": {"vip": 3}, "queues": ["gold"]},
                   {"name": "s", "count": 1, "queues": ["std"]}],
        "arrivals": [{"name": "g", "attributes": {"tier": "gold"}, "handle": {"dist": "constant", "value_s": 100},
                      "process": {"kind": "replay", "times_s": [0, 1]}},
                     {"name": "n", "handle": {"dist": "constant", "value_s": 10},
                      "process": {"kind": "replay", "times_s": [2]}}],
    }
    result, log = run_recorded(doc)
    t0 = parse_scenario(doc).t0
    served = {e.contact_id: (e.agent_id, e.queue_id, e.at - t0) for e in of(log, ev.ContactConnected)}
    assert served == {"g-1": ("v-1", "gold", 0.0), "n-1": ("s-1", "std", 2.0), "g-2": ("s-1", "std", 31.0)}
    assert result.rows[(None, "gold")]["overflowed_out"] == 1


def test_poisson_per_interval_profile_and_interval_rows() -> None:
    doc = scenario_doc(agents=20, duration_s=3600, report_interval_s=1800,
                       arrivals=[{"name": "c", "process": {"kind": "poisson", "interval_s": 1800,
                                                           "per_interval": [300, 0]},
                                  "handle": {"dist": "exponential", "mean_s": 30}}])
    result, _ = run_recorded(doc)
    t0 = parse_scenario(doc).t0
    first = result.rows[(t0, ALL_QUEUES)]["offered"]
    assert 240 <= first <= 360 and (t0 + 1800, ALL_QUEUES) not in result.rows
    assert result.rows[(t0 + 1800, AGENTS)]["handled"] >= 0


def test_same_seed_same_report_any_workers_and_the_examples_run() -> None:
    sc = load_scenario(EXAMPLES / "two_queues.yaml")
    seen: dict[int, list[float]] = {1: [], 2: []}
    one = simulate(sc, replications=3, seed=5, workers=1, progress=lambda done, _n: seen[1].append(done))
    two = simulate(sc, replications=3, seed=5, workers=2, progress=lambda done, _n: seen[2].append(done))
    assert one.to_dict() == two.to_dict()
    for calls in seen.values():  # the bar moves inside replications and ends full
        assert calls == sorted(calls) and calls[-1] == 3
    assert any(0 < x < 1 for x in seen[1])
    assert simulate(sc, replications=3, seed=6, workers=1).to_dict() != one.to_dict()
    assert set(one.scopes()) == {"billing", "cards", "general", ALL_QUEUES, AGENTS}
    assert one.total()["offered"].low is not None
    assert load_scenario(EXAMPLES / "erlang_a.yaml").expected_arrivals() == 10_000
