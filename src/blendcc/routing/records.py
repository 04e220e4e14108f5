"""Live, mutable records the ACD engine owns: agents, waiting or connected contacts, assignments."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from blendcc.domain.agent import AgentConfig, AgentState, Capacity, Presence
from blendcc.domain.channels import Channel
from blendcc.domain.interaction import RouteStep
from blendcc.domain.lifecycle.assignment import AssignmentStage
from blendcc.domain.lifecycle.contact import ContactState
from blendcc.domain.queue import QueueConfig

NO_QUEUE = QueueConfig(id="-")
_OFFLINE, _BUSY, _WRAP_UP = AgentState.OFFLINE, AgentState.BUSY, AgentState.WRAP_UP
_RESERVED, _AUX_STATE, _AVAILABLE = AgentState.RESERVED, AgentState.AUX, AgentState.AVAILABLE
_AUX = Presence.AUX
_RESERVED_STAGE, _BUSY_STAGE, _HELD_STAGE = AssignmentStage.RESERVED, AssignmentStage.BUSY, AssignmentStage.HELD
_WRAP_UP_STAGE = AssignmentStage.WRAP_UP


class Assignment:
    """One agent's part in one contact: reserved (offered), busy (connected), held, then wrap-up.

    ``stage`` moves only along ``domain.lifecycle.assignment.ASSIGNMENT`` (``LiveState`` folds it)."""

    __slots__ = (
        "agent_id",
        "channel",
        "connected_at",
        "contact_id",
        "disposition",
        "ended_at",
        "hold_s",
        "hold_started",
        "notes",
        "queue_id",
        "queued_at",
        "stage",
        "wrap_until",
    )

    def __init__(self, contact_id: str, agent_id: str, queue_id: str, channel: Channel, queued_at: float):
        self.contact_id = contact_id
        self.agent_id = agent_id
        self.queue_id = queue_id
        self.channel = channel
        self.queued_at = queued_at
        self.stage = _RESERVED_STAGE
        self.connected_at: float | None = None
        self.hold_s = 0.0
        self.hold_started: float | None = None
        self.ended_at: float | None = None
        self.wrap_until: float | None = None
        self.disposition: str | None = None
        self.notes: str | None = None


class AgentRecord:
    """An agent's live state. Implements ``AgentView`` for strategies and the matcher."""

    __slots__ = (
        "aux_reason",
        "capacity",
        "config",
        "id",
        "idle_since",
        "last_offer_seq",
        "load",
        "logged_in",
        "presence",
        "queues",
        "skills",
        "state",
        "state_reason",
        "state_since",
        "token",
        "work",
    )

    def __init__(self, config: AgentConfig, now: float):
        self.id = config.id
        self.config = config
        self.skills: Mapping[str, int] = dict(config.skills)
        self.queues: tuple[str, ...] = tuple(config.queues)
        self.capacity: Capacity = config.capacity
        self.logged_in = False
        self.presence = Presence.AUX
        self.aux_reason: str | None = None
        self.load: dict[Channel, int] = {}
        self.work: dict[str, Assignment] = {}
        self.idle_since = now
        self.last_offer_seq = 0
        self.token = 0
        self.state = AgentState.OFFLINE
        self.state_reason: str | None = None
        self.state_since = now

    def reconfigure(self, config: AgentConfig) -> None:
        self.config = config
        self.skills = dict(config.skills)
        self.queues = tuple(config.queues)
        self.capacity = config.capacity

    @property
    def routable(self) -> bool:
        return self.logged_in and self.presence is Presence.AVAILABLE

    def derived_state(self) -> tuple[AgentState, str | None]:
        """Observable state: busy > wrap-up > reserved > aux > available (KPIS.md time split)."""
        if not self.logged_in:
            return _OFFLINE, None
        work = self.work
        if work:  # one pass, no set: this runs after every command that touches the agent
            wrap = reserved = False
            for asg in work.values():
                stage = asg.stage
                if stage is _BUSY_STAGE or stage is _HELD_STAGE:
                    return _BUSY, None
                if stage is _WRAP_UP_STAGE:
                    wrap = True
                elif stage is _RESERVED_STAGE:
                    reserved = True
            if wrap:
                return _WRAP_UP, None
            if reserved:
                return _RESERVED, None
        if self.presence is _AUX:
            return _AUX_STATE, self.aux_reason
        return _AVAILABLE, None


class ContactRecord:
    """A contact the engine is routing or that is connected. Implements ``ContactView``."""

    __slots__ = (
        "agent_id",
        "attributes",
        "channel",
        "conversation",
        "created_at",
        "customer_id",
        "declined",
        "direction",
        "first_queued_at",
        "id",
        "idle_token",
        "line_since",
        "offer_expires",
        "order_key",
        "owner",
        "priority",
        "queue",
        "queued_at",
        "seq",
        "snooze_token",
        "snooze_until",
        "state",
        "step_index",
        "step_token",
        "steps",
        "token",
        "transferred",
        "transferred_by",
        "visit_token",
    )

    def __init__(
        self,
        contact_id: str,
        channel: Channel,
        direction: str,
        priority: int,
        attributes: Mapping[str, Any],
        customer_id: str | None,
        created_at: float,
        seq: int,
    ):
        self.id = contact_id
        self.channel = channel
        self.direction = direction
        self.priority = priority
        self.attributes = attributes
        self.customer_id = customer_id
        self.created_at = created_at
        self.seq = seq
        self.state = ContactState.CREATED
        self.steps: tuple[RouteStep, ...] = ()
        self.step_index = 0
        self.queue: QueueConfig = NO_QUEUE
        self.queued_at = created_at
        self.first_queued_at: float | None = None
        self.line_since = created_at
        self.step_token = 0
        self.visit_token = 0
        self.order_key = 0.0
        self.token = 0
        self.agent_id: str | None = None  # offered-to or connected agent
        self.offer_expires: float | None = None
        self.declined: set[str] = set()
        self.transferred = False
        self.transferred_by: list[str] = []  # agents who transferred it away (they may still wrap up)
        self.conversation = "open"  # a digital conversation's state (domain.lifecycle.conversation)
        self.owner: str | None = None  # the agent a pending/snoozed conversation goes back to
        self.snooze_until: float | None = None
        self.snooze_token = 0  # a snooze timer fires only if it is still the latest one
        self.idle_token = 0  # a chat's idle timer fires only if nobody wrote since it was set

    @property
    def step(self) -> RouteStep:
        return self.steps[self.step_index]

    @property
    def requirement(self) -> tuple[tuple[str, int], ...]:
        return self.steps[self.step_index].skills if self.steps else ()

    @property
    def agent_only(self) -> str | None:
        return self.steps[self.step_index].agent_id if self.steps else None
