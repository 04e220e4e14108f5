"""Running the server: uvicorn with the start's phases logged once it listens (ADR 0059)."""

from __future__ import annotations

import logging
import os
import socket
import time
from typing import Any

import uvicorn

from blendcc.app.startup import PhaseTimer

log = logging.getLogger("blendcc.startup")
#: uvicorn's exit status when the server could not start
STARTUP_FAILURE = 3


def process_age_s() -> float | None:
    """Wall seconds since this process started (Linux ``/proc``; None elsewhere): the imports' share of a start."""
    try:
        with open("/proc/self/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        with open("/proc/uptime") as f:
            uptime = float(f.read().split()[0])
    except (OSError, ValueError, IndexError):
        return None
    return max(0.0, uptime - int(fields[19]) / os.sysconf("SC_CLK_TCK"))


def import_phase() -> PhaseTimer:
    """A timer whose first phase is everything before now (the interpreter and the imports)."""
    timer = PhaseTimer()
    age = process_age_s()
    timer.add("imports", age if age is not None else 0.0, time.process_time())
    return timer


class _Server(uvicorn.Server):
    """uvicorn's server, which logs the start's phases when its sockets listen."""

    def __init__(self, config: uvicorn.Config, timer: PhaseTimer | None) -> None:
        super().__init__(config)
        self.timer = timer

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        if self.timer is not None and self.started and not self.should_exit:
            self.timer.mark("listeners")
            log.info("startup: %s", self.timer.summary())


def run(app: Any, timer: PhaseTimer | None, **options: Any) -> None:
    """``uvicorn.run(app, **options)`` for an application object (no reload, one worker)."""
    server = _Server(uvicorn.Config(app, **options), timer)
    server.run()
    if not server.started:
        raise SystemExit(STARTUP_FAILURE)
