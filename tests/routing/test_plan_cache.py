"""Route steps of new contacts: expanded once per workflow filter and catalog, yet always what
``workflow.plan`` gives (a new catalog is seen at once; sticky targets depend on each contact)."""

from __future__ import annotations

from blendcc.domain import events as ev
from blendcc.domain.interaction import RouteStep
from blendcc.routing.workflow import Filter, Target, contact_context, plan

from .helpers import T0, Sim, agent, catalog, one, queue, workflow


def _steps(sim: Sim, cid: str) -> tuple[RouteStep, ...]:
    routed: ev.ContactRouted = one([e for e in sim.log if getattr(e, "contact_id", None) == cid], ev.ContactRouted)
    return routed.steps


def test_steps_equal_plan_for_every_contact() -> None:
    wf = workflow(Target(queue="q", skills={"en": 2}), Target(queue="backup"),
                  filters=[Filter(name="vip", expression="attr.vip == 1", targets=[Target(queue="backup")])])
    cat = catalog([queue("q"), queue("backup", skills={"fr": 1})], [agent("a", "q")], workflows=[wf])
    sim = Sim(cat)
    for i, attrs in enumerate([{"vip": 0}, {"vip": 1}, {"vip": 0}, {"vip": 1}, {"vip": 2}]):
        sim.create(f"c{i}", i, attributes=attrs)
        ctx = contact_context(attrs, "voice", "inbound", None, None, 0)
        name, steps = plan(cat.workflows["main"], ctx, cat.queues, lambda _cal: True, None)
        routed = one([e for e in sim.log if getattr(e, "contact_id", None) == f"c{i}"], ev.ContactRouted)
        assert (routed.filter_name, routed.steps) == (name, steps)
    assert _steps(sim, "c1") == _steps(sim, "c3") != _steps(sim, "c0")


def test_a_new_catalog_changes_the_steps_of_new_contacts() -> None:
    cat = catalog([queue("q", skills={"en": 1})], [agent("a", "q", skills={"en": 3})])
    sim = Sim(cat)
    sim.create("before", 0)
    assert _steps(sim, "before")[0].skills == (("en", 1),)
    changed = catalog([queue("q", skills={"en": 2, "de": 1})], [agent("a", "q", skills={"en": 3})])
    sim.engine.configure(changed, T0 + 1)
    sim.create("after", 2)
    assert _steps(sim, "after")[0].skills == (("de", 1), ("en", 2))


def test_sticky_targets_follow_each_contacts_last_agent() -> None:
    wf = workflow(Target(queue="q", preferred_agent="last", timeout_s=30), Target(queue="q"))
    cat = catalog([queue("q")], [agent("x", "q"), agent("y", "q")], workflows=[wf])
    sim = Sim(cat)
    sim.create("c1", 0, last_agent_id="x")
    sim.create("c2", 1, last_agent_id="y")
    sim.create("c3", 2)
    assert [s.agent_id for s in _steps(sim, "c1")] == ["x", None]
    assert [s.agent_id for s in _steps(sim, "c2")] == ["y", None]
    assert [s.agent_id for s in _steps(sim, "c3")] == [None]
