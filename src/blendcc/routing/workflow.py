"""Routing workflows as documents: filters read top to bottom, each sending to ordered targets.

A workflow is validated against the centre's queues and calendars, then compiled. ``plan`` turns a
contact's attributes into the steps it will walk through (``RouteStep``): sticky agent, skill
relaxation and overflow are all just further steps with timeouts.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from blendcc.domain.errors import ValidationFailed
from blendcc.domain.interaction import RouteStep
from blendcc.domain.queue import ID_PATTERN, QueueConfig
from blendcc.routing.expressions import Expression, compile_expression


class Relax(BaseModel):
    """After ``after_s`` seconds at this target, require these skills instead."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    after_s: float = Field(gt=0)
    skills: dict[str, int] = Field(default_factory=dict)


class Target(BaseModel):
    """Send the contact to ``queue``; move on to the next target after ``timeout_s``.

    ``skills`` replace the queue's required skills (minimum proficiency per skill) and ``relax`` lowers
    them over time. ``preferred_agent: last`` first offers the customer's last agent only (skipped
    when there is none). ``skip_if_no_agents`` moves on at once when nobody able to take it is logged in.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    queue: str
    priority: int | None = Field(default=None, ge=0, le=100)
    skills: dict[str, int] | None = None
    relax: list[Relax] = Field(default_factory=list)
    timeout_s: float | None = Field(default=None, gt=0)
    preferred_agent: Literal["last"] | None = None
    skip_if_no_agents: bool = False

    @model_validator(mode="after")
    def _relax_order(self) -> Target:
        last = 0.0
        for r in self.relax:
            if r.after_s <= last:
                raise ValueError("relax steps must have increasing after_s")
            last = r.after_s
        if self.timeout_s is not None and self.relax and self.timeout_s <= last:
            raise ValueError("timeout_s must be later than the last relax step")
        if self.preferred_agent and self.timeout_s is None:
            raise ValueError("preferred_agent needs timeout_s (how long to wait for that agent)")
        return self


class Filter(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(min_length=1, max_length=100)
    expression: str
    targets: list[Target] = Field(min_length=1)


class Workflow(BaseModel):
    """The routing document: the first matching filter wins; otherwise ``default``."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(min_length=1, max_length=64, pattern=ID_PATTERN)
    name: str = ""
    channels: list[str] = Field(default_factory=list, description="channels this workflow serves; empty: all")
    filters: list[Filter] = Field(default_factory=list)
    default: list[Target] = Field(min_length=1)


@dataclass(frozen=True)
class CompiledWorkflow:
    workflow: Workflow
    filters: tuple[tuple[Filter, Expression], ...]

    @property
    def id(self) -> str:
        return self.workflow.id


def compile_workflow(
    workflow: Workflow, queues: Mapping[str, QueueConfig], calendars: Iterable[str]
) -> CompiledWorkflow:
    """Check every queue and expression; raise ValidationFailed naming the first problem."""
    calendar_ids = list(calendars)
    compiled: list[tuple[Filter, Expression]] = []
    names: set[str] = set()
    for f in workflow.filters:
        if f.name in names:
            raise ValidationFailed(f"workflow {workflow.id}: filter name {f.name!r} is used twice")
        names.add(f.name)
        compiled.append((f, compile_expression(f.expression, calendar_ids)))
        _check_targets(workflow.id, f.name, f.targets, queues)
    _check_targets(workflow.id, "default", workflow.default, queues)
    return CompiledWorkflow(workflow, tuple(compiled))


def _check_targets(wid: str, where: str, targets: list[Target], queues: Mapping[str, QueueConfig]) -> None:
    for t in targets:
        if t.queue not in queues:
            raise ValidationFailed(f"workflow {wid}, {where}: unknown queue {t.queue!r}")


_WORD = re.compile(r"[a-z0-9']+")


def contact_context(attributes: Mapping[str, Any], channel: str, direction: str,
                    customer_id: str | None, tier: str | None, priority: int) -> dict[str, Any]:
    """The names a routing expression sees, built from a contact's attributes."""
    subject = attributes.get("subject")
    text = attributes.get("text")
    words: set[str] = set()
    for part in (subject, text):
        if isinstance(part, str):
            words.update(_WORD.findall(part.lower()))
    extra = {k: v for k, v in attributes.items() if k not in ("ivr",)}
    return {
        "channel": channel,
        "direction": direction,
        "caller_id": attributes.get("caller_id"),
        "dialled_number": attributes.get("dialled_number"),
        "language": attributes.get("language"),
        "tier": tier or attributes.get("tier"),
        "known": customer_id is not None and bool(attributes.get("customer_known", True)),
        "customer_id": customer_id,
        "priority": priority,
        "subject": subject,
        "text": text,
        "ivr": attributes.get("ivr") or {},
        "attr": extra,
        "keywords": words,
    }


def plan(
    workflow: CompiledWorkflow,
    context: Mapping[str, Any],
    queues: Mapping[str, QueueConfig],
    is_open: Callable[[str], bool],
    last_agent_id: str | None,
) -> tuple[str, tuple[RouteStep, ...]]:
    """(name of the matching filter, the steps) for a contact described by ``context``."""
    chosen_name, targets = choose(workflow, context, is_open)
    return chosen_name, expand_targets(targets, queues, last_agent_id)


def choose(workflow: CompiledWorkflow, context: Mapping[str, Any],
           is_open: Callable[[str], bool]) -> tuple[str, list[Target]]:
    """(name of the first filter whose expression holds, or "default"; its targets)."""
    for f, expr in workflow.filters:
        if expr.evaluate(context, is_open):
            return f.name, f.targets
    return "default", workflow.workflow.default


def is_sticky(targets: list[Target]) -> bool:
    """True if the steps of ``targets`` depend on the contact's last agent."""
    return any(t.preferred_agent == "last" for t in targets)


def expand_targets(targets: list[Target], queues: Mapping[str, QueueConfig],
                   last_agent_id: str | None) -> tuple[RouteStep, ...]:
    """The route steps of a filter's (or the default's) targets."""
    steps: list[RouteStep] = []
    for t in targets:
        steps.extend(_expand(t, queues[t.queue], last_agent_id))
    if not steps:  # only sticky targets and no last agent: fall back to the first target's queue
        q = queues[targets[0].queue]
        steps.append(RouteStep(queue_id=q.id, skills=q.skill_requirement()))
    return tuple(steps)


def _expand(t: Target, queue: QueueConfig, last_agent_id: str | None) -> list[RouteStep]:
    if t.preferred_agent == "last":
        if last_agent_id is None:
            return []
        return [RouteStep(queue_id=t.queue, priority=t.priority, agent_id=last_agent_id, timeout_s=t.timeout_s)]
    base = tuple(sorted((t.skills if t.skills is not None else queue.skills).items()))
    if not t.relax:
        return [RouteStep(queue_id=t.queue, skills=base, priority=t.priority,
                          timeout_s=t.timeout_s, skip_if_no_agents=t.skip_if_no_agents)]
    out: list[RouteStep] = []
    prev_at = 0.0
    current = base
    for r in t.relax:
        out.append(RouteStep(queue_id=t.queue, skills=current, priority=t.priority,
                             timeout_s=r.after_s - prev_at, skip_if_no_agents=t.skip_if_no_agents))
        prev_at = r.after_s
        current = tuple(sorted(r.skills.items()))
    remaining = None if t.timeout_s is None else t.timeout_s - prev_at
    out.append(RouteStep(queue_id=t.queue, skills=current, priority=t.priority, timeout_s=remaining,
                         skip_if_no_agents=t.skip_if_no_agents))
    return out
