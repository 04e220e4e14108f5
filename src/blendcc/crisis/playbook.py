"""Crisis playbooks: validated documents of triggers (each with its hysteresis), actions and a communication plan."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from blendcc.crisis.templates import check_template
from blendcc.domain.crisis_events import CENTRE, SITE
from blendcc.domain.queue import ID_PATTERN

DAY_S = 86400.0
#: live figures a KPI trigger watches; the direction in which each one is bad
METRICS: dict[str, Literal["below", "above"]] = {
    "service_level": "below", "abandon_rate": "above", "waiting": "above", "longest_wait_s": "above",
    "offered_vs_forecast": "above"}
SCOPE_PATTERN = r"^(\*|[A-Za-z0-9_.\-]+)$"
#: an emergency mode's scope: the centre, a queue or a site (``site:<id>``)
EMERGENCY_SCOPE_PATTERN = r"^(\*|(site:)?[A-Za-z0-9_.\-]+)$"


class _Doc(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


# ---------------------------------------------------------------------- triggers


class KpiTrigger(_Doc):
    """A live figure of ``queue`` (``*``: the centre) beyond ``threshold`` for ``for_s`` seconds fires; it ends
    once the figure is back beyond ``clear_at`` (default: the threshold) for ``clear_for_s`` seconds.
    ``offered_vs_forecast`` is offered today over forecast so far, minus one (0.3: 30% above forecast)."""

    kind: Literal["kpi"] = "kpi"
    metric: Literal["service_level", "abandon_rate", "waiting", "longest_wait_s", "offered_vs_forecast"]
    queue: str = Field(default=CENTRE, pattern=SCOPE_PATTERN)
    threshold: float = Field(ge=0)
    clear_at: float | None = Field(default=None, ge=0)
    for_s: float = Field(default=300.0, ge=0, le=DAY_S)
    clear_for_s: float = Field(default=600.0, ge=0, le=DAY_S)

    @model_validator(mode="after")
    def _hysteresis(self) -> KpiTrigger:
        if self.metric in ("service_level", "abandon_rate") and self.threshold > 1:
            raise ValueError(f"{self.metric} is a share between 0 and 1, not {self.threshold}")
        if self.clear_at is None:
            return self
        bad = METRICS[self.metric]
        if bad == "below" and self.clear_at < self.threshold:
            raise ValueError(f"clear_at must be at or above threshold for {self.metric} (it fires below)")
        if bad == "above" and self.clear_at > self.threshold:
            raise ValueError(f"clear_at must be at or below threshold for {self.metric} (it fires above)")
        return self

    @property
    def label(self) -> str:
        return f"{self.metric} {METRICS[self.metric]} {self.threshold:g} on {self.queue}"


class ChannelTrigger(_Doc):
    """A channel or trunk (``sip:trunk1``, ``sms``, ``email``, ``webhook:crm``...) reported unhealthy for
    ``for_s`` fires; healthy again for ``clear_for_s`` ends it."""

    kind: Literal["channel"] = "channel"
    channel: str = Field(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9_.:\-]+$")
    for_s: float = Field(default=60.0, ge=0, le=DAY_S)
    clear_for_s: float = Field(default=300.0, ge=0, le=DAY_S)

    @property
    def label(self) -> str:
        return f"channel {self.channel} unhealthy"


class ScheduleTrigger(_Doc):
    """A known event: holds from ``start`` to ``end`` (times with a time zone)."""

    kind: Literal["schedule"] = "schedule"
    start: datetime
    end: datetime

    @model_validator(mode="after")
    def _window(self) -> ScheduleTrigger:
        if self.start.tzinfo is None or self.end.tzinfo is None:
            raise ValueError("start and end need a time zone (e.g. 2026-12-24T08:00:00+01:00)")
        if self.end <= self.start:
            raise ValueError("end must be after start")
        return self

    @property
    def label(self) -> str:
        return f"schedule {self.start.isoformat()} to {self.end.isoformat()}"


class SwitchTrigger(_Doc):
    """A supervisor's switch: holds while the playbook is switched on (``POST /api/crisis/playbooks/{id}/switch``)."""

    kind: Literal["switch"] = "switch"

    @property
    def label(self) -> str:
        return "supervisor switch"


Trigger = Annotated[KpiTrigger | ChannelTrigger | ScheduleTrigger | SwitchTrigger, Field(discriminator="kind")]


# ---------------------------------------------------------------------- actions


class EmergencyAction(_Doc):
    """Emergency mode for a queue, a site (``site:<id>``: its queues) or the centre (``*``): arrivals are
    rejected (``closed``), rejected with the offer of a callback (``callback_only``) or sent to
    ``overflow_queue``; ``message`` is the announcement or chat banner."""

    kind: Literal["emergency"] = "emergency"
    scope: str = Field(default=CENTRE, pattern=EMERGENCY_SCOPE_PATTERN)
    mode: Literal["closed", "callback_only", "overflow"]
    overflow_queue: str | None = Field(default=None, pattern=ID_PATTERN)
    message: str = Field(default="", max_length=1000)

    @model_validator(mode="after")
    def _overflow(self) -> EmergencyAction:
        if self.mode == "overflow" and not self.overflow_queue:
            raise ValueError("mode 'overflow' needs overflow_queue")
        if self.mode != "overflow" and self.overflow_queue is not None:
            raise ValueError("overflow_queue applies only to mode 'overflow'")
        if self.overflow_queue is not None and self.overflow_queue == self.scope:
            raise ValueError("a queue cannot overflow to itself")
        return self


class BannerAction(_Doc):
    """A known-issue banner on every agent desktop (and the wallboard) while the crisis lasts."""

    kind: Literal["banner"] = "banner"
    text: str = Field(min_length=1, max_length=500)
    level: Literal["info", "warning", "critical"] = "warning"

    @field_validator("text")
    @classmethod
    def _template(cls, v: str) -> str:
        check_template(v, "text")
        return v


class PauseCampaignsAction(_Doc):
    """Pause running outbound campaigns (``campaigns`` empty: every running one); only those are resumed."""

    kind: Literal["pause_campaigns"] = "pause_campaigns"
    campaigns: list[str] = Field(default_factory=list, max_length=200)


class ChatCapacityAction(_Doc):
    """``extra`` more chats at once for every agent who takes chats (their configured limit plus this)."""

    kind: Literal["chat_capacity"] = "chat_capacity"
    extra: int = Field(ge=1, le=10)


class WorkflowVersionAction(_Doc):
    """Route with a prepared version of a routing workflow (its ``version`` in the configuration history) while
    the crisis lasts; the version in force before comes back at the end."""

    kind: Literal["workflow_version"] = "workflow_version"
    workflow: str = Field(min_length=1, max_length=64, pattern=ID_PATTERN)
    version: int = Field(ge=1)


class PageAction(_Doc):
    """Page standby and temporary agents: ``text`` (a template) through the communication plan's senders to the
    named ``users``, every active user of ``role`` or of ``team`` (its agents and its supervisor) and, with
    ``temporary``, the agents of the active temporary batches, at their stored email and phone. Reverting tells
    exactly the people paged that they may stand down (``stand_down``)."""

    kind: Literal["page"] = "page"
    users: list[str] = Field(default_factory=list, max_length=200)
    role: Literal["agent", "supervisor", "admin"] | None = None
    team: str | None = Field(default=None, pattern=ID_PATTERN)
    temporary: bool = False
    channels: list[Literal["email", "sms"]] = Field(default=["sms", "email"], min_length=1, max_length=2)
    subject: str = Field(default="Standby call: $playbook", min_length=1, max_length=200)
    text: str = Field(min_length=1, max_length=1000)
    stand_down: str = Field(default="$playbook has ended: stand down, thank you.", min_length=1, max_length=1000)

    @model_validator(mode="after")
    def _who(self) -> PageAction:
        if not (self.users or self.role or self.team or self.temporary):
            raise ValueError("page whom? give users, a role, a team or temporary: true")
        for name, value in (("subject", self.subject), ("text", self.text), ("stand_down", self.stand_down)):
            check_template(value, name)
        return self


class BotShareAction(_Doc):
    """Raise a web-chat bot's share (deflection to self-service): ``share`` of the new chats of ``instance`` (one
    with a bot) are answered by the bot first while the crisis lasts; its share before comes back at the end."""

    kind: Literal["bot_share"] = "bot_share"
    instance: str = Field(default="default", min_length=1, max_length=64, pattern=ID_PATTERN)
    share: float = Field(gt=0, le=1)


Action = Annotated[EmergencyAction | BannerAction | PauseCampaignsAction | ChatCapacityAction
                   | WorkflowVersionAction | PageAction | BotShareAction, Field(discriminator="kind")]


# ---------------------------------------------------------------------- communication plan


class Recipient(_Doc):
    """Someone to tell: a name and at least one address (email, phone in E.164, webhook URL), or a ``role`` or a
    ``team``: every active user of that role, or the team's agents and supervisor, at the email and phone
    stored on each user when the message is sent."""

    name: str = Field(min_length=1, max_length=120)
    email: str | None = Field(default=None, max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
    phone: str | None = Field(default=None, pattern=r"^\+[1-9][0-9]{6,14}$")
    webhook: str | None = Field(default=None, max_length=2000, pattern=r"^https?://[^\s]+$")
    role: Literal["agent", "supervisor", "admin"] | None = None
    team: str | None = Field(default=None, pattern=ID_PATTERN)

    @model_validator(mode="after")
    def _reachable(self) -> Recipient:
        if not (self.email or self.phone or self.webhook or self.role or self.team):
            raise ValueError(f"recipient {self.name!r} needs an email, a phone, a webhook, a role or a team")
        return self


class NotifyRule(_Doc):
    """Who is told, how, when and what. ``recipients`` are told at once; if nobody acknowledges within
    ``ack_within_s``, ``escalation`` is walked one recipient at a time, ``ack_within_s`` apart."""

    channels: list[Literal["email", "sms", "webhook"]] = Field(min_length=1, max_length=3)
    recipients: list[Recipient] = Field(min_length=1, max_length=100)
    escalation: list[Recipient] = Field(default_factory=list, max_length=20)
    at_start: bool = True
    every_s: float | None = Field(default=None, ge=60, le=DAY_S)
    at_end: bool = True
    ack_within_s: float | None = Field(default=None, ge=30, le=DAY_S)
    subject: str = Field(default="Crisis: $playbook", min_length=1, max_length=200)
    text: str = Field(min_length=1, max_length=2000)

    @model_validator(mode="after")
    def _templates(self) -> NotifyRule:
        check_template(self.subject, "subject")
        check_template(self.text, "text")
        if self.escalation and self.ack_within_s is None:
            raise ValueError("escalation needs ack_within_s (how long to wait for an acknowledgement)")
        return self


# ---------------------------------------------------------------------- the playbook


class Playbook(_Doc):
    """What the centre does in a foreseen crisis. Active while ``match`` of its triggers are active (``any``:
    one is enough; ``all``: every one); its actions are applied in order when it starts and reverted in
    reverse order when it ends; its notifications follow ``notify``."""

    id: str = Field(min_length=1, max_length=64, pattern=ID_PATTERN)
    name: str = Field(default="", max_length=200)
    enabled: bool = True
    match: Literal["any", "all"] = "any"
    triggers: list[Trigger] = Field(min_length=1, max_length=20)
    actions: list[Action] = Field(default_factory=list, max_length=20)
    notify: list[NotifyRule] = Field(default_factory=list, max_length=10)

    @model_validator(mode="after")
    def _one_each(self) -> Playbook:
        scopes = [a.scope for a in self.actions if isinstance(a, EmergencyAction)]
        if len(scopes) != len(set(scopes)):
            raise ValueError("two emergency actions for the same scope")
        if sum(isinstance(t, SwitchTrigger) for t in self.triggers) > 1:
            raise ValueError("one switch trigger is enough")
        flows = [a.workflow for a in self.actions if isinstance(a, WorkflowVersionAction)]
        if len(flows) != len(set(flows)):
            raise ValueError("two workflow_version actions for the same workflow")
        return self

    def queues(self) -> set[str]:
        """The queues the playbook names (checked against the configuration when it is saved)."""
        out = {t.queue for t in self.triggers if isinstance(t, KpiTrigger)}
        for a in self.actions:
            if isinstance(a, EmergencyAction):
                if not a.scope.startswith(SITE):
                    out.add(a.scope)
                if a.overflow_queue:
                    out.add(a.overflow_queue)
        return out - {CENTRE}

    def sites(self) -> set[str]:
        """The sites the playbook's emergency actions name (``site:<id>`` scopes, without the prefix)."""
        return {a.scope[len(SITE):] for a in self.actions
                if isinstance(a, EmergencyAction) and a.scope.startswith(SITE)}
