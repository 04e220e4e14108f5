"""The wired application: every use case and port the API and CLI need, built by bootstrap."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from blendcc.app.acd.agents import AgentService
from blendcc.app.acd.contacts import ContactService
from blendcc.app.acd.customers import CustomerService
from blendcc.app.acd.live_views import LiveViews
from blendcc.app.acd.runtime import Runtime
from blendcc.app.admin.audit import Auditor
from blendcc.app.admin.auth import AuthService
from blendcc.app.admin.configuration import ConfigService
from blendcc.app.admin.oidc import OidcLogin
from blendcc.app.analytics.service import Analytics
from blendcc.app.channels.messaging.canned import CannedService
from blendcc.app.channels.messaging.conversations import ConversationService
from blendcc.app.channels.messaging.states import ConversationStates
from blendcc.app.cluster.leader_only import LeaderOnly
from blendcc.app.knowledge.service import KnowledgeService
from blendcc.app.knowledge.usage import KbUsageService
from blendcc.app.outbound.campaigns import CampaignService
from blendcc.app.outbound.dialing import DialingService
from blendcc.app.planning.adherence import AdherenceMonitor, ScheduleService
from blendcc.app.quality.service import Quality
from blendcc.app.reporting.live_stats import LiveStats
from blendcc.app.reporting.reports import ReportService
from blendcc.app.startup import PhaseTimer
from blendcc.app.surveys.service import SurveyService
from blendcc.config import Settings
from blendcc.ports import ChannelDirectory, Clock, EventBus, Scheduler, Store
from blendcc.state_ports import PhoneBindings


@dataclass
class Container:
    settings: Settings
    clock: Clock
    bus: EventBus
    store: Store
    config: ConfigService
    runtime: Runtime
    contacts: ContactService
    agents: AgentService
    reports: ReportService
    auth: AuthService
    stats: LiveStats
    customers: CustomerService
    notes: list[str] = field(default_factory=list)
    startup: PhaseTimer | None = None  # the start's phases, wall and CPU (ADR 0059; set by the CLI's serve)
    campaigns: CampaignService | None = None  # outbound campaigns (set by bootstrap)
    dialing: DialingService | None = None  # the dialing loop when a Telephony is wired (bootstrap.dialing)
    schedules: ScheduleService | None = None  # published schedules, adherence reports (set by bootstrap)
    adherence: AdherenceMonitor | None = None  # live out-of-adherence alerts (set by bootstrap)
    channels: ChannelDirectory | None = None  # the channel registry (set by bootstrap)
    conversations: ConversationService | None = None  # message threads of every channel (set by bootstrap)
    canned: CannedService | None = None  # canned responses, team and personal (set by bootstrap)
    kb: KnowledgeService | None = None  # the knowledge base (set by bootstrap)
    kb_usage: KbUsageService | None = None  # help-centre sessions and agents' article uses (set by bootstrap)
    surveys: SurveyService | None = None  # survey links and figures (set by bootstrap)
    auto_surveys: Any = None  # survey links sent when email/SMS is resolved (app.surveys.auto; bootstrap.surveys)
    transcriber: Any = None  # call transcripts (app.channels.voice.transcription.Transcriber; bootstrap, optional)
    audit: Auditor | None = None  # the audit trail (set by bootstrap; GET /api/audit reads it)
    oidc: OidcLogin | None = None  # single sign-on, when settings.oidc_issuer is set
    email: Any = None  # the email channel stack when mailboxes are configured (started by the API lifespan)
    voice: Any = None  # SIP edge + voice service when settings.sip_enabled (started by the API lifespan)
    phone_bindings: PhoneBindings | None = None  # stored SIP registrations of agent phones (set by bootstrap)
    phones: Any = None  # browser phones (adapters.channels.webrtc.phones.BrowserPhones) with sip + webrtc on
    merges: Any = None  # customer merges and undos (app.customers.merge; set by bootstrap)
    timeline: Any = None  # customer timelines (app.customers.timeline; set by bootstrap)
    screen_pop: Any = None  # the offer's screen pop with CRM data (app.customers.screen_pop; set by bootstrap)
    privacy: Any = None  # customer export and erasure (app.customers.privacy; set by bootstrap)
    webchat: Any = None  # the web-chat channel's use case (app.channels.webchat.service), set by bootstrap
    desk: Any = None  # the agent desktop's use cases (app.acd.desktop.Desk; set by bootstrap.desktop)
    alerts: Any = None  # supervisor alerts (app.monitoring.alerts.AlertService; set by bootstrap)
    monitor: Any = None  # live contacts and joining conversations (app.monitoring.live.LiveMonitor; bootstrap)
    analytics: Analytics | None = None  # sentiment and contact reasons (set by bootstrap)
    quality: Quality | None = None  # scorecards, evaluations, calibration, QA signals (set by bootstrap)
    crisis: Any = None  # crisis readiness (app.crisis.service.CrisisService; set by bootstrap.crisis)
    incident_reports: Any = None  # post-incident reports (app.crisis.report.IncidentReports; bootstrap.crisis)
    problems: Any = None  # problem records and links (app.crisis.problems.ProblemService; bootstrap.problems)
    problem_figures: Any = None  # their counts, customers, export (app.crisis.problem_figures; bootstrap.problems)
    temp_agents: Any = None  # temporary agents' batches (app.admin.temp_agents.TempAgents; bootstrap.crisis)
    forecast_jobs: Any = None  # background forecasts (app.planning.background_jobs.BackgroundJobs; bootstrap)
    metrics: Any = None  # Prometheus metrics (adapters.metrics.PrometheusMetrics; set by bootstrap)
    scheduler: Scheduler | None = None  # timers and periodic jobs while the server runs (set by the API lifespan)
    cluster: Any = None  # app.cluster.Leadership when settings.cluster (several nodes; started by the API lifespan)
    #: listeners and loops that issue commands (SMTP, IMAP, dialing tick, crisis/callback timers): registered by
    #: the API lifespan, running only while this node is the routing writer (ADR 0063)
    leader_only: LeaderOnly = field(default_factory=LeaderOnly)
    #: plain views of the live state for readers outside the app layer (API, WebSockets, SIP edge)
    views: LiveViews = field(init=False)
    #: digital conversations' states (open, pending, snoozed, resolved) and an agent's list of them
    conversation_states: ConversationStates = field(init=False)

    def __post_init__(self) -> None:
        self.views = LiveViews(self.runtime, self.stats)
        self.conversation_states = ConversationStates(self.runtime, self.store)

    def snapshot_at_shutdown(self) -> None:
        """A clean shutdown leaves a snapshot of the live state, so the next start replays almost nothing (ADR
        0052); a failure is logged, never raised (the next start then replays the event log)."""
        try:
            self.runtime.snapshot()
        except Exception:
            logging.getLogger(__name__).exception("snapshot at shutdown failed; the next start replays the log")
