"""The post-incident report as a self-contained HTML page: the figures, an inline SVG chart (matplotlib) of the
contacts offered per interval against the weeks before, the timeline and the reasons; printable to PDF."""

from __future__ import annotations

import io
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from jinja2 import Environment, FileSystemLoader, select_autoescape

TEMPLATES = Path(__file__).resolve().parent.parent / "web" / "reports"
_env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]), auto_reload=False)


def chart_svg(report: dict[str, Any], tz: str) -> str:
    """Offered per interval (bars, the crisis shaded) against the usual offered of the weeks before (a line)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    zone = ZoneInfo(tz)
    rows = report["intervals"]
    from matplotlib import dates as mdates

    x = mdates.date2num([datetime.fromtimestamp(r["interval_start"], zone) for r in rows])  # type: ignore[no-untyped-call]
    fig, ax = plt.subplots(figsize=(9, 3.2), dpi=100)
    width = 0.8 * 15 / (24 * 60)
    ax.bar(x, [r["offered"] for r in rows], width=width, color=["#a4161a" if r["in_crisis"] else "#7a8599"
                                                                 for r in rows], label="offered")
    ax.plot(x, [r["usual_offered"] for r in rows], color="#0b4f8a", linewidth=2, label="usual (4 weeks before)")
    ax.set_ylabel("contacts per 15 min")
    ax.legend(loc="upper left", frameon=False)
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%d %b %H:%M", tz=zone))  # type: ignore[no-untyped-call]
    fig.autofmt_xdate()
    fig.tight_layout()
    buf = io.StringIO()
    fig.savefig(buf, format="svg")
    plt.close(fig)
    svg = buf.getvalue()
    return svg[svg.index("<svg"):]


def render(report: dict[str, Any], name: str, tz: str) -> str:
    zone = ZoneInfo(tz)

    def when(at: float | None) -> str:
        return "-" if at is None else datetime.fromtimestamp(at, zone).strftime("%Y-%m-%d %H:%M:%S")

    return _env.get_template("incident.html").render(r=report, name=name, tz=tz, when=when,
                                                     chart=chart_svg(report, tz))
