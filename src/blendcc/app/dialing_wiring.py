"""Wiring the dialing loop into a built container: campaign state hooks, engine events, the tick job."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from blendcc.app.dialing import DialingService
from blendcc.app.dialing_state import events_of
from blendcc.app.periodic import Periodic
from blendcc.domain.errors import InvalidState
from blendcc.ports import Scheduler, Telephony

if TYPE_CHECKING:
    from blendcc.app.container import Container

log = logging.getLogger(__name__)


def start_ticker(service: DialingService, scheduler: Scheduler, interval_s: float = 0.25) -> Periodic:
    """Tick ``service`` every ``interval_s`` as a periodic job on ``scheduler`` (live: the server's
    asyncio scheduler; no thread of its own). A telephony with ``deliver_due`` (the fake, for demos) is
    pumped first, under the service's lock (the fake is not thread-safe and agents' preview dials
    place calls from request threads). The job is kept as ``service.ticker``; ``stop_ticker`` ends it."""
    stop_ticker(service)
    pump = getattr(service.telephony, "deliver_due", None)

    def tick() -> None:
        if callable(pump):
            with service.lock:
                pump()
        service.tick()

    service.ticker = Periodic(scheduler, interval_s, tick, "dialing tick").start()
    return service.ticker


def stop_ticker(service: DialingService | None, timeout_s: float = 5.0) -> None:
    """Stop the service's tick job (if any) and wait for a tick in progress (the API lifespan's shutdown)."""
    if service is None or service.ticker is None:
        return
    service.ticker.stop(timeout_s)
    service.ticker = None


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
        return campaigns.dispose(campaign_id, record_id, disposition, callback_at=callback_at,
                                 personal_agent=personal_agent)

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
