"""History replay of the real January 1999 log: actual KPIs, calibration, the replay scenario and its runs."""

from __future__ import annotations

import csv
import itertools
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from blendcc.adapters.importers.bank1999 import CallRecord, Outcome, read_bank1999
from blendcc.cli.base import app
from blendcc.domain.errors import ValidationFailed
from blendcc.sim import calibration as cal
from blendcc.sim.history import (
    ReplayOptions,
    actual_events,
    build_scenario,
    daily_counters,
    default_queue,
    kpis,
    replay,
    select_days,
    thresholds_for,
)
from blendcc.sim.unavailability import agent_breaks, day_type, session_gaps

DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "anonymous_bank_1999" / "january.txt"
SUNDAY, MONDAY = date(1999, 1, 3), date(1999, 1, 4)


@pytest.fixture(scope="module")
def records(bank_1999: Any) -> list[CallRecord]:
    return read_bank1999(bank_1999(DATA.name)).records


def test_actual_kpis_follow_the_kpi_definitions(records: list[CallRecord]) -> None:
    day = select_days(records, [SUNDAY])
    counters = daily_counters(actual_events(day), thresholds_for(default_queue()))
    k = kpis(counters[SUNDAY])
    # an independent count straight from the records (T = 20 s, short abandons < 5 s)
    calls = [r for r in day if r.offered]
    served = [r for r in calls if r.outcome is Outcome.SERVED]
    abandoned = [r for r in calls if r.outcome is Outcome.ABANDONED and r.wait_s >= 5]
    short = [r for r in calls if r.outcome is Outcome.ABANDONED and r.wait_s < 5]
    base = len(calls) - len(short)
    assert k["offered"] == len(calls) == 2053
    assert k["handled"] == len(served) and k["short_abandoned"] == len(short)
    assert k["abandon_rate"] == pytest.approx(len(abandoned) / base)
    assert k["service_level"] == pytest.approx(sum(r.wait_s <= 20 for r in served) / base)
    assert k["asa_s"] == pytest.approx(sum(r.wait_s for r in served) / len(served))
    assert k["aht_s"] == pytest.approx(sum(r.service_s for r in served) / len(served))
    assert not any(r.outcome in (Outcome.VRU_ONLY, Outcome.PHANTOM) for r in calls)


def test_patience_and_agent_calibration(records: list[CallRecord]) -> None:
    curve = cal.patience_curve(records)
    assert curve.n == sum(r.offered for r in records)
    assert curve.n_events == sum(r.outcome is Outcome.ABANDONED for r in records)
    assert 200 < (curve.median() or 0) < 500  # censoring makes patience far longer than abandoned waits
    abandoned = next(r for r in records if r.outcome is Outcome.ABANDONED)
    served = next(r for r in records if r.outcome is Outcome.SERVED and r.wait_s > 30)
    assert cal.replay_patience(abandoned, curve, lambda: 0.5) == abandoned.wait_s
    us = itertools.cycle([0.0, 0.3, 0.9, 0.999])
    assert all(cal.replay_patience(served, curve, lambda: next(us)) >= served.wait_s for _ in range(4))

    day = select_days(records, [MONDAY])
    sessions = cal.agent_sessions(day)
    by_agent: dict[str, list[cal.AgentSession]] = {}
    for s in sessions:
        by_agent.setdefault(s.agent, []).append(s)
    for spans in by_agent.values():
        assert all(a.end + cal.DEFAULT_GAP_S < b.start for a, b in itertools.pairwise(spans))
    for r in day:  # every named service lies inside one of its agent's sessions
        if r.outcome is Outcome.SERVED and r.server is not None:
            start = r.service_start_at
            assert start is not None
            assert any(s.start <= start and start + r.service_s <= s.end for s in by_agent[r.server])
    assert sum(s.services for s in sessions) == sum(1 for r in day if r.outcome is Outcome.SERVED and r.server)
    busy, presence, distinct = (cal.staffing(day, 1800, m) for m in ("busy", "presence", "distinct"))
    assert set(busy) <= set(presence) == set(distinct)
    for start, n in presence.items():
        assert busy.get(start, 0.0) <= n + 1e-9 <= distinct[start] + 2e-9
    gaps = cal.unavailable_gaps(day)
    assert gaps and all(0 <= g <= cal.DEFAULT_GAP_S for g in gaps)
    with pytest.raises(ValueError):
        cal.staffing(day, 1800, "guess")  # type: ignore[arg-type]


def test_replay_scenario_replays_every_offered_call(records: list[CallRecord]) -> None:
    day = select_days(records, [MONDAY])
    scenario = build_scenario(day, cal.patience_curve(records), lambda: 0.5, ReplayOptions(staffing="sessions"),
                              head_starts={MONDAY: 60.0})
    contacts = scenario.arrivals[0].process.records()  # type: ignore[union-attr]
    calls = sorted((r for r in day if r.offered), key=lambda r: (r.queued_at or 0.0, r.line_no))
    assert len(contacts) == len(calls)
    assert scenario.t0 == pytest.approx(min(r.queued_at or 0.0 for r in calls) // 86400 * 86400)
    for c, r in zip(contacts, calls, strict=True):
        assert c.t_s == pytest.approx((r.queued_at or 0.0) - scenario.t0)
        assert c.priority == (10 if r.priority == 2 else 0)  # Monday's 60 s head start in 6 s levels
        if r.outcome is Outcome.SERVED:
            assert c.handle_s == r.service_s and (c.patience_s or 0) >= r.wait_s
        else:
            assert c.handle_s is None and c.patience_s == r.wait_s
    assert scenario.centre.settings.priority_head_start_s == 6.0
    fixed = build_scenario(day, cal.patience_curve(records), lambda: 0.5, ReplayOptions(head_start_s=90.0))
    assert fixed.centre.settings.priority_head_start_s == 90.0
    assert {c.priority for c in fixed.arrivals[0].process.records()} == {0, 1}  # type: ignore[union-attr]
    agents = {aid for g in scenario.agents for aid in g.agent_ids()}
    assert agents == {r.server for r in day if r.outcome is Outcome.SERVED and r.server}
    assert all(g.acw.dist == "empirical" for g in scenario.agents)  # after-call work inferred from gaps
    # the model before breaks and day types: head counts per 30 minutes, the rounded time-weighted presence
    before = ReplayOptions(breaks=False, by_day_type=False, interval_s=1800.0)
    (group,) = build_scenario(day, cal.patience_curve(records), lambda: 0.5, before).agents
    assert group.staffing is not None and group.staffing.interval_s == 1800
    presence = cal.staffing(day, 1800, "presence")
    for start, n in presence.items():
        assert group.staffing.counts[int((start - scenario.t0) // 1800)] == int(n + 0.5)


def test_default_staffing_takes_the_breaks_off_the_presence(records: list[CallRecord]) -> None:
    day = select_days(records, [MONDAY])
    curve = cal.patience_curve(records)
    (with_breaks,) = build_scenario(day, curve, lambda: 0.5).agents
    (without,) = build_scenario(day, curve, lambda: 0.5, ReplayOptions(breaks=False)).agents
    assert with_breaks.staffing is not None and without.staffing is not None
    assert with_breaks.staffing.interval_s == 300  # 5-minute head counts by default
    a, b = with_breaks.staffing.counts, without.staffing.counts
    assert len(a) == len(b) and all(x <= y for x, y in zip(a, b, strict=True)) and sum(a) < sum(b)
    gaps = session_gaps(day)
    breaks = agent_breaks(day, lambda d: gaps[day_type(d)])
    off = sum(x.end - x.start for x in breaks)
    assert off > 0
    # agent-seconds staffed drop by the breaks' length, up to rounding (half an agent per interval)
    assert abs((sum(b) - sum(a)) * 300 - off) <= 0.5 * 300 * sum(1 for x, y in zip(a, b, strict=True) if x != y)
    # named agents keep their breaks at the very times the log shows them
    named = build_scenario(day, curve, lambda: 0.5, ReplayOptions(staffing="sessions")).agents
    t0 = build_scenario(day, curve, lambda: 0.5).t0
    shown = sorted((g.ids[0], round(br.start_s + t0, 3), round(br.start_s + br.duration_s + t0, 3))  # type: ignore[index]
                   for g in named for shift in g.shifts or [] for br in shift.breaks)
    assert shown == sorted((x.agent, round(x.start, 3), round(x.end, 3)) for x in breaks)


def test_replay_two_days_compares_simulated_with_actual(records: list[CallRecord]) -> None:
    report = replay(records, days=[SUNDAY, MONDAY], replications=2, seed=7, workers=2)
    assert [d.day for d in report.days] == [SUNDAY, MONDAY]
    assert report.sl_threshold_s == 20.0 and report.short_abandon_s == 5.0
    for row in [*report.days, report.month]:
        assert row.simulated["offered"] == row.actual["offered"]  # every recorded arrival is replayed
        assert 0.0 < row.simulated["abandon_rate"] < 0.3
        assert row.spread["abandon_rate"] is not None
    # the simulated month is within a factor 1.5 of the recorded abandonment and ASA
    m = report.month
    assert m.actual["abandon_rate"] / 1.5 < m.simulated["abandon_rate"] < m.actual["abandon_rate"] * 1.5
    assert m.actual["asa_s"] / 1.5 < m.simulated["asa_s"] < m.actual["asa_s"] * 1.5
    again = replay(records, days=[SUNDAY, MONDAY], replications=2, seed=7, workers=1)
    assert again.month.simulated == m.simulated  # seeded: reproducible, whatever the number of processes
    assert [d.simulated for d in again.days] == [d.simulated for d in report.days]
    other = replay(records, days=[SUNDAY, MONDAY], replications=2, seed=8)
    assert other.month.simulated != m.simulated


def test_fewer_agents_mean_more_abandonment(records: list[CallRecord]) -> None:
    runs = {method: replay(records, days=[MONDAY], replications=1, options=ReplayOptions(staffing=method)).month
            for method in ("busy", "distinct")}
    assert runs["busy"].simulated["abandon_rate"] > runs["distinct"].simulated["abandon_rate"]
    assert runs["busy"].simulated["asa_s"] > runs["distinct"].simulated["asa_s"]


def test_cli_replay_prints_and_writes_csv(records: list[CallRecord], tmp_path: Path) -> None:
    out = tmp_path / "replay.csv"
    result = CliRunner().invoke(app, ["replay", "bank1999", str(DATA), "--days", "4", "--replications", "1",
                                      "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "SL threshold T = 20 s" in result.output and "Mon 01-04" in result.output
    text = " ".join(result.output.split())
    assert "head start learnt from the log's answer order" in text and ", 01-04 0 s," in text  # FIFO early on
    rows = list(csv.DictReader(out.open()))
    assert [r["day"] for r in rows] == ["1999-01-04", "total"]
    assert int(rows[0]["offered_actual"]) == Counter(r.day for r in records if r.offered)[MONDAY]
    # talk time and handle time are named apart: the log records talk only, the simulation adds inferred ACW
    header = list(rows[0])
    assert "aht_s_sim" not in header and "aht_s_actual" not in header
    assert {"talk_s_actual", "talk_s_sim", "acw_s_sim", "handle_s_actual", "handle_s_sim"} <= set(header)
    row = rows[0]
    served = [r for r in records if r.day == MONDAY and r.offered and r.outcome is Outcome.SERVED]
    assert float(row["talk_s_actual"]) == pytest.approx(sum(r.service_s for r in served) / len(served))
    assert row["handle_s_actual"] == "" and row["acw_s_actual"] == ""  # not in the log: blank, not zero
    assert float(row["acw_s_sim"]) > 0
    assert float(row["handle_s_sim"]) == pytest.approx(float(row["talk_s_sim"]) + float(row["acw_s_sim"]))


def test_cli_replay_with_a_fixed_head_start(records: list[CallRecord]) -> None:
    result = CliRunner().invoke(app, ["replay", "bank1999", str(DATA), "--days", "4", "--replications", "1",
                                      "--head-start", "90"])
    assert result.exit_code == 0, result.output
    assert "priority-2 head start: 90 s on every day" in " ".join(result.output.split())


def test_cli_replay_help_names_any_month() -> None:
    result = CliRunner().invoke(app, ["replay", "bank1999", "--help"], env={"COLUMNS": "200"})
    text = " ".join(result.output.split())
    assert result.exit_code == 0 and "any month" in text and "January 1999" not in text
    assert "--no-breaks" in text and "--no-day-types" in text


@pytest.mark.parametrize("args", [["/no/such/january.txt"], ["--days", "11"], ["--days", "x"],
                                  ["--staffing", "guess"], ["--skills"], ["--head-start", "-1"]])
def test_cli_replay_bad_input_exits_2(records: list[CallRecord], args: list[str]) -> None:
    argv = ["replay", "bank1999", *(args if args[0].startswith("/") else [str(DATA), *args])]
    result = CliRunner().invoke(app, argv)
    assert result.exit_code == 2
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_cli_replay_without_the_data_exits_2(monkeypatch: pytest.MonkeyPatch) -> None:
    import blendcc.adapters.importers.bank1999 as bank

    monkeypatch.setattr(bank, "default_path", lambda start=None: None)
    result = CliRunner().invoke(app, ["replay", "bank1999"])
    assert result.exit_code == 2
    assert "was not found" in " ".join(result.output.split())


def test_days_option_parses_numbers_ranges_and_dates() -> None:
    import typer

    from blendcc.cli.history import parse_days

    available = [date(1999, 1, d) for d in (1, 2, 3, 4, 5, 10, 13)]
    assert parse_days(None, available) is None
    assert parse_days("1,3-5", available) == [date(1999, 1, d) for d in (1, 3, 4, 5)]
    assert parse_days("1999-01-13, 2", available) == [date(1999, 1, 2), date(1999, 1, 13)]
    with pytest.raises(typer.Exit):
        parse_days("9-11", available)  # 11 January is missing from the log


def test_cli_replay_of_a_log_without_queued_calls_exits_2(tmp_path: Path) -> None:
    from blendcc.adapters.importers.bank1999 import FIELDS

    log = tmp_path / "empty.txt"
    log.write_text("\t".join(FIELDS) + "\r\nnot\ta\tcall\r\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["replay", "bank1999", str(log)])
    assert result.exit_code == 2
    text = " ".join(result.output.split())
    assert "skipped line 2" in text and "nothing to replay" in text


def test_skills_route_call_types_to_the_agents_who_served_them(records: list[CallRecord]) -> None:
    day = select_days(records, [MONDAY])
    types = cal.agent_call_types(day)
    assert types["ZOHARI"] == {"NE", "PS"}  # a stock-exchange specialist
    for agent, served in types.items():
        n = Counter(r.call_type for r in day if r.outcome is Outcome.SERVED and r.server == agent)
        assert served == {t for t, k in n.items() if k >= 3 and k >= 0.02 * sum(n.values())}
    options = ReplayOptions(staffing="sessions", skills=True)
    scenario = build_scenario(day, cal.patience_curve(records), lambda: 0.5, options)
    (workflow,) = scenario.centre.workflows
    routed = {f.targets[0].skills and next(iter(f.targets[0].skills)) for f in workflow.filters}
    assert routed == {f"type_{t}" for t in set().union(*types.values())}
    by_id = {g.agent_ids()[0]: g for g in scenario.agents}
    assert set(by_id["ZOHARI"].skills) == {"type_NE", "type_PS"}
    contacts = scenario.arrivals[0].process.records()  # type: ignore[union-attr]
    assert {c.attributes["type"] for c in contacts} == {r.call_type for r in day if r.offered}
    month = replay(records, days=[MONDAY], replications=1, options=options).month
    assert month.simulated["offered"] == month.actual["offered"]
    with pytest.raises(ValidationFailed):
        build_scenario(day, cal.patience_curve(records), lambda: 0.5, ReplayOptions(skills=True))
