"""The screen pop of an offer on the agent's socket: the customer, its last contacts and open conversations
are read off the writer's thread and sent in the offer message; the CRM's data follows as its own message
(``screen_pop_crm``) when the CRM answers or fails, so a slow CRM never delays the offer."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

from blendcc.app.container import Container

log = logging.getLogger(__name__)

#: running CRM lookups, kept referenced until done (asyncio holds only weak references to tasks)
_TASKS: set[asyncio.Task[None]] = set()


async def with_screen_pop(c: Container, put: Callable[[dict[str, Any]], None],
                          offer: dict[str, Any]) -> dict[str, Any]:
    """``offer`` with ``screen_pop`` added (None if it cannot be built); starts the CRM lookup."""
    pop = c.screen_pop
    if pop is None:
        return offer
    contact_id = offer["contact_id"]
    try:
        local = await asyncio.to_thread(pop.local, contact_id, offer.get("customer_id"))
    except Exception:  # a screen pop must never hold back or break the offer
        log.exception("screen pop of %s failed", contact_id)
        return {**offer, "screen_pop": None}
    if pop.crm_lookup is not None and local["customer"] is not None:
        async def crm() -> None:
            try:
                put({"stream": "screen_pop_crm", "contact_id": contact_id, "crm": await pop.crm(local["customer"])})
            except Exception:
                log.exception("CRM push of %s failed", contact_id)

        task = asyncio.get_running_loop().create_task(crm())
        _TASKS.add(task)
        task.add_done_callback(_TASKS.discard)
    return {**offer, "screen_pop": {k: v for k, v in local.items() if k != "contact_id"}}
