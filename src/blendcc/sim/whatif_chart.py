"""The surge what-if report as a self-contained HTML page (an inline SVG chart, then the table) and as CSV."""

from __future__ import annotations

import csv
import html
import io
from typing import Any

from blendcc.domain.csv_safe import safe_row
from blendcc.sim.report import Estimate
from blendcc.sim.whatif_report import WhatIfReport

CSV_HEADER = ("interval_start", "in_surge", "published_agents",
              *(f"{side}_{k}" for side in ("baseline", "surge")
                for k in ("offered", "service_level", "asa_s", "abandon_rate", "occupancy")),
              "erlang_agents", "simulated_agents", "erlang_extra", "simulated_extra", "sl_at_simulated",
              "sl_one_fewer", "staffed_agents", "staffed_service_level", "staffed_asa_s", "staffed_abandon_rate",
              "staffed_occupancy")


def _mean(kpis: dict[str, Estimate], key: str) -> float | None:
    est = kpis.get(key)
    return None if est is None else est.mean


PLAYBOOK_KPIS = ("offered", "service_level", "asa_s", "abandon_rate", "occupancy", "turned_away")


def _played(report: WhatIfReport) -> bool:
    return bool(report.options.playbooks.playbooks)


def csv_text(report: WhatIfReport) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    played = _played(report)
    w.writerow((*CSV_HEADER, *(f"playbook_{k}" for k in PLAYBOOK_KPIS)) if played else CSV_HEADER)
    for r in report.rows:
        n = r.need
        cells: list[Any] = [r.start.isoformat(), r.in_surge, r.published]
        for side in (r.baseline, r.surge):
            cells += [_mean(side, k) for k in ("offered", "service_level", "asa_s", "abandon_rate", "occupancy")]
        cells += [None if n is None else n.erlang, None if n is None else n.simulated, r.erlang_extra,
                  r.simulated_extra, None if n is None else n.sl_at, None if n is None else n.sl_one_fewer,
                  r.staffed_agents, *(_mean(r.staffed, k) for k in ("service_level", "asa_s", "abandon_rate",
                                                                     "occupancy"))]
        if played:
            cells += [_mean(r.playbook, k) for k in PLAYBOOK_KPIS]
        w.writerow(safe_row("" if c is None else c for c in cells))
    return buf.getvalue()


def image(report: WhatIfReport, fmt: str = "svg") -> bytes:
    """The chart (offered; SL and occupancy; agents published, by Erlang, simulated) as SVG or PNG bytes."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    times = [r.start.replace(tzinfo=None) for r in report.rows]
    fig, (ax1, ax2, ax3) = plt.subplots(3, 1, figsize=(12, 9), sharex=True)
    try:
        def series(side: str, key: str) -> list[float]:
            return [float("nan") if (v := _mean(getattr(r, side), key)) is None else v for r in report.rows]

        ax1.step(times, series("baseline", "offered"), where="post", color="#555555", label="baseline")
        ax1.step(times, series("surge", "offered"), where="post", color="#d62728", label="surge")
        if _played(report):
            ax1.step(times, series("playbook", "offered"), where="post", color="#17becf",
                     label="surge, queued with the playbook's actions")
        ax1.set_ylabel("offered per interval")
        ax2.step(times, series("baseline", "service_level"), where="post", color="#555555", label="baseline SL")
        ax2.step(times, series("surge", "service_level"), where="post", color="#d62728", label="surge SL")
        ax2.step(times, series("staffed", "service_level"), where="post", color="#9467bd",
                 label="surge SL, agents needed")
        if _played(report):
            ax2.step(times, series("playbook", "service_level"), where="post", color="#17becf",
                     label="surge SL, playbook's actions")
            ax2.step(times, series("playbook", "abandon_rate"), where="post", color="#17becf", lw=0.8, ls=":",
                     label="surge abandon rate, playbook's actions")
            ax2.step(times, series("surge", "abandon_rate"), where="post", color="#d62728", lw=0.8, ls=":",
                     label="surge abandon rate")
        ax2.step(times, series("surge", "occupancy"), where="post", color="#ff7f0e", lw=0.8, ls="--",
                 label="surge occupancy")
        ax2.axhline(report.options.sl_target, color="#2ca02c", lw=0.8, ls=":", label="SL target")
        ax2.set_ylim(0, 1.05)
        ax2.set_ylabel(f"SL (T = {report.sl_threshold_s:g} s)")
        ax3.step(times, [r.published for r in report.rows], where="post", color="#555555", label="published")
        ax3.step(times, [float("nan") if r.need is None else r.need.erlang for r in report.rows], where="post",
                 color="#1f77b4", ls="--", label="Erlang")
        ax3.step(times, [float("nan") if r.need is None or r.need.simulated is None else r.need.simulated
                         for r in report.rows], where="post", color="#9467bd", label="simulated (needed)")
        ax3.set_ylabel("agents")
        for ax in (ax1, ax2, ax3):
            ax.grid(alpha=0.3)
            ax.legend(loc="upper left", fontsize=8)
        ax1.set_title(f"{report.name}: volume x{report.surge.volume:g}, handle time x{report.surge.aht:g}")
        fig.tight_layout()
        buf = io.BytesIO()
        fig.savefig(buf, format=fmt, dpi=100)
    finally:
        plt.close(fig)
    return buf.getvalue()


def _svg(report: WhatIfReport) -> str:
    svg = image(report, "svg").decode()
    return svg[svg.index("<svg"):]


def _pct(x: float | None) -> str:
    return "-" if x is None else f"{x * 100:.1f}%"


def _num(x: float | None) -> str:
    return "-" if x is None else f"{x:.1f}"


def html_page(report: WhatIfReport) -> bytes:
    """The report: the chart, the totals and one table row per interval."""
    s = report.surge
    played = _played(report)
    rows = []
    for r in report.rows:
        n = r.need
        cells = [r.start.strftime("%Y-%m-%d %H:%M"), "yes" if r.in_surge else "", str(r.published)]
        for side in (r.baseline, r.surge):
            cells += [_num(_mean(side, "offered")), _pct(_mean(side, "service_level")), _num(_mean(side, "asa_s")),
                      _pct(_mean(side, "abandon_rate")), _pct(_mean(side, "occupancy"))]
        cells += ["-" if n is None else str(n.erlang), "-" if n is None or n.simulated is None else str(n.simulated),
                  "-" if r.simulated_extra is None else f"+{r.simulated_extra}",
                  _pct(_mean(r.staffed, "service_level")), _pct(_mean(r.staffed, "abandon_rate"))]
        if played:
            cells += [_num(_mean(r.playbook, "offered")), _pct(_mean(r.playbook, "service_level")),
                      _num(_mean(r.playbook, "asa_s")), _pct(_mean(r.playbook, "abandon_rate")),
                      _pct(_mean(r.playbook, "occupancy")), _num(_mean(r.playbook, "turned_away"))]
        rows.append("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in cells) + "</tr>")
    total = report.to_dict()["total"]
    head = ("<tr><th rowspan=2>interval (UTC)</th><th rowspan=2>surge</th><th rowspan=2>agents</th>"
            "<th colspan=5>baseline</th><th colspan=5>surge</th><th colspan=3>agents needed</th>"
            "<th colspan=2>surge, agents needed</th>"
            + ("<th colspan=6>surge, playbook's actions</th>" if played else "") + "</tr><tr>"
            + "<th>offered</th><th>SL</th><th>ASA s</th><th>aband.</th><th>occ.</th>" * 2
            + "<th>Erlang</th><th>simulated</th><th>extra</th><th>SL</th><th>aband.</th>"
            + ("<th>offered</th><th>SL</th><th>ASA s</th><th>aband.</th><th>occ.</th><th>turned away</th>"
               if played else "")
            + "</tr>")
    parts = ["<!doctype html><html><head><meta charset='utf-8'><title>blendcc surge what-if</title>",
             "<style>body{font-family:sans-serif;margin:1.5em}table{border-collapse:collapse;margin:1em 0}"
             "td,th{border:1px solid #ccc;padding:2px 6px;text-align:right}</style></head><body>",
             f"<h1>Surge what-if: {html.escape(report.name)}</h1>",
             f"<p>Volume x{s.volume:g} and handle time x{s.aht:g} from {s.start_s / 3600:g} h to {s.end_s / 3600:g} h "
             f"after the start; SL target {report.options.sl_target:.0%} within {report.sl_threshold_s:g} s; "
             f"{report.replications} replication(s), seed {report.seed}. Extra agent-hours to hold the target: "
             f"{total['extra_agent_hours_simulated']:g} (simulated), "
             f"{total['extra_agent_hours_erlang']:g} (Erlang).</p>",
             *(_crises(report) if played else []),
             _svg(report), "<table>", head, *rows, "</table></body></html>"]
    return "".join(parts).encode()


def _crises(report: WhatIfReport) -> list[str]:
    """The playbooks' paragraph: crises per replication and the first replication's timeline."""
    d = report.to_dict()
    total = d["surge_playbook_total"]
    sl = (total.get("service_level") or {}).get("mean")
    ab = (total.get("abandon_rate") or {}).get("mean")
    out = [f"<h2>Playbooks: {html.escape(', '.join(d['playbooks']))}</h2>",
           f"<p>Evaluated every {d['playbook_tick_s']:g} s of simulated time, as live. Crises started per "
           f"replication: {html.escape(', '.join(str(n) for n in d['crises_started']))}. Whole period with the "
           f"playbook's actions: SL {_pct(sl)}, abandon rate {_pct(ab)}.</p>",
           "<table><tr><th>time (UTC)</th><th>event</th><th>playbook</th><th>detail</th></tr>"]
    for e in d["crisis_timeline"][:200]:
        detail = ", ".join(e.get("triggers") or ()) or " ".join(
            str(e[k]) for k in ("index", "kind", "scope", "mode", "overflow_queue") if e.get(k) is not None)
        out.append("<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in (
            e["at"][:19].replace("T", " "), e["type"], e.get("playbook") or "", detail)) + "</tr>")
    out.append("</table>")
    return out
