"""`blendcc forecast`: interval forecasts of volume and AHT from a CSV or the event store, with backtest and chart."""

from __future__ import annotations

import csv
from datetime import date, datetime
from pathlib import Path
from typing import Annotated, Any

import typer

from blendcc.cli.base import app, err, fail, out, settings_or_exit
from blendcc.domain.csv_safe import safe_dict
from blendcc.domain.errors import DomainError, ValidationFailed
from blendcc.ports import Clock
from blendcc.wfm.forecast import SpecialDay


def parse_special_days(text: str | None, like: str) -> list[SpecialDay]:
    """'1999-09-20,1999-09-21=closed' -> SpecialDay list; a bare date uses ``like``."""
    days = []
    for raw in (text or "").replace(";", ",").split(","):
        token = raw.strip()
        if not token:
            continue
        day, _, kind = token.partition("=")
        try:
            d = date.fromisoformat(day.strip())
        except ValueError:
            raise ValidationFailed(f"cannot read special day {day!r} (YYYY-MM-DD)") from None
        days.append(SpecialDay(d, (kind.strip() or like).lower()))
    return days


class _FixedClock:
    def __init__(self, at: float):
        self.at = at

    def now(self) -> float:
        return self.at


def _local_midnight(day: str, tz: str) -> float:
    from zoneinfo import ZoneInfo

    try:
        d = date.fromisoformat(day)
        zone = ZoneInfo(tz)
    except (ValueError, KeyError):
        raise ValidationFailed(f"cannot read --as-of {day!r} (YYYY-MM-DD) in zone {tz!r}") from None
    return datetime(d.year, d.month, d.day, tzinfo=zone).timestamp()


def _read_holidays(value: str | None) -> str | None:
    """--holidays takes dates, or a file (one date[=like] per line)."""
    if value and Path(value).is_file():
        return ",".join(line.split("#")[0].strip() for line in Path(value).read_text().splitlines())
    return value


def _say_volume_only(history: list[Any], aht: float | None) -> None:
    """Before any backtest: a history without handle times gives a volume-only forecast."""
    bare = [f"{s.queue}/{s.channel}" for s in history if s.handle_s is None]
    if bare and aht is None:
        err.print(f"note: no handle times in the history of {', '.join(bare)}: the forecast is volume only "
                  "(aht_s empty); `blendcc staff` will need --aht, or give --aht here", markup=False)


@app.command()
def forecast(
    input_csv: Annotated[Path | None, typer.Argument(help="CSV of interval counts or of contact timestamps")] = None,
    out_csv: Annotated[Path, typer.Option("--out", help="forecast CSV to write")] = Path("forecast.csv"),
    interval: Annotated[int, typer.Option(help="interval minutes: 15, 30 or 60")] = 30,
    horizon: Annotated[str, typer.Option(help="days ('14d') or weeks ('2w') to forecast")] = "14d",
    holidays: Annotated[str | None, typer.Option(help="special days: 'YYYY-MM-DD=like,...' (=like optional) "
                                                 "or a file; like is a weekday name, closed or normal")] = None,
    holiday_like: Annotated[str, typer.Option(help="how a special day without '=like' is forecast")] = "normal",
    override: Annotated[list[str] | None, typer.Option(help="FROM..TO=VALUE or =+N%, optional "
                                                      "prefixes aht_s@ and QUEUE/CHANNEL@ (repeatable)")] = None,
    chart: Annotated[Path | None, typer.Option(help="chart to write: .png or .html")] = None,
    backtest: Annotated[bool, typer.Option("--backtest", help="kept for old scripts: the backtest table is "
                                           "always printed")] = False,
    origins: Annotated[int, typer.Option(help="backtest origins, on the target's weekday, one week apart",
                                         min=1, max=60)] = 12,
    choice: Annotated[str, typer.Option(help="'combined': the 1/WAPE^2-weighted mean of the best models; "
                                        "'best': the single lowest-WAPE model")] = "combined",
    level: Annotated[float, typer.Option(help="prediction interval level, e.g. 0.8 (volume_lo, volume_hi)",
                                         min=0.5, max=0.99)] = 0.8,
    gaps: Annotated[str, typer.Option(help="missing days/intervals and partial days: holiday (excluded), "
                                      "zero, or interpolate")] = "holiday",
    country: Annotated[str | None, typer.Option(help="public holidays of this country (ISO code, e.g. IL, FR, "
                                                "US-CA) are excluded from fitting and forecast at the ratio "
                                                "past holidays had")] = None,
    anomalies: Annotated[str, typer.Option(help="days far from their weekday's level: exclude or keep")] = "exclude",
    model: Annotated[str | None, typer.Option(help="force a model instead of the backtest's choice")] = None,
    models: Annotated[str | None, typer.Option(help="candidate models, comma-separated (default: all)")] = None,
    kind: Annotated[str, typer.Option(help="input kind: auto, counts or timestamps")] = "auto",
    tz: Annotated[str | None, typer.Option(help="time zone of naive input times and of the output "
                                           "(default: BLENDCC_TIMEZONE)")] = None,
    queue: Annotated[str, typer.Option(help="queue name for a CSV without a queue column")] = "default",
    channel: Annotated[str, typer.Option(help="channel for a CSV without a channel column")] = "voice",
    aht: Annotated[float | None, typer.Option(help="AHT seconds when the input has no handle times (without "
                                              "it such a forecast is volume only)")] = None,
    from_db: Annotated[bool, typer.Option("--from-db", help="forecast from the event store per queue/channel")] = False,
    history_days: Annotated[int, typer.Option(help="days of store history to use with --from-db")] = 182,
    queue_id: Annotated[str | None, typer.Option(help="with --from-db: only this queue")] = None,
    database_url: Annotated[str | None, typer.Option(help="SQLAlchemy URL (with --from-db)")] = None,
    as_of: Annotated[str | None, typer.Option(help="with --from-db: forecast as if today were this date "
                                              "(YYYY-MM-DD), e.g. to check a past forecast")] = None,
) -> None:
    """Forecast contacts and AHT per interval, queue and channel; the model is chosen by rolling-origin backtest."""
    import pandas as pd

    from blendcc.app.planning.forecasting import ForecastingService, parse_horizon, run_forecast
    from blendcc.cli.forecast_table import print_backtests, progress_bar
    from blendcc.wfm.forecast import parse_override
    from blendcc.wfm.series import check_interval, long_from_frame, to_series

    settings = settings_or_exit(database_url=database_url)
    zone = tz or settings.timezone
    if (input_csv is None) == (not from_db):
        raise fail("give an INPUT.csv or --from-db (one of them)")
    if as_of is not None and not from_db:
        raise fail("--as-of goes with --from-db")
    if chart is not None and chart.suffix.lower() not in (".png", ".html", ".htm"):
        raise fail("--chart must end in .png or .html")
    try:
        check_interval(interval)
        days = parse_horizon(horizon)
        special = parse_special_days(_read_holidays(holidays), holiday_like.lower())
        overrides = [parse_override(o, interval) for o in override or []]
        candidates = [m.strip() for m in models.split(",") if m.strip()] if models else None
        if choice not in ("combined", "best"):
            raise ValidationFailed("--choice is combined or best")
        if anomalies not in ("exclude", "keep"):
            raise ValidationFailed("--anomalies is exclude or keep")
        from blendcc.wfm.gaps import check_policy, country_holidays

        check_policy(gaps)
        if country:
            country_holidays(country, date(2000, 1, 1), date(2000, 1, 1))  # an unknown country fails now
        opts = {"special_days": special, "overrides": overrides, "models": candidates, "model": model,
                "n_origins": origins, "default_aht_s": aht, "gaps": gaps, "country": country,
                "exclude_anomalies": anomalies == "exclude", "level": level, "combined": choice == "combined"}
        if from_db:
            from blendcc.adapters.clock import SystemClock
            from blendcc.adapters.storage.engine import make_engine
            from blendcc.adapters.storage.migrate import migrate
            from blendcc.adapters.storage.sql_store import SqlStore

            clock: Clock = SystemClock()
            if as_of is not None:
                clock = _FixedClock(_local_midnight(as_of, zone))
            try:
                migrate(settings.database_url)
                store = SqlStore(make_engine(settings.database_url))
            except Exception as exc:  # bad URL, server down: a message, not a trace
                raise fail(f"cannot open the database: {exc}") from None
            service = ForecastingService(store, clock, zone)
            history = service.history(interval, history_days, queue_id)
            _say_volume_only(history, aht)
            with progress_bar() as bar:
                run = service.forecast_store(interval, days, history_days, queue_id, progress=bar, **opts)
        else:
            assert input_csv is not None
            try:
                frame = pd.read_csv(input_csv)
            except (OSError, ValueError) as exc:
                raise fail(f"cannot read {input_csv}: {exc}") from None
            history = to_series(long_from_frame(frame, kind, zone, queue, channel), interval)
            _say_volume_only(history, aht)
            with progress_bar() as bar:
                run = run_forecast(history, days, zone, progress=bar, **opts)  # type: ignore[arg-type]
    except DomainError as exc:
        raise fail(exc.message) from None
    except ValueError as exc:
        raise fail(str(exc)) from None
    with out_csv.open("w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=["interval_start", "queue", "channel", "volume", "aht_s", "volume_lo",
                                                "volume_hi"])
        writer.writeheader()
        writer.writerows(safe_dict(r) for r in run.rows)
    for f in run.forecasts:
        note = f"; {'; '.join(f.notes)}" if f.notes else ""
        special_note = f"; special days {', '.join(f'{d}={k}' for d, k in f.special.items())}" if f.special else ""
        out.print(f"{f.queue}/{f.channel}: model {f.model}, {f.volume.sum():.0f} contacts over {len(f.days)} days "
                  f"from {f.first_day}{special_note}{note}", markup=False)
    if run.overridden:
        out.print(f"overrides changed {run.overridden} intervals")
    print_backtests(run.forecasts)
    out.print(f"volume_lo, volume_hi: {level:.0%} prediction interval per interval (from the backtest's errors)")
    out.print(f"wrote {len(run.rows)} rows to {out_csv}")
    if chart is not None:
        from blendcc.cli.forecast_chart import render

        fmt = "png" if chart.suffix.lower() == ".png" else "html"
        chart.write_bytes(render(history, run.forecasts, fmt))
        out.print(f"wrote chart {chart}")
    if not run.rows:
        err.print("warning: the forecast has no rows")
