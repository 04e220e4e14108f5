"""Contact history as interval series: CSV frames (counts or timestamps), store counters -> day x interval grids.

Forecasting works on the centre's local wall clock: every day has exactly ``intervals_per_day`` slots
(48 at 30 minutes), whatever daylight-saving time does; timestamps get their UTC offset back only on
output (:func:`localize`). A series is one (queue, channel) pair, held as a ``days x slots`` matrix of
volumes and, when handle times are known, of summed handle seconds over the contacts they are known for
(AHT = handle / handled).
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import numpy as np

from blendcc.domain.errors import ValidationFailed

if TYPE_CHECKING:
    import pandas as pd

INTERVALS_MIN = (15, 30, 60)
TIME_COLUMNS = ("interval_start", "ds", "timestamp", "time", "datetime", "start", "created_at", "queued_at",
                "arrival", "date_time")
COUNT_COLUMNS = ("volume", "calls", "count", "contacts", "offered", "y", "n")
AHT_COLUMNS = ("aht_s", "aht", "handle_time_s")
HANDLE_COLUMNS = ("handle_s", "handle_time", "duration_s", "duration", "ser_time", "talk_s")


@dataclass
class Series:
    """One queue/channel history on the local wall clock: ``volume[d, i]`` contacts in slot i of day d."""

    queue: str
    channel: str
    first_day: date
    interval_min: int
    volume: np.ndarray  # float, days x slots
    handle_s: np.ndarray | None = None  # summed handle seconds, days x slots (None: AHT unknown)
    handled: np.ndarray | None = None  # contacts whose handle time is in handle_s (None: all of volume)
    #: days x slots: the input had a row for the interval (interval-count files); None when absence of rows
    #: means no contacts (one row per contact, store counters)
    present: np.ndarray | None = None

    @property
    def slots(self) -> int:
        return 1440 // self.interval_min

    @property
    def days(self) -> int:
        return int(self.volume.shape[0])

    def day(self, d: int) -> date:
        return self.first_day + timedelta(days=int(d))

    @property
    def weekdays(self) -> np.ndarray:
        """Weekday (Monday 0) of each history day."""
        return (np.arange(self.days) + self.first_day.weekday()) % 7

    def window(self, start: int, stop: int) -> Series:
        """The days ``start:stop`` as a new series (no copy)."""
        h = None if self.handle_s is None else self.handle_s[start:stop]
        n = None if self.handled is None else self.handled[start:stop]
        p = None if self.present is None else self.present[start:stop]
        return Series(self.queue, self.channel, self.day(start), self.interval_min, self.volume[start:stop], h, n, p)

    @property
    def aht_weight(self) -> np.ndarray:
        """Contacts the summed handle seconds are over (what AHT divides by)."""
        return self.volume if self.handled is None else self.handled


def check_interval(minutes: int) -> int:
    if minutes not in INTERVALS_MIN:
        raise ValidationFailed(f"interval must be one of {', '.join(map(str, INTERVALS_MIN))} minutes")
    return minutes


def _pick(columns: Iterable[str], names: Iterable[str]) -> str | None:
    lower = {c.lower().strip(): c for c in columns}
    for n in names:
        if n in lower:
            return lower[n]
    return None


def detect_kind(frame: pd.DataFrame) -> str:
    """'counts' when the frame has a count column (calls, volume, count...), else 'timestamps'."""
    return "counts" if _pick(frame.columns, COUNT_COLUMNS) is not None else "timestamps"


def _wall_clock(values: pd.Series, tz: ZoneInfo) -> pd.Series:
    """Parse timestamps; aware ones are converted to the centre's zone; all become naive local time."""
    import pandas as pd  # here, not at import: the server starts without pandas (ADR 0059)

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)  # mixed offsets: handled below through UTC
        try:
            parsed = pd.to_datetime(values, utc=False, format="mixed")
        except (ValueError, TypeError):
            parsed = None
    if parsed is None or parsed.dtype == object:  # offsets differ (e.g. across a DST change)
        try:
            parsed = pd.to_datetime(values, utc=True, format="mixed")
        except (ValueError, TypeError) as exc:
            raise ValidationFailed(f"cannot read timestamps: {exc}") from None
    if parsed.isna().any():
        raise ValidationFailed(f"{int(parsed.isna().sum())} rows have no readable timestamp")
    if isinstance(parsed.dtype, pd.DatetimeTZDtype):
        return parsed.dt.tz_convert(tz).dt.tz_localize(None)
    return parsed


def long_from_frame(frame: pd.DataFrame, kind: str = "auto", tz: str = "UTC", queue: str = "default",
                    channel: str = "voice") -> pd.DataFrame:
    """Normalise a CSV frame to rows (ts local naive, queue, channel, volume, handle_s, handled).

    ``counts`` frames have a time column and a count column (and optionally aht_s, queue, channel);
    ``timestamps`` frames have one row per contact (and optionally a handle-time column).
    """
    import pandas as pd  # here, not at import: the server starts without pandas (ADR 0059)

    if frame.empty:
        raise ValidationFailed("the input has no rows")
    if kind == "auto":
        kind = detect_kind(frame)
    if kind not in ("counts", "timestamps"):
        raise ValidationFailed("kind must be auto, counts or timestamps")
    zone = _zone(tz)
    tcol = _pick(frame.columns, TIME_COLUMNS) or frame.columns[0]
    out = pd.DataFrame({"ts": _wall_clock(frame[tcol], zone)})
    qcol = _pick(frame.columns, ("queue", "queue_id"))
    ccol = _pick(frame.columns, ("channel",))
    out["queue"] = frame[qcol].astype(str).to_numpy() if qcol else queue
    out["channel"] = frame[ccol].astype(str).to_numpy() if ccol else channel
    if kind == "counts":
        vcol = _pick(frame.columns, COUNT_COLUMNS)
        if vcol is None:
            raise ValidationFailed(f"no count column: name one of {', '.join(COUNT_COLUMNS)}")
        volume = pd.to_numeric(frame[vcol], errors="coerce")
        acol = _pick(frame.columns, AHT_COLUMNS)
        aht = pd.to_numeric(frame[acol], errors="coerce") if acol else None
        handle = None if aht is None else aht * volume  # NaN where the AHT is unknown
    else:
        volume = pd.Series(1.0, index=frame.index)
        hcol = _pick(frame.columns, HANDLE_COLUMNS)
        handle = pd.to_numeric(frame[hcol], errors="coerce") if hcol else None
    if volume.isna().any() or (volume < 0).any():
        raise ValidationFailed("counts must be numbers >= 0")
    out["volume"] = volume.astype(float).to_numpy()
    if handle is None:
        out["handle_s"], out["handled"] = np.nan, 0.0
    else:
        known = handle.notna().to_numpy()
        out["handle_s"] = handle.astype(float).fillna(0.0).to_numpy()
        out["handled"] = np.where(known, out["volume"].to_numpy(), 0.0)
    out.attrs["kind"] = kind  # an interval-count file tells missing intervals (no row) from zero contacts
    return out


def _zone(tz: str) -> ZoneInfo:
    try:
        return ZoneInfo(tz)
    except Exception:
        raise ValidationFailed(f"unknown time zone {tz!r}") from None


def long_from_counters(table: Mapping[tuple[float, str, str], Any], tz: str = "UTC") -> pd.DataFrame:
    """Rows from the store's per-15-minute queue counters: volume = offered, handle = talk + hold + ACW
    of the contacts whose handling is complete, handled = those contacts (AHT as in queue_kpis)."""
    import pandas as pd  # here, not at import: the server starts without pandas (ADR 0059)

    zone = _zone(tz)
    rows = []
    for (t, q, ch), c in table.items():
        rows.append((datetime.fromtimestamp(t, zone).replace(tzinfo=None), q, ch, float(c.offered),
                     c.talk_s + c.hold_s + c.acw_s, float(c.handled_done)))
    return pd.DataFrame(rows, columns=["ts", "queue", "channel", "volume", "handle_s", "handled"])


def to_series(rows: pd.DataFrame, interval_min: int) -> list[Series]:
    """Sum the rows into interval grids, one per (queue, channel), from its first to its last day;
    intervals without rows are zero (for interval-count rows, ``present`` says which had a row)."""
    check_interval(interval_min)
    counts = rows.attrs.get("kind") == "counts"
    slots = 1440 // interval_min
    out: list[Series] = []
    if rows.empty:
        return out
    rows = rows.assign(day=rows["ts"].dt.normalize())
    rows = rows.assign(slot=((rows["ts"] - rows["day"]).dt.total_seconds() // (interval_min * 60)).astype(int))
    for (q, ch), g in rows.groupby(["queue", "channel"], sort=True):
        first = g["day"].min()
        ndays = int((g["day"].max() - first).days) + 1
        idx = ((g["day"] - first).dt.days.to_numpy() * slots + g["slot"].to_numpy())
        volume = np.bincount(idx, weights=g["volume"].to_numpy(), minlength=ndays * slots).reshape(ndays, slots)
        handle = handled = None
        n = g["handled"].to_numpy(dtype=float)
        if n.sum() > 0:
            handle = np.bincount(idx, weights=np.nan_to_num(g["handle_s"].to_numpy(dtype=float)),
                                 minlength=ndays * slots).reshape(ndays, slots)
            handled = np.bincount(idx, weights=n, minlength=ndays * slots).reshape(ndays, slots)
        present = np.bincount(idx, minlength=ndays * slots).reshape(ndays, slots) > 0 if counts else None
        out.append(Series(str(q), str(ch), first.date(), interval_min, volume, handle, handled, present))
    return out


def localize(days: Iterable[date], interval_min: int, tz: str) -> list[tuple[date, int, datetime]]:
    """(day, slot, aware start) for every wall-clock slot of ``days`` that exists in ``tz``.

    Slots skipped by a spring-forward change do not exist and are left out; on a fall-back day the
    repeated wall-clock hour is one slot (its first occurrence)."""
    zone = _zone(tz)
    out = []
    for d in days:
        for s in range(1440 // interval_min):
            naive = datetime(d.year, d.month, d.day) + timedelta(minutes=s * interval_min)
            aware = naive.replace(tzinfo=zone)
            if aware.astimezone(ZoneInfo("UTC")).astimezone(zone).replace(tzinfo=None) != naive:
                continue  # in the spring-forward gap
            out.append((d, s, aware))
    return out
