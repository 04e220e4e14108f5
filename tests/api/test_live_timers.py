"""The live server fires engine timers at their due times on its scheduler: no poller ticks the engine."""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping
from typing import Any

from fastapi.testclient import TestClient

from blendcc.api.app import create_app
from blendcc.bootstrap import build_container
from blendcc.config import Settings
from conftest import Api


def _wait(cond: Any, seconds: float = 15.0) -> bool:
    deadline = time.monotonic() + seconds
    while not cond() and time.monotonic() < deadline:
        time.sleep(0.02)
    return bool(cond())


def test_a_ring_no_answer_fires_at_its_due_time_and_nothing_polls(sqlite_url: str, fast_passwords: None,
                                                                  seed: Any) -> None:
    settings = Settings(database_url=sqlite_url, admin_password="admin-secret", secret_key="k", timezone="UTC",
                        tick_interval_s=0.1, stats_interval_s=60)
    container = build_container(settings, run_migrations=False)  # the real clock
    runtime = container.runtime
    ticks: list[float] = []
    real_tick = runtime.tick

    def counted_tick() -> Any:
        ticks.append(time.time())
        return real_tick()

    runtime.tick = counted_tick  # type: ignore[method-assign]  # whoever ticks the engine goes through here
    revoked: list[tuple[float, Mapping[str, Any]]] = []
    lock = threading.Lock()

    def on_contact(_topic: str, message: Mapping[str, Any]) -> None:
        if message.get("type") == "OfferRevoked":
            with lock:
                revoked.append((time.time(), dict(message)))

    container.bus.subscribe("contact", on_contact)
    try:
        with TestClient(create_app(container, background=True), raise_server_exceptions=False) as tc:
            api = Api(tc, container, container.clock)
            seed(api)
            api.put("/api/config/queues/sales", json={"name": "Sales", "wrap_up_s": 30, "offer_timeout_s": 1})
            api.agent_login("a1")
            time.sleep(1.0)  # idle, nothing due: a poller would have ticked ~10 times by now
            assert ticks == []
            offer = api.new_contact(channel="voice")
            assert offer["offered_to"] == "a1"
            due = time.time() + 1.0  # offer_timeout_s after (about) now
            assert _wait(lambda: bool(revoked))
            seen_at, message = revoked[0]
            assert message["reason"] == "timeout" and message["contact_id"] == offer["contact_id"]
            assert seen_at >= due - 0.2  # not before it rang out
            assert seen_at - due < 2.0  # at its due time, not at some later poll
            assert 1 <= len(ticks) <= 3  # woken for the timer (and perhaps once early), not polled
            assert _wait(lambda: api.agent("a1")["reason"] == "missed")
    finally:
        container.store.engine.dispose()


def test_a_timed_wrap_up_ends_on_time_with_the_server_idle(sqlite_url: str, fast_passwords: None, seed: Any) -> None:
    settings = Settings(database_url=sqlite_url, admin_password="admin-secret", secret_key="k", timezone="UTC",
                        stats_interval_s=60)
    container = build_container(settings, run_migrations=False)
    try:
        with TestClient(create_app(container, background=True), raise_server_exceptions=False) as tc:
            api = Api(tc, container, container.clock)
            seed(api)
            api.put("/api/config/queues/sales", json={"name": "Sales", "wrap_up_s": 1, "offer_timeout_s": 20})
            api.agent_login("a1")
            contact = api.new_contact(channel="voice")["contact_id"]
            api.act("a1", contact, "accept")
            api.act("a1", contact, "end")
            assert api.agent("a1")["state"] == "wrap_up"
            assert _wait(lambda: api.agent("a1")["state"] == "available")  # nobody acted: the timer did
            assert "WrapUpCompleted" in api.timeline(contact)
    finally:
        container.store.engine.dispose()
