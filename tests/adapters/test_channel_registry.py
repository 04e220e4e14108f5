"""The channel registry (instances by kind, no double registration) and the live delivery timer thread."""

from __future__ import annotations

import threading

import pytest

from blendcc.adapters.channels.api import ApiChannel, ApiVoiceChannel
from blendcc.adapters.channels.base import TimerThread
from blendcc.adapters.channels.registry import ChannelRegistry
from blendcc.adapters.channels.sip.channel import SipChannel
from blendcc.domain.conversation import ChannelRef
from blendcc.domain.errors import InvalidState, NotFound
from blendcc.testing.fake_channel import FakeChannel


def test_the_registry_maps_channel_instances_to_adapters() -> None:
    registry = ChannelRegistry()
    support, sales = FakeChannel("email", "support@example.com"), FakeChannel("email", "sales@example.com")
    chat = ApiChannel("chat")
    for adapter in (support, sales, chat, SipChannel()):
        registry.register(adapter)
    assert registry.adapter(ChannelRef("email", "support@example.com")) is support
    assert registry.adapter(ChannelRef("email", "billing@example.com")) is None
    assert registry.get(ChannelRef("chat")) is chat
    assert registry.of_kind("email") == [sales, support]
    assert [str(r) for r in registry.channels()] == ["chat:default", "email:sales@example.com",
                                                     "email:support@example.com", "voice:default"]
    with pytest.raises(InvalidState, match="already registered"):
        registry.register(ApiVoiceChannel())  # voice:default is the SIP edge
    replacement = FakeChannel("email", "sales@example.com")
    registry.register(replacement, replace=True)
    assert registry.get(ChannelRef("email", "sales@example.com")) is replacement
    registry.unregister(ChannelRef("chat"))
    with pytest.raises(NotFound):
        registry.get(ChannelRef("chat"))
    with pytest.raises(NotFound):
        registry.unregister(ChannelRef("chat"))


def test_the_timer_thread_runs_functions_in_due_order_off_the_caller() -> None:
    now = [0.0]
    timers = TimerThread("test-timers", monotonic=lambda: now[0])
    ran: list[str] = []
    done = threading.Event()
    first = threading.Event()
    caller = threading.get_ident()
    threads: set[int] = set()

    def record(name: str) -> None:
        ran.append(name)
        threads.add(threading.get_ident())
        first.set()
        if len(ran) == 4:
            done.set()

    timers.call_later(5.0, lambda: record("late"))
    timers.call_later(1.0, lambda: record("soon"))
    timers.call_later(0.0, lambda: (_ for _ in ()).throw(RuntimeError("a failing task does not stop the rest")))
    timers.call_later(0.0, lambda: record("now"))
    # what is due runs; the rest waits for the (injected) clock, which has not moved
    assert first.wait(5.0)
    timers.call_later(0.0, lambda: record("again"))
    for _ in range(500):
        if len(ran) == 2:
            break
        assert done.wait(0.01) is False
    assert ran == ["now", "again"]
    now[0] = 10.0
    timers.call_later(0.0, lambda: None)  # wakes the thread to look at the clock again
    assert done.wait(5.0)
    assert ran == ["now", "again", "soon", "late"] and caller not in threads
    timers.close()
    with pytest.raises(RuntimeError):
        timers.call_later(0.0, lambda: None)
