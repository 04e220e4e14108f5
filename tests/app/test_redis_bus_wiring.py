"""The composition root picks the Redis Streams bus when ``redis_url`` is set: the writer's events reach
another node's subscribers through Redis; without it the in-process bus is used."""

from __future__ import annotations

import time
import uuid
from collections.abc import Mapping
from typing import Any

import pytest

from blendcc.adapters.bus.memory import MemoryBus
from blendcc.adapters.bus.redis_streams import RedisBus
from blendcc.app.acd.contacts import NewContact
from blendcc.bootstrap import build_container, make_bus
from blendcc.domain.channels import Channel
from blendcc.testing.redis_check import REDIS_URL
from blendcc.testing.redis_check import redis_client as require_redis
from conftest import make_settings


@pytest.fixture
def redis_client() -> Any:
    client = require_redis(pytest.fail, pytest.skip)
    yield client
    client.close()


def test_without_a_redis_url_the_bus_is_in_process(sqlite_url: str) -> None:
    assert isinstance(make_bus(make_settings(sqlite_url)), MemoryBus)


def test_events_reach_another_node_through_redis(sqlite_url: str, clock: Any, redis_client: Any,
                                                 fast_passwords: None) -> None:
    prefix = f"test-{uuid.uuid4().hex[:12]}"
    other = RedisBus(redis_client, prefix=prefix, node_id="other-node")
    got: list[Mapping[str, Any]] = []
    other.subscribe("contact", lambda _t, m: got.append(m))
    c = build_container(make_settings(sqlite_url, redis_url=REDIS_URL, redis_stream_prefix=prefix,
                                      node_id="writer-node"), clock=clock, run_migrations=False)
    try:
        assert isinstance(c.bus, RedisBus) and c.bus.node_id == "writer-node"
        c.config.put("queues", "q", {"name": "Queue"}, "test")
        c.config.put("workflows", "w", {"name": "Main", "default": [{"queue": "q"}]}, "test")
        c.contacts.create(NewContact(channel=Channel.VOICE, contact_id="c1"))
        deadline = time.monotonic() + 10
        while not any(m.get("type") == "ContactQueued" for m in got) and time.monotonic() < deadline:
            time.sleep(0.01)
        created = [m for m in got if m.get("type") == "ContactCreated"]
        assert created and created[0]["contact_id"] == "c1" and created[0]["seq"] >= 1
        assert [m["seq"] for m in got] == sorted(m["seq"] for m in got)  # in log order
        from fastapi.testclient import TestClient

        from blendcc.api.app import create_app

        with TestClient(create_app(c, background=False)) as client:
            ready = client.get("/ready")
            assert ready.status_code == 200 and ready.json()["checks"] == {"store": "ok", "bus": "ok"}
            assert "blendcc_bus_lag_seconds" in client.get("/metrics").text
    finally:
        c.bus.close()
        other.close()
        c.store.engine.dispose()
        keys = list(redis_client.scan_iter(match=f"{prefix}:*"))
        if keys:
            redis_client.delete(*keys)
