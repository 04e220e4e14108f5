"""Leadership without a database: the store is fenced with the new token before the take-over runs; a leader that
cannot renew keeps routing until its lease may have expired, then steps down; a failed take-over stands down."""

from __future__ import annotations

import time
from typing import Any

import pytest

from blendcc.app.acd.runtime import Runtime
from blendcc.app.cluster.leadership import Leadership
from blendcc.bootstrap.cluster import check_cluster_settings
from blendcc.config import Settings
from blendcc.domain.errors import FencedOut
from blendcc.routing.commands import LogIn
from blendcc.sim.kernel import SimClock
from blendcc.testing import MemoryStore, RecordingBus

from .test_runtime_commands import T0, _catalog


class Lease:
    """A lease that grants token 7 once, then renews (or raises, or refuses) as told."""

    def __init__(self) -> None:
        self.renewal: Any = True
        self.released: list[int] = []

    def acquire(self, holder: str, address: str, ttl_s: float) -> int | None:
        return 7

    def renew(self, holder: str, token: int, address: str, ttl_s: float) -> bool:
        if isinstance(self.renewal, Exception):
            raise self.renewal
        return bool(self.renewal)

    def release(self, holder: str, token: int) -> None:
        self.released.append(token)

    def current(self) -> None:
        return None


def _node(ttl_s: float = 0.3) -> tuple[Runtime, Lease, Leadership, list[str]]:
    runtime = Runtime(_catalog(), MemoryStore(), RecordingBus(), SimClock(T0), standby=True)
    lease, order = Lease(), []

    def elected(token: int) -> None:
        order.append(f"elected {token}")
        runtime.take_over(_catalog())

    leadership = Leadership(lease, runtime, "a", "http://a", ttl_s=ttl_s,
                            fence=lambda token: order.append(f"fence {token}"), elected=elected)
    return runtime, lease, leadership, order


def test_the_store_is_fenced_before_the_take_over_and_a_standby_refuses_commands() -> None:
    runtime, _lease, leadership, order = _node()
    with pytest.raises(FencedOut):
        runtime.execute(LogIn("a1"))
    leadership.step()
    assert order == ["fence 7", "elected 7"] and leadership.is_leader and leadership.role == "leader"
    assert runtime.execute(LogIn("a1"))


def test_a_leader_that_cannot_renew_steps_down_once_its_lease_may_have_expired() -> None:
    runtime, lease, leadership, order = _node(ttl_s=0.3)
    leadership.step()
    lease.renewal = ConnectionError("database unreachable")
    leadership.step()
    assert leadership.is_leader  # the lease is still ours for a while
    time.sleep(0.35)
    leadership.step()
    assert not leadership.is_leader and runtime.standby
    lease.renewal = True
    leadership.step()  # next round: its store fenced with the never-issued token 0, then it competes again
    assert order == ["fence 7", "elected 7", "fence 0", "fence 7", "elected 7"] and leadership.is_leader


def test_a_refused_renewal_steps_down_at_once_and_a_clean_stop_releases() -> None:
    runtime, lease, leadership, _order = _node(ttl_s=30)
    leadership.step()
    lease.renewal = False
    leadership.step()
    assert not leadership.is_leader and runtime.standby
    runtime2, lease2, leadership2, _ = _node(ttl_s=30)
    leadership2.step()
    leadership2.stop()
    assert lease2.released == [7] and runtime2.standby


def test_a_failed_take_over_stands_down_and_releases_the_lease() -> None:
    runtime, lease, leadership, _order = _node()

    def broken(token: int) -> None:
        raise RuntimeError("store unreachable during the rebuild")

    leadership._elected = broken
    leadership.step()
    assert not leadership.is_leader and runtime.standby and lease.released == [7]


def test_a_cluster_node_needs_postgresql_and_redis() -> None:
    with pytest.raises(ValueError, match="PostgreSQL"):
        check_cluster_settings(Settings(cluster=True, database_url="sqlite:///x.db", redis_url="redis://r:6379/0"))
    with pytest.raises(ValueError, match="REDIS_URL"):
        check_cluster_settings(Settings(cluster=True, database_url="postgresql+psycopg://u@h/db"))
    check_cluster_settings(Settings(cluster=True, database_url="postgresql+psycopg://u@h/db",
                                    redis_url="redis://r:6379/0"))
