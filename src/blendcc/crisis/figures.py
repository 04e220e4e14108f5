"""The live figures a playbook watches, one definition for the live service (from the wallboard) and the
simulator (from its own event fold): per queue and for the centre (``*``) today's service level and abandon
rate, waiting, longest wait, offered, and offered against the forecast so far."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from blendcc.domain.crisis_events import CENTRE

#: one queue as the evaluation sees it: (queue id, today's ``queue_kpis``, waiting now, longest wait now)
QueueNow = tuple[str, Mapping[str, Any], float, float]


def queue_figures(queues: Iterable[QueueNow]) -> dict[str, dict[str, float | None]]:
    """Per queue and for the centre (``*``): service level and abandon rate today, waiting, longest wait and
    offered today. The centre's rates weigh each queue by its offered minus short abandons (the rates' base)."""
    out: dict[str, dict[str, float | None]] = {}
    waiting = offered = longest = 0.0
    sl_num = ab_num = base = 0.0
    for qid, today, w, lw in queues:
        n = float(today.get("offered") or 0) - float(today.get("short_abandoned") or 0)
        sl, ab = today.get("service_level"), today.get("abandon_rate")
        off = float(today.get("offered") or 0)
        out[qid] = {"service_level": sl, "abandon_rate": ab, "waiting": float(w), "longest_wait_s": float(lw),
                    "offered": off}
        waiting += float(w)
        longest = max(longest, float(lw))
        offered += off
        if n > 0 and sl is not None:
            sl_num += sl * n
            ab_num += (ab or 0.0) * n
            base += n
    out[CENTRE] = {"service_level": sl_num / base if base else None, "abandon_rate": ab_num / base if base else None,
                   "waiting": waiting, "longest_wait_s": longest, "offered": offered}
    return out


def with_forecast(queues: Mapping[str, Mapping[str, float | None]], forecast_for: Iterable[str],
                  expected: Callable[[str], float | None]) -> dict[str, dict[str, float | None]]:
    """A copy of ``queues`` with ``offered_vs_forecast`` (offered over the forecast so far, minus one) for the
    queues in ``forecast_for``; None while the forecast is not known or zero."""
    out = {k: dict(v) for k, v in queues.items()}
    for q in forecast_for:
        row = out.get(q)
        if row is None:
            continue
        exp = expected(q)
        offered = row.get("offered")
        row["offered_vs_forecast"] = (offered / exp - 1.0) if exp and offered is not None else None
    return out


def so_far(volume: Sequence[float], elapsed_s: float, interval_s: float) -> float:
    """The forecast volume of every slot complete after ``elapsed_s`` plus the current slot's elapsed share."""
    if elapsed_s <= 0:
        return 0.0
    full = int(elapsed_s // interval_s)
    total = float(sum(volume[:full]))
    if full < len(volume):
        total += float(volume[full]) * (elapsed_s - full * interval_s) / interval_s
    return total
