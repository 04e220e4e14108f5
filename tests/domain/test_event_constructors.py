"""Event constructors: the generated ``__init__`` and ``events.factory`` build the same frozen events
as the dataclass definition says (fields, defaults, equality, hashing, pickling, errors)."""

from __future__ import annotations

import dataclasses
import pickle
from typing import Any

import pytest

from blendcc.domain import events as ev
from blendcc.domain.interaction import RouteStep


def _sample(cls: type[ev.Event]) -> dict[str, Any]:
    """A value for every field without a default (distinct per field, typed loosely like stored data)."""
    values: dict[str, Any] = {}
    for i, f in enumerate(dataclasses.fields(cls)):
        if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
            values[f.name] = float(i) if f.name == "at" or f.name.endswith(("_at", "_s")) else f"v{i}"
    if cls is ev.ContactRouted:
        values["steps"] = (RouteStep(queue_id="q", skills=(("en", 2),)),)
    return values


@pytest.mark.parametrize("cls", [c for c in ev.EVENT_TYPES.values() if c.__module__ == ev.__name__],
                         ids=lambda c: c.__name__)
def test_class_call_and_factory_build_the_same_frozen_event(cls: type[ev.Event]) -> None:
    values = _sample(cls)
    made = cls(**values)
    fast = ev.factory(cls)(**values)
    assert type(fast) is cls and fast == made and repr(fast) == repr(made)
    if not any(isinstance(v, dict) for v in dataclasses.astuple(made)):  # a dict field: unhashable either way
        assert hash(fast) == hash(made)
    for f in dataclasses.fields(cls):
        expected = values.get(f.name, f.default if f.default is not dataclasses.MISSING else None)
        if f.name in values or f.default is not dataclasses.MISSING:
            assert getattr(made, f.name) == expected
            assert getattr(fast, f.name) == expected
    assert pickle.loads(pickle.dumps(fast)) == made
    assert ev.event_from_dict(cls.__name__, fast.to_dict()) == made
    with pytest.raises(dataclasses.FrozenInstanceError):
        fast.at = 99.0
    with pytest.raises(dataclasses.FrozenInstanceError):
        made.at = 99.0


def test_defaults_and_default_factories_are_per_instance() -> None:
    a = ev.ContactCreated(contact_id="a", channel="voice", direction="inbound", customer_id=None, priority=0, at=1.0)
    b = ev.factory(ev.ContactCreated)(contact_id="b", channel="voice", direction="inbound", customer_id=None,
                                     priority=0, at=1.0)
    assert a.attributes == {} and b.attributes == {} and a.attributes is not b.attributes
    queued = ev.factory(ev.ContactQueued)(contact_id="a", queue_id="q", channel="voice", step_index=0, priority=0,
                                         at=1.0)
    assert queued.reason == "new"
    assert ev.AgentStatusChanged(agent_id="a", status="available", reason=None, at=1.0).by is None
    wrapped = ev.WrapUpCompleted(contact_id="c", agent_id="a", queue_id="q", channel="voice", queued_at=0.0,
                                 disposition=None, notes=None, talk_s=1.0, hold_s=0.0, acw_s=0.0, at=2.0)
    assert wrapped.timed_out is False


def test_missing_unknown_and_positional_arguments_are_refused() -> None:
    make = ev.factory(ev.ContactClosed)
    for build in (ev.ContactClosed, make):
        with pytest.raises(TypeError, match="outcome"):
            build(contact_id="c", at=1.0)
        with pytest.raises(TypeError, match="outcom"):
            build(contact_id="c", outcome="completed", outcom="x", at=1.0)
        with pytest.raises(TypeError):
            build("c", "completed", 1.0)


def test_factory_of_a_class_without_a_fast_constructor_is_the_class() -> None:
    from blendcc.domain.dialer_events import CallPlaced

    assert ev.factory(CallPlaced) is CallPlaced
