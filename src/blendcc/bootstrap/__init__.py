"""Composition root: builds the adapters, wires them to the ports and the use cases."""

from __future__ import annotations

import logging
import secrets
import socket
from concurrent.futures import ThreadPoolExecutor

from blendcc.adapters.bus.memory import MemoryBus
from blendcc.adapters.channels.api import ApiChannel, ApiVoiceChannel
from blendcc.adapters.channels.base import TimerThread
from blendcc.adapters.channels.messaging.providers import register_messaging
from blendcc.adapters.channels.registry import ChannelRegistry
from blendcc.adapters.clock import SystemClock
from blendcc.adapters.metrics import PrometheusMetrics
from blendcc.adapters.storage.auth_repos import SqlAuditLog, SqlSessionRepository
from blendcc.adapters.storage.canned_repo import SqlCannedRepository
from blendcc.adapters.storage.customer_reader import SqlCustomerHistory
from blendcc.adapters.storage.dialer_repo import SqlDialerRepository
from blendcc.adapters.storage.engine import make_engine
from blendcc.adapters.storage.kb_repo import SqlKnowledgeBase
from blendcc.adapters.storage.kb_usage_repo import SqlKbUsage
from blendcc.adapters.storage.migrate import migrate
from blendcc.adapters.storage.qa_repo import SqlQaStore
from blendcc.adapters.storage.registration_repo import SqlPhoneBindings
from blendcc.adapters.storage.snapshot_repo import SqlSnapshotStore
from blendcc.adapters.storage.sql_repos import (
    SqlConfigRepository,
    SqlCustomerRepository,
    SqlMeta,
    SqlUserRepository,
)
from blendcc.adapters.storage.sql_store import SqlStore
from blendcc.app.acd.agents import AgentService
from blendcc.app.acd.contacts import ContactService
from blendcc.app.acd.customers import CustomerService
from blendcc.app.acd.runtime import Runtime
from blendcc.app.acd.snapshots import Snapshotter
from blendcc.app.admin.audit import Auditor
from blendcc.app.admin.auth import LOGIN_POLICIES, AuthService
from blendcc.app.admin.configuration import ConfigService
from blendcc.app.channels.messaging.canned import CannedService
from blendcc.app.channels.messaging.conversations import ConversationService
from blendcc.app.container import Container
from blendcc.app.knowledge.service import KnowledgeService, customer_words
from blendcc.app.knowledge.usage import KbUsageService
from blendcc.app.outbound.campaigns import CampaignService
from blendcc.app.planning.adherence import AdherenceMonitor, ScheduleService
from blendcc.app.planning.background_jobs import BackgroundJobs
from blendcc.app.reporting.business_hours import queue_open_time
from blendcc.app.reporting.live_stats import DIGITAL_TYPES, IVR_TYPES, WARM_UP_S, LiveStats, day_start
from blendcc.app.reporting.reports import ReportService
from blendcc.app.startup import PhaseTimer
from blendcc.app.surveys.service import SurveyService
from blendcc.bootstrap.customers import wire_customers
from blendcc.config import Settings
from blendcc.content_ports import QaStore
from blendcc.domain.channels import DEFAULT_SL_THRESHOLD_S, Channel
from blendcc.domain.errors import ValidationFailed
from blendcc.domain.throttle import SIP_POLICIES, Throttle
from blendcc.ports import Clock, ConfigRepository, EventBus

log = logging.getLogger(__name__)
#: the name of today's statistics in a snapshot (ADR 0059)
STATS_PART = "live_stats"


def make_bus(settings: Settings) -> EventBus:
    """The in-process bus, or the Redis Streams bus when ``redis_url`` is set (several nodes; ADR 0038)."""
    if not settings.redis_url:
        return MemoryBus()
    from blendcc.adapters.bus.redis_streams import RedisBus

    node_id = settings.node_id or socket.gethostname()
    log.info("event bus: Redis Streams (prefix %r, node %r)", settings.redis_stream_prefix, node_id)
    return RedisBus.from_url(settings.redis_url, prefix=settings.redis_stream_prefix, node_id=node_id)


def build_container(settings: Settings, clock: Clock | None = None, run_migrations: bool = True,
                    startup: PhaseTimer | None = None) -> Container:
    """The wired application; ``startup`` (the CLI's serve) is told each phase's wall and CPU time (ADR 0059)."""
    clock = clock or SystemClock()
    timer = startup or PhaseTimer()
    if run_migrations:
        migrate(settings.database_url)
    timer.mark("migrations")
    db = make_engine(settings.database_url)
    store = SqlStore(db)
    if settings.cluster:  # several nodes (ADR 0053): a standby's store refuses every append until it leads
        from blendcc.bootstrap.cluster import LEASE, check_cluster_settings

        check_cluster_settings(settings)
        store.fence(LEASE, 0)
    config_repo = SqlConfigRepository(db)
    customers = SqlCustomerRepository(db)
    users = SqlUserRepository(db)
    bus = make_bus(settings)
    config = ConfigService(config_repo, clock)

    def thresholds(queue_id: str, channel: str) -> tuple[float, float]:
        q = config.catalog.queues.get(queue_id)
        ch = Channel(channel)
        if q is None:
            return (DEFAULT_SL_THRESHOLD_S[ch], 5.0)
        return (q.sl_threshold(ch), q.short_abandon_s)

    store.set_thresholds(thresholds)
    stats = LiveStats(thresholds, settings.timezone, queue_open_time(lambda: config.catalog))

    def load_stats() -> None:
        now = clock.now()
        start = day_start(now, settings.timezone)
        stats.load(now, store.queue_counters(start, now + 86400), store.state_intervals(start, now + 1),
                   store.handled_by_agent(start, now + 1))
        stats.load_digital(s.event for s in store.events_of_type(DIGITAL_TYPES, start - WARM_UP_S, now + 1))
        stats.load_ivr(s.event for s in store.events_of_type(IVR_TYPES, start, now + 1))

    # today's statistics are a part of the snapshot (ADR 0059): restored with the live state, at the same seq
    snapshots = Snapshotter(SqlSnapshotStore(db), every_events=settings.snapshot_every_events,
                            every_s=settings.snapshot_every_s, parts={STATS_PART: stats})
    timer.mark("wiring")
    runtime = Runtime(config.catalog, store, bus, clock, stats, group_commit=settings.group_commit,
                      standby=settings.cluster, snapshots=snapshots)
    timer.mark("wiring", within=runtime.rebuilt.get("phases"))
    if STATS_PART in snapshots.restored:
        stats.tick(clock.now())  # a snapshot of an earlier day: today starts now
    else:  # no snapshot, or one without them: warm up from the log (the events the runtime stored folded in)
        load_stats()
    timer.mark("statistics")
    config.on_change.append(runtime.reconfigure)
    config.delete_guards.append(runtime.guard_delete)
    config.engine_lock = runtime.lock
    secret = settings.secret_key or SqlMeta(db).setdefault_meta("secret_key", secrets.token_urlsafe(32))
    audit = Auditor(SqlAuditLog(db), clock)
    auth = AuthService(users, secret, settings.token_ttl_s, clock=clock, sessions=SqlSessionRepository(db),
                       audit=audit, throttle=Throttle(clock, {**LOGIN_POLICIES, **SIP_POLICIES}),
                       refresh_ttl_s=settings.refresh_ttl_s, password_min_length=settings.password_min_length)
    notes: list[str] = []
    if not any(u.role == "admin" for u in users.list()):
        password = settings.admin_password or secrets.token_urlsafe(12)
        try:
            auth.set_user("admin", password, "admin", None, actor="bootstrap")
        except ValidationFailed as exc:  # a weak BLENDCC_ADMIN_PASSWORD (the demo's): created, but said
            auth.set_user("admin", password, "admin", None, actor="bootstrap", enforce_policy=False)
            notes.append(f"the admin password breaks the password policy ({exc.message}); change it")
        if settings.admin_password is None:
            notes.append(f"created user 'admin' with password {password!r} (set BLENDCC_ADMIN_PASSWORD to choose)")
    container = Container(settings, clock, bus, store, config, runtime,
                          ContactService(runtime, customers, store, store), AgentService(runtime, customers),
                          ReportService(store, settings.timezone, queue_open_time(lambda: config.catalog)), auth, stats,
                          CustomerService(customers, store, clock), notes)
    container.audit = audit
    metrics = PrometheusMetrics(container.views.gauges, lambda: getattr(bus, "lag_s", None),
                                lambda: None if container.cluster is None else bool(container.cluster.is_leader),
                                container.leader_only.running)
    runtime.subscribers.append(metrics)
    runtime.batch_observers.append(metrics.observe_commit)
    container.metrics = metrics
    if settings.oidc_issuer:
        from blendcc.adapters.oidc import HttpOidcProvider
        from blendcc.app.admin.oidc import OidcLogin

        provider = HttpOidcProvider(settings.oidc_issuer, settings.oidc_client_id, settings.oidc_client_secret,
                                    settings.oidc_redirect_uri)
        container.oidc = OidcLogin(provider, auth, clock, settings.oidc_username_claim)
    dialer_repo = SqlDialerRepository(db)
    container.campaigns = CampaignService(config, dialer_repo, runtime, clock, store, dialer_repo.events)
    container.schedules = ScheduleService(config, store, clock)
    # background forecasts: a bounded worker pool (CPU-bound jobs; more wait queued), jobs kept in memory
    container.forecast_jobs = BackgroundJobs(
        clock, ThreadPoolExecutor(settings.background_jobs, thread_name_prefix="blendcc-job"))
    container.adherence = AdherenceMonitor(container.schedules, store, bus, clock,
                                             grace_s=settings.adherence_grace_s)
    channels = ChannelRegistry()
    for kind in (Channel.CHAT, Channel.SMS, Channel.EMAIL, Channel.SOCIAL):
        channels.register(ApiChannel(kind.value))  # the generic API channel (POST /api/contacts)
    register_messaging(channels, settings, dialer_repo, clock)  # SMS, WhatsApp, Messenger, Telegram
    container.channels = channels
    container.conversations = ConversationService(runtime, container.contacts, store, store, channels, TimerThread())
    _wire_monitoring(container)
    _wire_analytics(container)
    _wire_quality(container, config_repo, SqlQaStore(db))
    container.canned = CannedService(SqlCannedRepository(db), config, customers, store, clock)
    container.surveys = SurveyService(runtime, store, store, clock, secret, bus)
    from blendcc.bootstrap.surveys import wire_surveys

    container.auto_surveys = wire_surveys(container, settings)  # survey links when email/SMS is resolved
    if settings.transcription != "off":
        from blendcc.bootstrap.speech import wire_transcription

        container.transcriber = wire_transcription(settings, runtime, store, bus)
    conversations = container.conversations
    container.kb = KnowledgeService(SqlKnowledgeBase(db), clock,
                                    lambda contact_id: customer_words(conversations.conversation(contact_id)))
    container.kb_usage = KbUsageService(SqlKbUsage(db), clock)
    if settings.email_mailboxes:
        _wire_email(container, settings)
    container.phone_bindings = SqlPhoneBindings(db)
    if settings.sip_enabled:
        from blendcc.adapters.channels.sip.channel import SipChannel
        from blendcc.bootstrap.voice import VoiceStack

        container.voice = VoiceStack(container, settings)
        channels.register(SipChannel())
    else:
        channels.register(ApiVoiceChannel())
    _wire_telephony(container, settings, clock)
    wire_customers(container, settings, SqlCustomerHistory(db))
    from blendcc.adapters.storage.webchat_repo import SqlWebchatSessions
    from blendcc.bootstrap.webchat import wire_webchat

    container.webchat = wire_webchat(container, settings, SqlWebchatSessions(db))
    from blendcc.adapters.storage.callback_index import SqlCallbackReader
    from blendcc.bootstrap.desktop import wire_desktop

    wire_desktop(container, settings, SqlCallbackReader(db))
    from blendcc.bootstrap.crisis import wire_crisis

    wire_crisis(container, settings, config_repo)
    from blendcc.adapters.storage.problem_index import SqlProblemReader
    from blendcc.bootstrap.problems import wire_problems

    wire_problems(container, settings, SqlProblemReader(db))

    if settings.cluster:
        from blendcc.bootstrap.cluster import wire_cluster

        wire_cluster(container, settings, store, load_stats)
    timer.mark("wiring")
    container.startup = timer
    return container


def _wire_email(container: Container, settings: Settings) -> None:
    """BLENDCC_EMAIL_MAILBOXES: one email channel per mailbox (replacing the API's email:default when a
    mailbox is called so); the API lifespan starts the SMTP listener and the IMAP pollers."""
    from blendcc.adapters.channels.email.stack import EmailStack
    from blendcc.domain.conversation import Author, AuthorKind, SendMessage

    conversations = container.conversations
    assert conversations is not None and isinstance(container.channels, ChannelRegistry)

    def acknowledge(contact_id: str, text: str) -> None:
        conversations.write(SendMessage(contact_id, Author(AuthorKind.SYSTEM, "acknowledgement"), text))

    stack = EmailStack(settings, conversations, container.store, container.store, acknowledge)
    for channel in stack.channels:
        container.channels.register(channel, replace=True)
    container.email = stack


def _wire_telephony(container: Container, settings: Settings, clock: Clock) -> None:
    """BLENDCC_TELEPHONY: 'fake' wires the dialing loop to simulated calls now (the API lifespan starts
    its tick job); 'sip' is wired by the SIP edge when it starts (it owns the trunk); 'none': no
    live dialing."""
    if settings.telephony != "fake":
        return
    import random

    from blendcc.adapters.telephony.fake import FakeTelephony
    from blendcc.bootstrap.dialing import wire_dialing

    telephony = FakeTelephony(clock, random.Random(settings.fake_telephony_seed), mix=settings.fake_telephony_mix,
                              talk_s=settings.fake_telephony_talk_s)
    wire_dialing(container, telephony, ticker=False)
    log.info("outbound dialer places simulated calls (BLENDCC_TELEPHONY=fake)")


def _wire_analytics(container: Container) -> None:
    """Interaction analytics: sentiment (the five languages' models, loaded once) and contact reasons."""
    from blendcc.adapters.sentiment.loaders import build_scorer, stop_words
    from blendcc.app.analytics.service import Analytics

    container.analytics = Analytics.build(container.store, build_scorer(), stop_words())


def _wire_quality(container: Container, repo: ConfigRepository, evaluations: QaStore) -> None:
    """Quality management: scorecards in the configuration store, evaluations in their tables, signals."""
    from blendcc.app.quality.evaluations import QualityService
    from blendcc.app.quality.scorecards import ScorecardService
    from blendcc.app.quality.service import Quality
    from blendcc.app.quality.signals import QaSignals
    from blendcc.domain.agent import AgentConfig

    config, analytics = container.config, container.analytics
    assert analytics is not None
    scorecards = ScorecardService(repo, container.clock, lambda: set(config.docs["queues"]))
    config.delete_guards.append(scorecards.guard_queue_delete)

    def team_of(agent_id: str) -> str | None:
        agent = config.docs["agents"].get(agent_id)
        return agent.team_id if isinstance(agent, AgentConfig) else None

    scorer = analytics.sentiment.scorer
    container.quality = Quality(
        scorecards, QualityService(evaluations, scorecards, container.store, container.clock, team_of,
                                   lambda agent_id: agent_id in config.docs["agents"]),
        QaSignals(container.store, scorecards, lambda text: scorer.score(text).score, container.settings.timezone))


def _wire_monitoring(container: Container) -> None:
    """Supervisor alerts (after the adherence monitor: its alerts come first on each tick) and live contacts."""
    from blendcc.adapters.sentiment.loaders import build_scorer
    from blendcc.app.monitoring.alerts import AlertService
    from blendcc.app.monitoring.live import LiveMonitor

    config = container.config
    scorer = build_scorer()
    container.alerts = AlertService(container.bus, container.clock, lambda: config.catalog.queues,
                                    sentiment=lambda text: scorer.score(text).score)
    container.monitor = LiveMonitor(container.runtime, container.conversations)
