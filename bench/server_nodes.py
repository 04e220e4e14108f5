"""bench/server.py's nodes: one ``blendcc serve``, or N in cluster mode on one PostgreSQL schema and one Redis."""

from __future__ import annotations

import contextlib
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx

from bench_chat import Server


def role(server: Server) -> str | None:
    """The node's cluster role from ``/health`` (``leader``, ``standby``), None when it does not answer."""
    try:
        return str(httpx.get(server.url + "/health", timeout=2.0).json().get("role"))
    except (httpx.HTTPError, ValueError, AttributeError):
        return None


def wait_for_leader(servers: list[Server], timeout: float = 60.0) -> int:
    """The index of the node holding the routing lease, once exactly one does and every other is a standby."""
    deadline = time.monotonic() + timeout
    roles: list[str | None] = []
    while time.monotonic() < deadline:
        roles = [role(s) for s in servers]
        if roles.count("leader") == 1 and roles.count("standby") == len(servers) - 1:
            return roles.index("leader")
        time.sleep(0.2)
    raise RuntimeError(f"no routing leader among the {len(servers)} nodes within {timeout:g} s (roles {roles})")


@contextlib.contextmanager
def _redis_namespace(redis_url: str) -> Iterator[str]:
    """A fresh key prefix on Redis for the run's streams and lease; its keys deleted afterwards."""
    import redis

    client = redis.Redis.from_url(redis_url)
    try:
        client.ping()
    except redis.RedisError as exc:
        client.close()
        raise RuntimeError(f"Redis is required for several nodes but not reachable at {redis_url}: {exc}") from exc
    prefix = f"bench{uuid.uuid4().hex[:10]}"
    try:
        yield prefix
    finally:
        keys = list(client.scan_iter(f"{prefix}:*"))
        if keys:
            client.delete(*keys)
        client.close()


@contextlib.contextmanager
def nodes(count: int, workdir: Path, url: str, launcher: Iterator[tuple[str, ...]],
          redis_url: str, lease_ttl_s: float | None = None) -> Iterator[list[Server]]:
    """``count`` started servers (one: standalone; more: cluster mode, the first migrates, then the others
    start on its schema, with the routing lease's lifetime ``lease_ttl_s`` if given), stopped at the end."""
    started: list[Server] = []
    with contextlib.ExitStack() as stack:
        env: dict[str, str] = {}
        if count > 1:
            prefix = stack.enter_context(_redis_namespace(redis_url))
            env = {"BLENDCC_CLUSTER": "true", "BLENDCC_REDIS_URL": redis_url, "BLENDCC_REDIS_STREAM_PREFIX": prefix}
            if lease_ttl_s is not None:
                env["BLENDCC_LEASE_TTL_S"] = f"{lease_ttl_s:g}"
        try:
            for i in range(count):
                node_dir = workdir / f"node{i}" if count > 1 else workdir
                node_dir.mkdir(exist_ok=True)
                extra = {**env, "BLENDCC_NODE_ID": f"bench-n{i}"} if count > 1 else {}
                server = Server(node_dir, url, next(launcher), env=extra)
                started.append(server)
                server.start()
            yield started
        finally:
            for server in reversed(started):
                server.stop()
