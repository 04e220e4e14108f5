"""Workflow documents: validation, filters read top to bottom, relaxation steps, sticky agents."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from blendcc.domain.errors import ValidationFailed
from blendcc.domain.interaction import RouteStep
from blendcc.domain.queue import QueueConfig
from blendcc.routing.workflow import (
    CompiledWorkflow,
    Filter,
    Relax,
    Target,
    Workflow,
    compile_workflow,
    contact_context,
    plan,
)

QUEUES = {
    q.id: q
    for q in (
        QueueConfig(id="general"),
        QueueConfig(id="billing", skills={"billing": 3}),
        QueueConfig(id="gold", skills={"vip": 1}),
        QueueConfig(id="french", skills={"french": 2, "billing": 1}),
        QueueConfig(id="overflow"),
    )
}


def compiled(**kwargs: Any) -> CompiledWorkflow:
    kwargs.setdefault("id", "main")
    kwargs.setdefault("default", [Target(queue="general")])
    return compile_workflow(Workflow(**kwargs), QUEUES, ["uk"])


def context(**attrs: Any) -> dict[str, Any]:
    tier = attrs.pop("tier", None)
    channel = attrs.pop("channel", "voice")
    return contact_context(attrs, channel, "inbound", attrs.pop("customer_id", None), tier, 0)


def run(wf: CompiledWorkflow, ctx: dict[str, Any] | None = None, last_agent: str | None = None,
        uk_open: bool = True) -> tuple[str, tuple[RouteStep, ...]]:
    return plan(wf, ctx if ctx is not None else context(), QUEUES, lambda cal: uk_open, last_agent)


def test_default_when_no_filter_matches() -> None:
    wf = compiled(filters=[Filter(name="gold", expression="tier == 'gold'", targets=[Target(queue="gold")])])
    name, steps = run(wf, context(tier="silver"))
    assert name == "default"
    assert steps == (RouteStep(queue_id="general"),)


def test_filters_are_read_top_to_bottom() -> None:
    wf = compiled(filters=[
        Filter(name="gold", expression="tier == 'gold'", targets=[Target(queue="gold")]),
        Filter(name="billing", expression="ivr.menu == '2'", targets=[Target(queue="billing")]),
        Filter(name="closed", expression="not is_open('uk')", targets=[Target(queue="overflow")]),
    ])
    # both the first and the second match: the first wins
    name, steps = run(wf, context(tier="gold", ivr={"menu": "2"}))
    assert name == "gold"
    assert steps == (RouteStep(queue_id="gold", skills=(("vip", 1),)),)
    name, steps = run(wf, context(tier="silver", ivr={"menu": "2"}))
    assert name == "billing"
    assert steps == (RouteStep(queue_id="billing", skills=(("billing", 3),)),)
    name, _ = run(wf, context(), uk_open=False)
    assert name == "closed"
    name, _ = run(wf, context(), uk_open=True)
    assert name == "default"


def test_targets_become_ordered_steps_with_timeouts_and_priorities() -> None:
    wf = compiled(default=[
        Target(queue="billing", timeout_s=60, priority=5),
        Target(queue="general", skills={"billing": 1}, skip_if_no_agents=True, timeout_s=120),
        Target(queue="overflow"),
    ])
    _, steps = run(wf)
    assert steps == (
        RouteStep(queue_id="billing", skills=(("billing", 3),), priority=5, timeout_s=60),
        RouteStep(queue_id="general", skills=(("billing", 1),), timeout_s=120, skip_if_no_agents=True),
        RouteStep(queue_id="overflow"),
    )


def test_target_skills_replace_queue_skills() -> None:
    wf = compiled(default=[Target(queue="french", skills={})])
    _, steps = run(wf)
    assert steps == (RouteStep(queue_id="french", skills=()),)
    _, steps = run(compiled(default=[Target(queue="french")]))
    assert steps[0].skills == (("billing", 1), ("french", 2))  # sorted


def test_relax_expands_into_timed_steps() -> None:
    target = Target(queue="billing", priority=2, timeout_s=300, skip_if_no_agents=True, relax=[
        Relax(after_s=30, skills={"billing": 2}),
        Relax(after_s=90, skills={"billing": 1}),
    ])
    _, steps = run(compiled(default=[target, Target(queue="overflow")]))
    assert steps == (
        RouteStep(queue_id="billing", skills=(("billing", 3),), priority=2, timeout_s=30, skip_if_no_agents=True),
        RouteStep(queue_id="billing", skills=(("billing", 2),), priority=2, timeout_s=60, skip_if_no_agents=True),
        RouteStep(queue_id="billing", skills=(("billing", 1),), priority=2, timeout_s=210, skip_if_no_agents=True),
        RouteStep(queue_id="overflow"),
    )


def test_relax_without_timeout_waits_forever_at_the_last_level() -> None:
    target = Target(queue="billing", relax=[Relax(after_s=45, skills={})])
    _, steps = run(compiled(default=[target]))
    assert steps == (
        RouteStep(queue_id="billing", skills=(("billing", 3),), timeout_s=45),
        RouteStep(queue_id="billing", skills=(), timeout_s=None),
    )


def test_sticky_last_agent() -> None:
    wf = compiled(default=[
        Target(queue="billing", preferred_agent="last", timeout_s=20, priority=9),
        Target(queue="billing"),
    ])
    _, steps = run(wf, last_agent="alice")
    assert steps == (
        RouteStep(queue_id="billing", priority=9, agent_id="alice", timeout_s=20),
        RouteStep(queue_id="billing", skills=(("billing", 3),)),
    )
    # without a last agent the sticky step is skipped
    _, steps = run(wf, last_agent=None)
    assert steps == (RouteStep(queue_id="billing", skills=(("billing", 3),)),)


def test_only_sticky_target_without_last_agent_falls_back_to_its_queue() -> None:
    wf = compiled(default=[Target(queue="french", preferred_agent="last", timeout_s=20)])
    _, steps = run(wf, last_agent=None)
    assert steps == (RouteStep(queue_id="french", skills=(("billing", 1), ("french", 2))),)


def test_skip_if_no_agents_is_carried_on_the_step() -> None:
    _, steps = run(compiled(default=[Target(queue="gold", skip_if_no_agents=True), Target(queue="general")]))
    assert steps[0].skip_if_no_agents
    assert not steps[1].skip_if_no_agents


# ------------------------------------------------------------------ validation


def test_unknown_queue_is_rejected() -> None:
    with pytest.raises(ValidationFailed, match="unknown queue 'nowhere'"):
        compiled(default=[Target(queue="nowhere")])
    with pytest.raises(ValidationFailed, match=r"filter-x.*unknown queue"):
        compiled(filters=[Filter(name="filter-x", expression="known", targets=[Target(queue="nowhere")])])


def test_bad_expression_and_unknown_calendar_are_rejected() -> None:
    with pytest.raises(ValidationFailed, match="unknown name"):
        compiled(filters=[Filter(name="f", expression="colour == 1", targets=[Target(queue="general")])])
    with pytest.raises(ValidationFailed, match="unknown calendar 'us'"):
        compiled(filters=[Filter(name="f", expression="is_open('us')", targets=[Target(queue="general")])])


def test_duplicate_filter_names_are_rejected() -> None:
    f = Filter(name="same", expression="known", targets=[Target(queue="general")])
    with pytest.raises(ValidationFailed, match="used twice"):
        compiled(filters=[f, f])


def test_target_document_validation() -> None:
    with pytest.raises(ValidationError, match="increasing"):
        Target(queue="q", relax=[Relax(after_s=30), Relax(after_s=30)])
    with pytest.raises(ValidationError, match="later than the last relax"):
        Target(queue="q", timeout_s=20, relax=[Relax(after_s=30)])
    with pytest.raises(ValidationError, match="preferred_agent needs timeout_s"):
        Target(queue="q", preferred_agent="last")
    with pytest.raises(ValidationError):
        Target(queue="q", priority=101)
    with pytest.raises(ValidationError):
        Workflow(id="w", default=[])
    with pytest.raises(ValidationError):
        Relax(after_s=0)


def test_contact_context() -> None:
    c = contact_context({"subject": "Refund for order", "text": "It's broken!", "ivr": {"menu": "1"},
                         "caller_id": "+4420", "language": "en", "segment": "smb"},
                        "email", "inbound", "cust-1", "gold", 3)
    assert c["keywords"] == {"refund", "for", "order", "it's", "broken"}
    assert c["ivr"] == {"menu": "1"}
    assert "ivr" not in c["attr"] and c["attr"]["segment"] == "smb"
    assert c["known"] is True and c["tier"] == "gold" and c["priority"] == 3
    unknown = contact_context({"customer_known": False}, "voice", "inbound", "cust-1", None, 0)
    assert unknown["known"] is False
