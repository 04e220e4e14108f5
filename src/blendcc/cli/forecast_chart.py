"""Forecast charts: recent history and the forecast per queue/channel, as a PNG (matplotlib Agg) or HTML page."""

from __future__ import annotations

import html
import io
from collections.abc import Sequence
from datetime import datetime, timedelta

from blendcc.wfm.forecast import SeriesForecast
from blendcc.wfm.series import Series

HISTORY_DAYS_SHOWN = 14


def _figure(history: Sequence[Series], forecasts: Sequence[SeriesForecast]) -> object:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    past = {(s.queue, s.channel): s for s in history}
    fig, axes = plt.subplots(len(forecasts), 1, figsize=(12, 3.2 * len(forecasts)), squeeze=False)
    for ax, f in zip(axes[:, 0], forecasts, strict=True):
        step = timedelta(minutes=f.interval_min)
        s = past.get((f.queue, f.channel))
        if s is not None:
            shown = s.window(max(0, s.days - HISTORY_DAYS_SHOWN), s.days)
            t0 = datetime(shown.first_day.year, shown.first_day.month, shown.first_day.day)
            ax.plot([t0 + k * step for k in range(shown.volume.size)], shown.volume.ravel(), lw=0.8,
                    color="#555555", label="actual")
        t1 = datetime(f.first_day.year, f.first_day.month, f.first_day.day)
        ax.plot([t1 + k * step for k in range(f.volume.size)], f.volume.ravel(), lw=0.9, color="#1f77b4",
                label=f"forecast ({f.model})")
        for d in f.special:
            ax.axvspan(datetime(d.year, d.month, d.day), datetime(d.year, d.month, d.day) + timedelta(days=1),
                       color="#ffbb78", alpha=0.4)
        ax.set_title(f"{f.queue} / {f.channel}: contacts per {f.interval_min} min (local time)")
        ax.legend(loc="upper left")
        ax.grid(alpha=0.3)
    fig.tight_layout()
    return fig


def render(history: Sequence[Series], forecasts: Sequence[SeriesForecast], fmt: str) -> bytes:
    """The chart as PNG bytes (``fmt='png'``) or a self-contained HTML page with an SVG chart and tables."""
    import matplotlib.pyplot as plt

    fig = _figure(history, forecasts)
    buf = io.BytesIO()
    try:
        fig.savefig(buf, format="png" if fmt == "png" else "svg", dpi=110)  # type: ignore[attr-defined]
    finally:
        plt.close(fig)  # type: ignore[arg-type]
    if fmt == "png":
        return buf.getvalue()
    svg = buf.getvalue().decode()
    svg = svg[svg.index("<svg"):]
    parts = ["<!doctype html><html><head><meta charset='utf-8'><title>blendcc forecast</title>",
             "<style>body{font-family:sans-serif;margin:1.5em}table{border-collapse:collapse;margin:1em 0}"
             "td,th{border:1px solid #ccc;padding:2px 8px;text-align:right}</style></head><body>",
             "<h1>Forecast</h1>", svg]
    for f in forecasts:
        parts.append(f"<h2>{html.escape(f.queue)} / {html.escape(f.channel)}: model {html.escape(f.model)}</h2>")
        if f.backtest is not None:
            parts.append("<table><tr><th>model</th><th>WAPE</th><th>MAPE</th></tr>")
            for row in f.backtest.table():
                w, m = row["wape"], row["mape"]
                cells = (f"{w:.1%}" if isinstance(w, float) else "-", f"{m:.1%}" if isinstance(m, float) else "-")
                mark = " (chosen)" if row["chosen"] else ""
                parts.append(f"<tr><td>{html.escape(str(row['model']))}{mark}</td><td>{cells[0]}</td>"
                             f"<td>{cells[1]}</td></tr>")
            parts.append("</table>")
        daily = f.volume.sum(axis=1)
        parts.append("<table><tr><th>day</th><th>contacts</th></tr>")
        for d, v in zip(f.days, daily, strict=True):
            tag = f" ({html.escape(f.special[d])})" if d in f.special else ""
            parts.append(f"<tr><td>{d.isoformat()}{tag}</td><td>{v:.0f}</td></tr>")
        parts.append("</table>")
    parts.append("</body></html>")
    return "".join(parts).encode()
