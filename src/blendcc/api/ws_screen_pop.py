"""The screen pop that follows an offer on the agent's socket: built off the writer's thread, never delaying
the offer; the CRM data follows as its own message when (and if) the CRM answers."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

from blendcc.app.container import Container

log = logging.getLogger(__name__)

#: running pushes, kept referenced until done (asyncio holds only weak references to tasks)
_TASKS: set[asyncio.Task[None]] = set()


def push_screen_pop(c: Container, loop: asyncio.AbstractEventLoop, put: Callable[[dict[str, Any]], None],
                    contact_id: str, customer_id: str | None) -> None:
    """Called on the writer's thread with a ContactOffered: schedule the screen pop on the socket's loop.
    ``put`` sends ``{"stream": "screen_pop", ...}`` then ``{"stream": "screen_pop_crm", ...}``."""
    pop = c.screen_pop
    if pop is None:
        return

    async def run() -> None:
        try:
            local = await asyncio.to_thread(pop.local, contact_id, customer_id)
            put({"stream": "screen_pop", **local})
            if pop.crm_lookup is not None and local["customer"] is not None:
                crm = await pop.crm(local["customer"])
                put({"stream": "screen_pop_crm", "contact_id": contact_id, "crm": crm})
        except Exception:  # a screen pop must never break the agent's stream
            log.exception("screen pop of %s failed", contact_id)

    def start() -> None:
        task = loop.create_task(run())
        _TASKS.add(task)
        task.add_done_callback(_TASKS.discard)

    loop.call_soon_threadsafe(start)
