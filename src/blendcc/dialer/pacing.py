"""Pacing: how many calls a campaign places now, per mode, under the hard abandonment governor.

preview: none on its own (the agent dials a record it has read). progressive: one call per free agent,
the agent reserved for it (no abandonment possible). power: ``lines_per_agent`` calls in flight per
free agent. predictive: as many as keep the chance that a live answer finds no agent under the
controller's alpha (see ``predictive.py``). The governor (power and predictive) is hard: whenever the
abandonment budget of the regulatory window is exhausted (one more abandon would take the measured
rate over ``abandon_cap``), over-dialling stops and at most one call per free agent is in flight.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypeVar

from blendcc.dialer.campaign import CampaignConfig
from blendcc.dialer.predictive import Busy, OutcomeEstimator, predictive_calls

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class PoolView:
    """What the dialer sees of its agent pool: agents it may use now (after blending) and those busy."""

    free: int
    busy: Sequence[Busy] = ()
    #: a pool shared with other campaigns (power, predictive): this campaign's weight share of it and
    #: the other campaigns' calls in flight on it (elapsed seconds of the ringing ones, answers waiting)
    share: float = 1.0
    others_ringing: Sequence[float] = ()
    others_waiting: int = 0


@dataclass(frozen=True, slots=True)
class FlightView:
    """The campaign's calls in flight: elapsed seconds of unreserved calls still ringing, live answers
    waiting for an agent, and calls ringing for a reserved agent."""

    ringing: Sequence[float] = ()
    waiting: int = 0
    reserved: int = 0
    dial_rate: float = 0.0  # calls placed per second lately (unreserved)


@dataclass(frozen=True, slots=True)
class PacingDecision:
    calls: int
    mode: str
    governed: bool = False
    risk: float = 0.0
    p_live: float = 0.0
    reason: str = ""


def pace(campaign: CampaignConfig, pool: PoolView, flight: FlightView, *, estimator: OutcomeEstimator,
         alpha: float, headroom: int, max_calls: int) -> PacingDecision:
    """Calls to place now. ``headroom``: abandons still allowed in the regulatory window before the rate
    would exceed ``abandon_cap`` (``AbandonLedger.headroom``); ``max_calls`` bounds the answer
    (records available, lines)."""
    mode = campaign.mode
    if max_calls <= 0 or mode == "preview":
        return PacingDecision(0, mode, reason="agent dials" if mode == "preview" else "no records")
    in_flight = len(flight.ringing) + flight.waiting
    if mode == "progressive":
        return PacingDecision(min(pool.free, max_calls), mode, reason="one call per free agent")
    # over-dialling modes: the governor first
    governed = headroom < 2  # one more abandon (and one already in flight) must stay within the cap
    others = len(pool.others_ringing) + pool.others_waiting
    shared = pool.share < 1.0
    safe = max(0, pool.free - in_flight - others)
    if governed:
        calls = math.ceil(safe * pool.share - 1e-9) if shared else safe
        return PacingDecision(min(calls, max_calls), mode, governed=True,
                              reason=f"governor: abandonment budget {headroom} in the regulatory window")
    if mode == "power":
        # on a shared pool: this campaign's weight share of the lines (stable, so shares never overlap)
        lines = campaign.lines_per_agent * pool.free
        target = math.floor(lines * pool.share + 1e-9)
        room = math.floor(lines + 1e-9) - in_flight - others  # and never more lines than the whole pool's
        return PacingDecision(max(0, min(target - in_flight, room, max_calls)), mode,
                              reason=f"{campaign.lines_per_agent:g} lines per free agent")
    # predictive on a shared pool: the forecast sees every campaign's calls in flight (joint pacing) and
    # this campaign places its share of the calls the pool can take (rounded up: the next campaign's
    # forecast sees these calls)
    forecast = predictive_calls(free=pool.free, busy=pool.busy, ringing=[*flight.ringing, *pool.others_ringing],
                                waiting=flight.waiting + pool.others_waiting, estimator=estimator, alpha=alpha,
                                connect_within_s=campaign.connect_within_s, max_calls=max_calls,
                                dial_rate=flight.dial_rate)
    calls = math.ceil(forecast.calls * pool.share - 1e-9) if shared else forecast.calls
    return PacingDecision(calls, mode, risk=forecast.risk, p_live=forecast.p_live,
                          reason=f"predicted abandon risk {forecast.risk:.3f} vs alpha {alpha:.3f}")


def share_pool(items: Sequence[T], weights: Sequence[float], credits: list[float]) -> list[list[T]]:
    """Split ``items`` (free agents of a pool) between campaigns by ``weights``: a smooth weighted round
    robin (each item: every campaign gains its weight, the richest takes the item and pays the total).
    ``credits`` (one per campaign) is updated in place; carried between calls it makes the long-run
    shares proportional to the weights even when items come one at a time."""
    if len(weights) != len(credits):
        raise ValueError("one credit per weight")
    parts: list[list[T]] = [[] for _ in weights]
    total = float(sum(weights))
    if not weights or total <= 0.0:
        return parts
    for item in items:
        for i, w in enumerate(weights):
            credits[i] += w
        best = max(range(len(weights)), key=lambda i: (credits[i], -i))
        credits[best] -= total
        parts[best].append(item)
    return parts
