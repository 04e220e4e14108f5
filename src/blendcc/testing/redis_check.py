"""The test Redis (URL from BLENDCC_TEST_REDIS_URL): a client, or a failure under CI and a skip elsewhere."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any, NoReturn

REDIS_URL = os.environ.get("BLENDCC_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def redis_client(fail: Callable[[str], NoReturn], skip: Callable[[str], NoReturn]) -> Any:
    """A client of the test Redis that answered a ping. Unreachable: ``fail`` under ``CI`` (Redis is part of CI),
    else ``skip`` (tests pass ``pytest.fail`` and ``pytest.skip``)."""
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except redis.RedisError as exc:
        client.close()
        if os.environ.get("CI"):
            fail(f"Redis is required in CI but not reachable at {REDIS_URL}: {exc}")
        skip(f"Redis not reachable at {REDIS_URL} (start redis-server, or set BLENDCC_TEST_REDIS_URL)")
    return client
