"""The campaign monitor: every campaign's state, pacing, dial level, live-answer rate, abandonment and penetration."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from blendcc.app.outbound.campaigns import CampaignService
from blendcc.app.outbound.dialing import DialingService
from blendcc.dialer.campaign import CampaignConfig
from blendcc.domain.errors import NotFound


def _ratio(num: float, den: float) -> float | None:
    return num / den if den > 0 else None


def monitor_row(svc: CampaignService, campaign: CampaignConfig, state: dict[str, Any],
                dialing: DialingService | None, staffed: Callable[[str], int]) -> dict[str, Any]:
    """One campaign's figures: the last 24 hours' dials and answers, abandonment over 24 h and 30 days
    against the cap, the list's penetration by record state, and the dialing loop's live pacing."""
    report = svc.stats(campaign.id)
    pacing: dict[str, Any] | None = None
    if dialing is not None:
        try:
            pacing = dialing.pacing_state(campaign.id)
        except NotFound:  # the loop has not picked the campaign up (stopped, or just started)
            pacing = None
    agents = staffed(campaign.queue_id)
    in_progress = None if pacing is None else pacing["ringing"] + pacing["waiting_for_agent"] + pacing["connected"]
    cap = campaign.abandon_cap
    return {
        "campaign_id": campaign.id, "name": campaign.name or campaign.id, "queue_id": campaign.queue_id,
        "state": state["state"], "reason": state["reason"], "since": state["since"],
        "mode": campaign.mode, "regulatory_mode": campaign.regulatory_mode, "lines_per_agent": campaign.lines_per_agent,
        "abandon_cap": cap, "abandon_target": campaign.abandon_target,
        "agents_staffed": agents,
        "calls_in_progress": in_progress,
        "dial_level": None if in_progress is None else _ratio(in_progress, agents),
        "p_live": None if pacing is None else pacing["p_live"],
        "ringing": None if pacing is None else pacing["ringing"],
        "waiting_for_agent": None if pacing is None else pacing["waiting_for_agent"],
        "attempts_24h": report.attempts, "live_answers_24h": report.live_answers, "connected_24h": report.connected,
        "abandoned_24h": report.abandoned,
        "live_answer_rate_24h": _ratio(report.live_answers, report.attempts),
        "abandon_rate_24h": report.abandon_rate_24h, "abandon_rate_30d": report.abandon_rate_30d,
        "regulatory_rate": report.regulatory_rate,
        "over_cap": report.regulatory_rate > cap,
        "records": report.records, "records_attempted": report.records_attempted,
        "penetration": report.penetration, "records_by_state": dict(report.records_by_state),
        "outcomes_24h": dict(report.outcomes),
    }


def monitor(svc: CampaignService, dialing: DialingService | None,
            staffed: Callable[[str], int]) -> list[dict[str, Any]]:
    """The monitor's row of every campaign, by id."""
    states = svc.states()
    return [monitor_row(svc, c, states.get(c.id, {"state": "stopped", "reason": None, "since": None}), dialing,
                        staffed)
            for c in sorted(svc.campaigns(), key=lambda c: c.id)]
