"""The campaigns an agent may dial in: those of its queues, their state, what it may do now (pushed on change)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from blendcc.app.outbound.campaigns import CampaignService
from blendcc.dialer.campaign import CampaignConfig

_ORDER = {"running": 0, "paused": 1, "stopped": 2}


def agent_campaigns(campaigns: CampaignService, queues: Iterable[str], dialer_running: bool) -> list[dict[str, Any]]:
    """The campaigns whose ``queue_id`` is one of ``queues``, running ones first then by name: id, name, mode,
    queue, state and whether a preview dial (a running preview campaign) and a manual dial (any running
    campaign) may be started on it now, with why not. The agent's own state is checked when it dials."""
    mine = set(queues)
    out: list[dict[str, Any]] = []
    for doc in campaigns.campaigns():
        if doc.queue_id not in mine:
            continue
        state = campaigns.state(doc.id)
        running = state == "running" and dialer_running
        if not dialer_running:
            why: str | None = "the dialer is not running in this deployment"
        elif state != "running":
            why = f"campaign {doc.id} is {state}"
        else:
            why = None
        out.append({"id": doc.id, "name": doc.name or doc.id, "mode": doc.mode, "queue_id": doc.queue_id,
                    "state": state, "preview_dial": running and doc.mode == "preview", "manual_dial": running,
                    "why_not": why})
    out.sort(key=lambda c: (_ORDER.get(str(c["state"]), 3), str(c["name"]).lower(), str(c["id"])))
    return out


def push_campaign_states(campaigns: CampaignService, publish: Callable[[str, Mapping[str, Any]], None]) -> None:
    """On each campaign state change, tell every agent of the campaign's queue on the bus's "agent" topic
    (``{"type": "CampaignStateChanged", "agent_id", "campaign_id", "state"}``), so desktops reload their list."""

    def changed(campaign: CampaignConfig, state: str) -> None:
        for agent_id, agent in campaigns.config.catalog.agents.items():
            if campaign.queue_id in agent.queues:
                publish("agent", {"type": "CampaignStateChanged", "agent_id": agent_id, "campaign_id": campaign.id,
                                  "queue_id": campaign.queue_id, "state": state})

    campaigns.on_state.append(changed)
