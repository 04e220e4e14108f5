"""Helpers for the bus contract suite: waiting for asynchronous delivery, a RedisBus on a throwaway prefix."""

from __future__ import annotations

import contextlib
import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from blendcc.testing.redis_check import redis_client as require_redis


def eventually(predicate: Callable[[], Any], timeout: float = 10.0) -> None:
    """Wait until ``predicate()`` is true (at once for the in-process bus); fail after ``timeout`` s."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            pytest.fail("the bus did not deliver in time")
        time.sleep(0.005)


def redis_client() -> Any:
    """A client of the test Redis; outside CI the test is skipped when Redis is not running, in CI it fails."""
    return require_redis(pytest.fail, pytest.skip)


@contextlib.contextmanager
def redis_prefix() -> Iterator[tuple[Any, str]]:
    """A client and a fresh key prefix; every key under it is deleted afterwards."""
    client = redis_client()
    prefix = f"test-{uuid.uuid4().hex[:12]}"
    try:
        yield client, prefix
    finally:
        keys = list(client.scan_iter(match=f"{prefix}:*"))
        if keys:
            client.delete(*keys)
        client.close()


@contextlib.contextmanager
def redis_bus(node_id: str = "n1") -> Iterator[Any]:
    from blendcc.adapters.bus.redis_streams import RedisBus

    with redis_prefix() as (client, prefix):
        bus = RedisBus(client, prefix=prefix, node_id=node_id)
        try:
            yield bus
        finally:
            bus.close()
