"""The configuration the engine routes with: queues, calendars, agents, workflows and settings."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from pydantic import BaseModel, ConfigDict, Field

from blendcc.domain.agent import AgentConfig
from blendcc.domain.calendar import BusinessHours
from blendcc.domain.errors import ValidationFailed
from blendcc.domain.queue import QueueConfig
from blendcc.routing.strategies import get_strategy
from blendcc.routing.workflow import CompiledWorkflow, Workflow, compile_workflow


class RoutingSettings(BaseModel):
    """Centre-wide routing settings.

    ``priority_head_start_s``: each priority level is worth this many seconds of waiting (aging):
    a contact's place in line is its time in line minus priority x head start. A very large value
    gives strict priority.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    priority_head_start_s: float = Field(default=60.0, ge=0)
    transfer_to_agent_timeout_s: float = Field(default=30.0, gt=0)
    max_overflow_hops: int = Field(default=10, ge=1)
    #: a pending/snoozed conversation the customer answers waits this long for its owner, then the queue
    conversation_owner_wait_s: float = Field(default=120.0, gt=0, le=86400)
    #: a customer's message within this many days of a resolved conversation reopens it (same owner first)
    reopen_days: float = Field(default=7.0, ge=0, le=365)
    #: a chat whose customer has not answered the agent for this long is resolved (None: never)
    chat_idle_timeout_s: float | None = Field(default=None, gt=0, le=7 * 86400)


@dataclass(frozen=True)
class Catalog:
    queues: Mapping[str, QueueConfig] = field(default_factory=dict)
    calendars: Mapping[str, BusinessHours] = field(default_factory=dict)
    agents: Mapping[str, AgentConfig] = field(default_factory=dict)
    workflows: Mapping[str, CompiledWorkflow] = field(default_factory=dict)
    settings: RoutingSettings = field(default_factory=RoutingSettings)

    def workflow_for(self, channel: str, workflow_id: str | None) -> CompiledWorkflow:
        if workflow_id is not None:
            wf = self.workflows.get(workflow_id)
            if wf is None:
                raise ValidationFailed(f"unknown workflow {workflow_id!r}")
            return wf
        for wf in self.workflows.values():
            if channel in wf.workflow.channels:
                return wf
        for wf in self.workflows.values():
            if not wf.workflow.channels:
                return wf
        raise ValidationFailed(f"no routing workflow serves channel {channel!r}; configure one first")


def build_catalog(
    queues: list[QueueConfig],
    calendars: list[BusinessHours],
    agents: list[AgentConfig],
    workflows: list[Workflow],
    settings: RoutingSettings | None = None,
) -> Catalog:
    """Cross-check the documents (references, strategies, expressions) and compile the workflows."""
    qmap = {q.id: q for q in queues}
    cmap = {c.id: c for c in calendars}
    for q in queues:
        get_strategy(q.strategy)
        if q.calendar_id is not None and q.calendar_id not in cmap:
            raise ValidationFailed(f"queue {q.id}: unknown calendar {q.calendar_id!r}")
        for ref in (q.closed_overflow_queue, q.no_agents_overflow_queue):
            if ref is not None and ref not in qmap:
                raise ValidationFailed(f"queue {q.id}: unknown overflow queue {ref!r}")
    for a in agents:
        for qid in a.queues:
            if qid not in qmap:
                raise ValidationFailed(f"agent {a.id}: unknown queue {qid!r}")
    compiled = {w.id: compile_workflow(w, qmap, cmap) for w in workflows}
    return Catalog(qmap, cmap, {a.id: a for a in agents}, compiled, settings or RoutingSettings())
