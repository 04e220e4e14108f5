"""The dialing loop's tick job: a periodic job on the scheduler, started and stopped with the server."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from blendcc.app.outbound.dialing import DialingService
from blendcc.app.periodic import Periodic
from blendcc.ports import Scheduler

if TYPE_CHECKING:
    pass

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
