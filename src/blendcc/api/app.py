"""The FastAPI application: routers, error mapping, status page and the background timers."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles
from starlette.concurrency import run_in_threadpool

from blendcc import __version__
from blendcc.api import (
    errors,
    routes_config,
    routes_dialer,
    routes_dialing,
    routes_forecast,
    routes_ivr,
    routes_main,
    routes_messages,
    routes_schedule,
    routes_sim,
    routes_voice,
    routes_wfm_staff,
    ws,
)
from blendcc.app.container import Container
from blendcc.app.dialing_wiring import start_ticker, stop_ticker
from blendcc.app.live_stats import snapshot

log = logging.getLogger(__name__)
WEB = Path(__file__).resolve().parent.parent / "web"


async def _every(interval: float, fn: object, name: str) -> None:
    while True:
        await asyncio.sleep(interval)
        try:
            await run_in_threadpool(fn)  # type: ignore[arg-type]
        except Exception:
            log.exception("%s failed", name)


def create_app(container: Container, background: bool = True) -> FastAPI:
    @contextlib.asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        tasks = []
        if background:
            rt = container.runtime

            def publish_stats() -> None:
                snap = rt.query(lambda e, now: snapshot(e, container.stats, now))
                container.bus.publish("stats", {"type": "Stats", **snap})

            tasks = [asyncio.create_task(_every(container.settings.tick_interval_s, rt.tick, "timer tick")),
                     asyncio.create_task(_every(container.settings.stats_interval_s, publish_stats, "stats"))]
        voice = container.voice  # the SIP edge, when settings.sip_enabled
        if voice is not None:
            await voice.start()
        if background and container.email is not None:
            await run_in_threadpool(container.email.start)  # SMTP listener, IMAP pollers
        if background and container.dialing is not None and container.dialing.ticker is None:
            start_ticker(container.dialing, container.settings.dialer_tick_s)  # BLENDCC_TELEPHONY
        yield
        stop_ticker(container.dialing)
        if background and container.email is not None:
            await run_in_threadpool(container.email.stop)
        if voice is not None:
            voice.close()
        for t in tasks:
            t.cancel()

    app = FastAPI(title="blendcc", version=__version__, lifespan=lifespan,
                  description="Blended omnichannel contact centre: ACD, routing, agents, live KPIs.")
    app.state.container = container
    errors.install(app)
    app.include_router(routes_main.router)
    app.include_router(routes_messages.router)
    app.include_router(routes_config.router)
    app.include_router(ws.router)
    app.include_router(routes_forecast.router)
    app.include_router(routes_sim.router)
    app.include_router(routes_wfm_staff.router)
    app.include_router(routes_dialer.router)
    app.include_router(routes_dialing.router)
    app.include_router(routes_schedule.router)
    app.include_router(routes_ivr.router)
    app.include_router(routes_voice.router)

    @app.get("/health", tags=["ops"])
    def health() -> dict[str, object]:
        return {"status": "ok", "version": __version__, "last_seq": container.runtime.last_seq}

    @app.get("/", include_in_schema=False)
    def index() -> FileResponse:
        return FileResponse(WEB / "index.html")

    app.mount("/static", StaticFiles(directory=WEB / "static"), name="static")
    return app
