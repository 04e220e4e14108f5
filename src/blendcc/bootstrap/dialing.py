"""Wires the dialing loop into a built container: campaign state hooks, engine events, the tick job."""

from __future__ import annotations

from typing import Any

from blendcc.app.container import Container
from blendcc.app.outbound.dialing import DialingService
from blendcc.app.outbound.state import events_of
from blendcc.app.outbound.ticker import start_ticker
from blendcc.domain.errors import InvalidState
from blendcc.outbound_ports import Telephony


def wire_dialing(container: Container, telephony: Telephony, *, ticker: bool = True,
                 interval_s: float = 0.25) -> DialingService:
    """Build the DialingService on the container's Runtime and dialer repository: campaign
    start/pause/stop (``CampaignService.on_state``) drive it, agent dispositions go through the
    campaign service (so 'dnc' numbers are added to the list), engine events feed its estimates, and
    campaigns already running are resumed. ``ticker`` starts the tick job on the container's scheduler
    (live, while the server runs; without one the API lifespan starts it, or tests call ``tick``)."""
    campaigns = container.campaigns
    if campaigns is None:
        raise InvalidState("the dialer is not configured in this deployment")

    def dispose(campaign_id: str, record_id: str, disposition: str, callback_at: float | None,
                personal_agent: str | None) -> object:
        updated = campaigns.dispose(campaign_id, record_id, disposition, callback_at=callback_at,
                                    personal_agent=personal_agent)
        if personal_agent is not None and callback_at is not None:  # the agent's "My callbacks" list changed
            container.bus.publish("agent", {"type": "CallbackScheduled", "source": "dialer",
                                            "agent_id": personal_agent, "campaign_id": campaign_id,
                                            "record_id": record_id, "callback_at": callback_at})
        return updated

    service = DialingService(container.runtime, telephony, campaigns.repo, container.clock, dispose=dispose)
    campaigns.on_state.append(service.on_campaign_state)
    campaigns.previewing = service.previewed_record  # agents may dispose the record they preview

    def observe(_topic: str, message: Any) -> None:
        service.observe(events_of([message]))

    container.bus.subscribe("contact", observe)
    for config in campaigns.running():
        service.start(config, announce=False)
    container.dialing = service
    if ticker and container.scheduler is not None:
        start_ticker(service, container.scheduler, interval_s)
    return service
