"""Several nodes (ADR 0053): the routing lease on PostgreSQL, the store's fencing, take-over and step-down."""

from __future__ import annotations

import logging
import socket
import uuid
from collections.abc import Callable, Mapping
from typing import Any

from blendcc.adapters.storage.engine import make_engine
from blendcc.adapters.storage.lease_repo import SqlLease
from blendcc.adapters.storage.sql_store import SqlStore
from blendcc.app.acd.runtime import Runtime
from blendcc.app.cluster.leadership import Leadership
from blendcc.app.container import Container
from blendcc.config import Settings

log = logging.getLogger(__name__)

LEASE = "routing"


def check_cluster_settings(settings: Settings) -> None:
    """Refuse to start a cluster node without the shared PostgreSQL database and Redis it needs."""
    if not settings.database_url.startswith("postgresql"):
        raise ValueError("BLENDCC_CLUSTER needs a PostgreSQL database (BLENDCC_DATABASE_URL=postgresql+psycopg://...)"
                         ": every node shares it and the routing lease lives there")
    if not settings.redis_url:
        raise ValueError("BLENDCC_CLUSTER needs BLENDCC_REDIS_URL: the nodes share events over the Redis bus")


def node_address(settings: Settings) -> str:
    """This node's base URL for the other nodes (``advertise_url``, else http://host:port)."""
    if settings.advertise_url:
        return settings.advertise_url
    host = {"0.0.0.0": socket.gethostname(), "::": socket.gethostname()}.get(settings.host, settings.host)
    return f"http://{host}:{settings.port}"


def wire_cluster(container: Container, settings: Settings, store: SqlStore,
                 reload_stats: Callable[[], None]) -> Leadership:
    """Make ``container`` a cluster node: a standby until the leadership thread (started by the API lifespan)
    acquires the lease; then its store appends with the new token and the Runtime rebuilds from the log."""
    runtime = container.runtime
    assert isinstance(runtime, Runtime) and runtime.standby, "a cluster node's Runtime starts as a standby"
    config = container.config

    def elected(token: int) -> None:
        catalog = config.reload()  # the previous leader may have changed the configuration
        # today's figures from the log (the previous leader's commits included) BEFORE routing starts: the
        # take-over's own events and every later command are then folded in once, by the commit subscriber
        reload_stats()
        runtime.take_over(catalog)

    node_id = settings.node_id or socket.gethostname()
    # its own small pool: the renewal must never queue for a connection behind busy request threads (under load
    # the shared pool's wait made a live leader miss its renewals and lose the lease); a wait longer than
    # the lease's lifetime is an error (the leader then steps down once its lease may have expired)
    lease_db = make_engine(settings.database_url, pool_size=1, max_overflow=1, pool_timeout=settings.lease_ttl_s)
    lease = SqlLease(lease_db, LEASE, lock_timeout_s=settings.lease_ttl_s)
    leadership = Leadership(lease, runtime, node_id, node_address(settings), ttl_s=settings.lease_ttl_s,
                            fence=lambda token: store.fence(LEASE, token), elected=elected,
                            services=container.leader_only)
    container.cluster = leadership
    share_revocations(container)
    log.info("cluster node %s (%s): standby until it holds the routing lease", node_id, leadership.address)
    return leadership


AUTH_TOPIC = "auth"


def share_revocations(container: Container) -> None:
    """A revocation made on one node (logout, password change, deactivation) reaches every node's cache of verified
    tokens and its sockets at once, over the bus (topic "auth"), so the cache can trust a token for
    ``auth.VERIFIED_TTL_S`` (ADR 0060)."""
    auth, bus = container.auth, container.bus
    me = uuid.uuid4().hex  # this process: its own announcements come back on a Redis bus

    def announce(username: str) -> None:
        bus.publish(AUTH_TOPIC, {"type": "TokensRevoked", "username": username, "node": me})

    def heard(_topic: str, message: Mapping[str, Any]) -> None:
        if message.get("type") == "TokensRevoked" and message.get("node") != me:
            auth.revoked_elsewhere(str(message.get("username")))

    auth.announce = announce
    bus.subscribe(AUTH_TOPIC, heard)
