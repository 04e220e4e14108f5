"""Report figures about outcomes (KPIS.md): dispositions in Pareto order, the resolution rate (FCR) from repeat
contacts within N days, and forecast accuracy (WAPE, MAPE) of the seasonal-naive baseline per queue."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from typing import Any

import numpy as np

from blendcc.app.reporting.report_query import Periods
from blendcc.domain.events import ContactCreated, ContactQueued, Event, WrapUpCompleted
from blendcc.wfm.models import seasonal_naive_4w

Key = tuple[float, str]
#: the disposition key of wrap-ups without a code
NO_CODE = "(none)"
#: days of history the forecast of a day is computed from (the baseline averages the last 4 same weekdays)
FORECAST_HISTORY_DAYS = 28


def _per(a: float, b: float) -> float | None:
    return a / b if b > 0 else None


def code_of(e: WrapUpCompleted) -> str:
    return e.disposition or NO_CODE


# ---------------------------------------------------------------------- dispositions (Pareto)

def disposition_rows(wrapups: Iterable[WrapUpCompleted], p: Periods) -> tuple[dict[Key, dict[str, Any]],
                                                                               dict[str, Any]]:
    """Wrap-ups per (period, disposition code) with the period's share and the cumulative share in Pareto order
    (most frequent first; ties by code)."""
    counts: dict[Key, int] = {}
    for e in wrapups:
        k = (p.bucket(e.queued_at), code_of(e))
        counts[k] = counts.get(k, 0) + 1
    out: dict[Key, dict[str, Any]] = {}
    for b in sorted({k[0] for k in counts}):
        mine = sorted(((k, n) for k, n in counts.items() if k[0] == b), key=lambda kn: (-kn[1], kn[0][1]))
        whole = sum(n for _, n in mine)
        run = 0
        for rank, (k, n) in enumerate(mine, start=1):
            run += n
            out[k] = {"wrapups": n, "share": n / whole, "cumulative_share": run / whole, "pareto_rank": rank}
    total = sum(counts.values())
    return out, {"wrapups": total, "share": 1.0 if total else None, "cumulative_share": None, "pareto_rank": None}


# ---------------------------------------------------------------------- resolution rate (FCR)

def fcr_rows(log: Iterable[Event], days: int, key_of: Callable[[WrapUpCompleted], Key | None],
             ) -> tuple[dict[Key, dict[str, Any]], dict[str, Any]]:
    """Per key: handled contacts (wrap-ups, one per contact and key) of a known customer whose customer did not
    contact again about the same reason within ``days`` days after the wrap-up, / those contacts. Contacts
    without a customer are counted apart. A contact's reason is its last wrap-up's disposition code, or its
    first queue when no wrap-up has a code; a repeat is another contact of the same customer first queued
    after the wrap-up and at most ``days`` days later, with the same reason."""
    customer: dict[str, str | None] = {}
    first_queued: dict[str, tuple[float, str]] = {}
    last_code: dict[str, str] = {}
    wraps: list[WrapUpCompleted] = []
    for e in log:
        if isinstance(e, ContactCreated):
            customer[e.contact_id] = e.customer_id
        elif isinstance(e, ContactQueued):
            first_queued.setdefault(e.contact_id, (e.at, e.queue_id))
        elif isinstance(e, WrapUpCompleted):
            wraps.append(e)
            if e.disposition:
                last_code[e.contact_id] = e.disposition
    visits: dict[tuple[str, str], list[tuple[float, str]]] = {}  # (customer, reason) -> (first queued, contact)
    for cid, (at, queue) in first_queued.items():
        who = customer.get(cid)
        if who:
            visits.setdefault((who, last_code.get(cid, queue)), []).append((at, cid))
    acc: dict[Key, list[int]] = {}  # [considered, resolved, unknown customer]
    seen: set[tuple[Key, str]] = set()
    window = days * 86400.0
    for e in wraps:
        key = key_of(e)
        if key is None or (key, e.contact_id) in seen:
            continue
        seen.add((key, e.contact_id))
        a = acc.setdefault(key, [0, 0, 0])
        who = customer.get(e.contact_id)
        if not who:
            a[2] += 1
            continue
        reason = last_code.get(e.contact_id) or first_queued.get(e.contact_id, (0.0, e.queue_id))[1]
        again = any(e.at < t <= e.at + window and cid != e.contact_id for t, cid in visits.get((who, reason), ()))
        a[0] += 1
        a[1] += not again
    rows = {k: _fcr(v) for k, v in acc.items()}
    tot = [sum(v[i] for v in acc.values()) for i in range(3)]
    return rows, _fcr(tot)


def _fcr(v: list[int]) -> dict[str, Any]:
    return {"fcr_rate": _per(v[1], v[0]), "fcr_contacts": v[0], "fcr_unknown_customer": v[2]}


# ---------------------------------------------------------------------- forecast accuracy

def forecast_rows(offered: dict[tuple[float, str, str], int], p: Periods, until: float,
                  row_of: Callable[[str, str], str | None]) -> tuple[dict[Key, dict[str, Any]], dict[str, Any]]:
    """WAPE and MAPE (KPIS.md) of the seasonal-naive baseline (``wfm.models.seasonal_naive_4w``, the forecast
    the planner falls back to) per (period, row): each day of the report is forecast from the 28 days before it
    (as a backtest origin), per slot of the report's interval (60 minutes at day, week and month grain), and
    compared with the offered contacts; slots ending after ``until`` (now) are not scored, and a day whose
    28 days before hold no offered contact of the row has no forecast (no figure, never a made-up one).
    ``offered`` holds the stored queue counters' offered contacts from 28 days before the report's start."""
    q = p.query
    slot_s = q.interval_minutes * 60 if q.grain == "interval" else 3600
    per_day = 86400 // slot_s
    first = q.from_ - timedelta(days=FORECAST_HISTORY_DAYS)
    n_days = (q.to - first).days + 1
    volume: dict[str, np.ndarray] = {}
    cells: dict[float, tuple[int, int]] = {}  # interval start -> (day, slot), converted once per interval
    for (t, queue, channel), n in offered.items():
        row = row_of(queue, channel)
        if row is None:
            continue
        cell = cells.get(t)
        if cell is None:
            local = datetime.fromtimestamp(t, p.tz)
            cell = cells[t] = ((local.date() - first).days,
                               min(per_day - 1, (local.hour * 3600 + local.minute * 60) // slot_s))
        d, s = cell
        if not 0 <= d < n_days:
            continue
        volume.setdefault(row, np.zeros((n_days, per_day)))[d, s] += n
    acc: dict[Key, list[Any]] = {}  # [abs error, actual, forecast, [ape...]]
    for row, v in volume.items():
        for d in range(FORECAST_HISTORY_DAYS, n_days):
            hist = v[d - FORECAST_HISTORY_DAYS:d]
            if not hist.any():
                continue
            day = first + timedelta(days=d)
            fc = seasonal_naive_4w(hist, (day - timedelta(days=FORECAST_HISTORY_DAYS)).weekday(), 1)[0]
            midnight = datetime(day.year, day.month, day.day, tzinfo=p.tz).timestamp()
            for s in range(per_day):
                start = datetime.fromtimestamp(midnight, p.tz).replace(hour=s * slot_s // 3600,
                                                                       minute=s * slot_s % 3600 // 60).timestamp()
                if start + slot_s > until:
                    break
                a, f = float(v[d, s]), float(fc[s])
                k = (p.bucket(start), row)
                if a == 0 and f == 0 and k not in acc:
                    continue  # nothing offered and nothing forecast: no row of its own
                x = acc.setdefault(k, [0.0, 0.0, 0.0, []])
                x[0] += abs(a - f)
                x[1] += a
                x[2] += f
                if a > 0:
                    x[3].append(abs(a - f) / a)
    rows = {k: _accuracy(x) for k, x in acc.items()}
    tot: list[Any] = [sum(x[i] for x in acc.values()) for i in range(3)] + [[y for x in acc.values() for y in x[3]]]
    return rows, _accuracy(tot) if acc else _accuracy(None)


def _accuracy(x: list[Any] | None) -> dict[str, Any]:
    if x is None:
        return {"forecast_offered": None, "forecast_wape": None, "forecast_mape": None}
    return {"forecast_offered": x[2], "forecast_wape": _per(x[0], x[1]),
            "forecast_mape": sum(x[3]) / len(x[3]) if x[3] else None}
