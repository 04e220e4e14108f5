"""Wires crisis readiness: playbooks in the configuration store, the actions on the engine, campaigns and
agent documents, and the senders of the communication plan (SMTP relay, the SMS channel, webhooks)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime
from zoneinfo import ZoneInfo

from blendcc.adapters.channels.messaging.twilio_sms import TwilioSmsChannel
from blendcc.adapters.channels.registry import ChannelRegistry
from blendcc.adapters.notify import Sender, email_sender, sms_sender, webhook_sender
from blendcc.app.admin.temp_agents import TempAgents
from blendcc.app.container import Container
from blendcc.app.crisis.actions import Actions
from blendcc.app.crisis.delivery_health import DeliveryHealth
from blendcc.app.crisis.directory import Directory
from blendcc.app.crisis.forecast import ForecastSoFar
from blendcc.app.crisis.paging import Pager
from blendcc.app.crisis.playbooks import Playbooks
from blendcc.app.crisis.report import IncidentReports
from blendcc.app.crisis.service import RESTORE_TYPES, CrisisService
from blendcc.app.planning.forecasting import ForecastingService
from blendcc.app.planning.intraday_board import day_forecast
from blendcc.config import Settings
from blendcc.domain.temp_roster import Profile
from blendcc.ports import ConfigRepository
from blendcc.routing.commands import AppendEvents


def senders(container: Container, settings: Settings) -> dict[str, Sender]:
    out: dict[str, Sender] = {"webhook": webhook_sender()}
    if settings.email_relay_host:
        from blendcc.adapters.channels.email.relay import SmtpRelay

        relay = SmtpRelay(settings.email_relay_host, settings.email_relay_port, settings.email_relay_security,
                          settings.email_relay_username, settings.email_relay_password,
                          settings.email_relay_timeout_s)
        out["email"] = email_sender(relay, f"no-reply@{settings.email_domain}", settings.email_domain)
    registry = container.channels
    if isinstance(registry, ChannelRegistry):
        for ref in registry.channels():
            adapter = registry.get(ref)
            if isinstance(adapter, TwilioSmsChannel):  # the first SMS number with a provider
                out["sms"] = sms_sender(adapter, ref)
                break
    return out


def wire_crisis(container: Container, settings: Settings, repo: ConfigRepository) -> CrisisService:
    config = container.config
    playbooks = Playbooks(repo, container.clock, lambda: config.catalog.queues,
                          lambda wid: config.history("workflows", wid))
    actions = Actions(container.runtime, container.views.emergency, container.campaigns, config)
    pool = ThreadPoolExecutor(2, thread_name_prefix="blendcc-crisis")  # sends never block the bus thread
    fs = ForecastingService(container.store, container.clock, settings.timezone)

    def fit(queue_id: str) -> list[float] | None:
        fc = day_forecast(fs, queue_id, 30, 56, 180.0)
        return None if fc is None else [float(v) for v in fc[0]]

    zone = ZoneInfo(settings.timezone)

    def midnight(d: date) -> float:
        return datetime(d.year, d.month, d.day, tzinfo=zone).timestamp()

    forecast = ForecastSoFar(fit, fs.today, midnight, lambda: config.catalog.queues, pool.submit)
    service = CrisisService(playbooks, actions, container.runtime, container.bus, container.clock,
                            senders(container, settings), settings.crisis_public_url, forecast, run=pool.submit)
    container.crisis = service
    conversations = container.conversations
    if conversations is not None:  # providers and SMTP relays failing in a row: channel triggers see it
        def report(channel: str, healthy: bool, detail: str) -> None:
            def go() -> None:
                service.set_health(channel, healthy, detail, "deliveries")

            service.run(go)

        conversations.on_delivery = DeliveryHealth(report, settings.crisis_delivery_failures)
    analytics = container.analytics
    container.incident_reports = IncidentReports(container.store, container.clock,
                                                 analytics.reasons if analytics is not None else None)
    agents = container.agents
    container.temp_agents = TempAgents(
        repo, config, container.auth, container.runtime, container.clock,
        Profile(settings.temp_agent_max_level, frozenset(settings.temp_agent_skills)),
        logout=lambda agent_id: agents.logout(agent_id, force=True),
        logged_in=lambda agent_id: bool(agents.view(agent_id).get("logged_in")), audit=container.audit)
    temps = container.temp_agents
    auth = container.auth
    directory = Directory(auth.users, lambda: config.docs["agents"], lambda: config.docs["teams"], auth.expired,
                          lambda: [a["username"] for b in temps.list() if b["state"] == "active" for a in b["agents"]])
    service.directory = directory  # recipients by role or team
    actions.webchat = container.webchat  # the bot's share of new web chats
    # senders and run looked up at each send (late bound: they can be replaced on the service)
    actions.pager = Pager(directory, lambda: service.senders, container.clock,
                          lambda e: container.runtime.execute(AppendEvents((e,))),
                          lambda fn: service.run(fn))  # noqa: PLW0108
    # after a restart: emergency modes older than the engine's replay window, crises that had not ended
    service.restore(s.event for s in container.store.events_of_type(RESTORE_TYPES))
    return service
