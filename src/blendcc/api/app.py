"""The FastAPI application: routers, error mapping, the redirect to the console, the background timers."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import RedirectResponse
from fastapi.staticfiles import StaticFiles

from blendcc import __version__, redaction
from blendcc.adapters.scheduler import AsyncioScheduler
from blendcc.api import (
    errors,
    guard,
    routes_agent_files,
    routes_analytics,
    routes_auth,
    routes_canned,
    routes_channels,
    routes_config,
    routes_config_editor,
    routes_conversations,
    routes_crisis,
    routes_customers,
    routes_desktop,
    routes_dialer,
    routes_dialing,
    routes_forecast,
    routes_forecast_jobs,
    routes_help,
    routes_ivr,
    routes_kb,
    routes_live_monitor,
    routes_main,
    routes_messages,
    routes_monitor,
    routes_ops,
    routes_pages,
    routes_problems,
    routes_qa,
    routes_reports,
    routes_reports_digital,
    routes_schedule,
    routes_sim,
    routes_supervision,
    routes_surveys,
    routes_temp_agents,
    routes_transcripts,
    routes_voice,
    routes_voice_controls,
    routes_webchat,
    routes_webhooks,
    routes_wfm_staff,
    routes_whatif,
    routes_widget,
    security,
    ws,
)
from blendcc.api.client_address import ClientAddressMiddleware
from blendcc.api.contract import document_errors
from blendcc.api.forward import ForwardToLeader
from blendcc.api.models.common import Health
from blendcc.api.ws_auth import SocketRegistry
from blendcc.app.background import Background
from blendcc.app.container import Container

log = logging.getLogger(__name__)
WEB = Path(__file__).resolve().parent.parent / "web"


def create_app(container: Container, background: bool = True) -> FastAPI:
    @contextlib.asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        # one scheduler for every timer: the engine's next due time (armed by the Runtime after each
        # command: no polling), the stats publisher and the dialing loop's tick
        scheduler = AsyncioScheduler(asyncio.get_running_loop(), container.clock)
        container.scheduler = scheduler
        work = Background(container, scheduler)
        if background:
            work.start_timers()
        voice = container.voice  # the SIP edge, when settings.sip_enabled
        if voice is not None:
            await voice.start()
        if background:
            work.add_email()  # SMTP listener, IMAP pollers
            work.start_dialing()  # BLENDCC_TELEPHONY, or the SIP trunk
        if container.cluster is not None:  # several nodes: take the routing lease when it is free (ADR 0053); the
            container.cluster.start()  # leader-only services then start on election, stop on step-down (ADR 0063)
        else:
            await asyncio.to_thread(container.leader_only.start_all)  # one node: always the writer
        try:
            yield
        finally:
            if container.cluster is not None:
                await asyncio.to_thread(container.cluster.stop)  # a leader lets its lease go at once
            await asyncio.to_thread(container.leader_only.clear)  # listeners join their threads: off the loop
            work.stop()
            if container.forecast_jobs is not None:
                container.forecast_jobs.cancel_all()  # running jobs stop at their next fit
            if voice is not None:
                voice.close()
            container.scheduler = None
            await asyncio.to_thread(scheduler.close)
            await asyncio.to_thread(container.snapshot_at_shutdown)
            engine = getattr(container.store, "engine", None)
            if engine is not None and engine.dialect.name == "postgresql":
                engine.dispose()  # the pool's server connections close with the app (the engine stays usable)

    redaction.install()  # no log line carries a token, a password or a database URL's password
    app = FastAPI(title="blendcc", version=__version__, lifespan=lifespan, docs_url=None, redoc_url=None,
                  description="Blended omnichannel contact centre: ACD, routing, agents, live KPIs.")
    app.state.container = container
    sockets = SocketRegistry()  # open WebSockets by user: closed when that user's tokens are revoked
    app.state.sockets = sockets
    container.auth.on_revoked.append(sockets.revoked)
    errors.install(app)

    def verify(token: str) -> object:  # looked up per request: the auth service may be replaced
        return container.auth.verify(token)

    app.add_middleware(guard.RequestGuard, verify=verify, max_body_bytes=container.settings.max_body_bytes)
    app.add_middleware(ClientAddressMiddleware)
    security.install(app, container.settings)  # headers, CORS, offline /docs
    app.add_middleware(ForwardToLeader, cluster=lambda: container.cluster)  # a standby forwards /api to the leader
    app.include_router(routes_main.router)
    app.include_router(routes_supervision.router)  # the console's agent grid, messages to agents
    app.include_router(routes_auth.router)
    app.include_router(routes_messages.router)
    app.include_router(routes_crisis.router)  # crisis readiness: playbooks, emergency mode, notifications
    app.include_router(routes_crisis.links)
    app.include_router(routes_problems.router)  # problem management: records, links, figures, export
    app.include_router(routes_monitor.router)  # live monitoring: live contacts, join, alerts
    app.include_router(routes_analytics.router)  # sentiment, its trend, contact reasons (Pareto)
    app.include_router(routes_conversations.router)
    app.include_router(routes_desktop.router)  # the agent desktop: today, wrap-up options, callbacks, dial
    app.include_router(routes_canned.router)
    app.include_router(routes_kb.router)
    app.include_router(routes_qa.router)
    app.include_router(routes_help.router)
    app.include_router(routes_surveys.router)
    app.include_router(routes_transcripts.router)
    app.include_router(routes_config.router)
    app.include_router(routes_config_editor.router)  # the console's editors: validate, rollback, schemas, try
    app.include_router(ws.router)
    app.include_router(routes_forecast.router)
    app.include_router(routes_forecast_jobs.router)
    app.include_router(routes_sim.router)
    app.include_router(routes_whatif.router)  # surge what-if (docs/whatif.md)
    app.include_router(routes_wfm_staff.router)
    app.include_router(routes_dialer.router)
    app.include_router(routes_dialing.router)
    app.include_router(routes_live_monitor.router)  # the intraday board and the campaign monitor
    app.include_router(routes_schedule.router)
    app.include_router(routes_ivr.router)
    app.include_router(routes_channels.router)  # the channels as the settings configure them (read-only)
    app.include_router(routes_voice.router)
    app.include_router(routes_voice_controls.router)  # the desktop's call card, DTMF, mute, conference
    app.include_router(routes_reports_digital.router)
    app.include_router(routes_reports.router)  # historical reports: run, export, drill down, saved definitions
    app.include_router(routes_customers.router)
    app.include_router(routes_webhooks.router)  # public: provider-signed (routes_webhooks.PUBLIC_ROUTES)
    app.include_router(routes_widget.router)  # public: /widget.js (web/dist), /demo/chat with --demo
    app.include_router(routes_webchat.router)  # public web chat (guard.PUBLIC_PATTERNS) and the agent's marks
    app.include_router(routes_webchat.ws_router)
    app.include_router(routes_pages.router)  # the desktop and console pages and assets (web/dist/*)
    app.include_router(routes_agent_files.router)  # files in the agent's conversations (web chat upload)
    app.include_router(routes_ops.router)  # /metrics (Prometheus) and /ready, outside /api like /health
    app.include_router(routes_temp_agents.router)  # temporary agents' batches (docs/crisis.md)

    @app.get("/health", tags=["ops"], response_model=Health)
    def health() -> dict[str, object]:
        cluster = container.cluster
        return {"status": "ok", "version": __version__, "last_seq": container.views.last_seq(),
                "role": "single" if cluster is None else cluster.role, "listeners": container.leader_only.running()}

    @app.get("/", include_in_schema=False)
    def index() -> RedirectResponse:
        """The supervisor's and admin's console (the live wallboard is one of its views)."""
        return RedirectResponse("/console/", status_code=307)

    app.mount("/static", StaticFiles(directory=WEB / "static"), name="static")
    document_errors(app)  # every operation's error statuses, all answered as ErrorBody
    return app
