"""The surge what-if as module-level jobs of plain arguments, run by :func:`blendcc.api.compute.run_bounded`."""

from __future__ import annotations

from datetime import date
from typing import Any


def _options(sl_target: float, sl_threshold_s: float | None, replications: int, seed: int,
             playbooks: list[dict[str, Any]] | None = None, tick_s: float = 1.0) -> Any:
    from blendcc.crisis.playbook import Playbook
    from blendcc.sim.whatif_playbook import PlaybookOptions
    from blendcc.sim.whatif_report import WhatIfOptions
    from blendcc.sim.whatif_staffing import StaffingOptions

    books = PlaybookOptions(tuple(Playbook.model_validate(d) for d in playbooks or ()), tick_s)
    return WhatIfOptions(sl_target=sl_target, sl_threshold_s=sl_threshold_s,
                         staffing=StaffingOptions(replications=replications, seed=seed), playbooks=books)


def whatif_history_job(records: list[Any], first: date, days: int, interval_s: int, volume: float, aht: float,
                       sl_target: float, sl_threshold_s: float | None, agents: list[int] | None,
                       replications: int, seed: int, fmt: str, playbooks: list[dict[str, Any]] | None = None,
                       tick_s: float = 1.0) -> Any:
    """POST /api/sim/whatif/bank1999: the report as JSON (or the HTML page's bytes)."""
    from blendcc.sim.whatif_history import history_baseline, whole_days
    from blendcc.sim.whatif_report import run_whatif

    baseline = history_baseline(records, first, days, interval_s, seed)
    report = run_whatif(baseline, whole_days(days, volume, aht), _options(sl_target, sl_threshold_s, replications,
                                                                          seed, playbooks, tick_s), agents)
    return _render(report, fmt)


def whatif_scenario_job(scenario: Any, start_s: float, end_s: float, volume: float, aht: float, sl_target: float,
                        sl_threshold_s: float | None, agents: list[int] | None, replications: int, seed: int,
                        fmt: str, playbooks: list[dict[str, Any]] | None = None, tick_s: float = 1.0) -> Any:
    """POST /api/sim/whatif: the report of a scenario document's surge."""
    from blendcc.sim.whatif import Surge
    from blendcc.sim.whatif_report import run_whatif

    surge = Surge(start_s=start_s, end_s=end_s, volume=volume, aht=aht)
    report = run_whatif(lambda _i: scenario, surge, _options(sl_target, sl_threshold_s, replications, seed,
                                                             playbooks, tick_s), agents)
    return _render(report, fmt)


def _render(report: Any, fmt: str) -> Any:
    if fmt == "html":
        from blendcc.sim.whatif_chart import html_page

        return html_page(report)
    return report.to_dict()
