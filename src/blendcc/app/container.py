"""The wired application: every use case and port the API and CLI need, built by bootstrap."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from blendcc.app.adherence import AdherenceMonitor, ScheduleService
from blendcc.app.agents import AgentService
from blendcc.app.auth import AuthService
from blendcc.app.campaigns import CampaignService
from blendcc.app.configuration import ConfigService
from blendcc.app.contacts import ContactService
from blendcc.app.conversations import ConversationService
from blendcc.app.customers import CustomerService
from blendcc.app.dialing import DialingService
from blendcc.app.live_stats import LiveStats
from blendcc.app.reports import ReportService
from blendcc.app.runtime import Runtime
from blendcc.config import Settings
from blendcc.ports import ChannelDirectory, Clock, EventBus, Store


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
    campaigns: CampaignService | None = None  # outbound campaigns (set by bootstrap)
    dialing: DialingService | None = None  # the dialing loop when a Telephony is wired (dialing_wiring)
    schedules: ScheduleService | None = None  # published schedules, adherence reports (set by bootstrap)
    adherence: AdherenceMonitor | None = None  # live out-of-adherence alerts (set by bootstrap)
    channels: ChannelDirectory | None = None  # the channel registry (set by bootstrap)
    conversations: ConversationService | None = None  # message threads of every channel (set by bootstrap)
    email: Any = None  # the email channel stack when mailboxes are configured (started by the API lifespan)
    voice: Any = None  # SIP edge + voice service when settings.sip_enabled (started by the API lifespan)
