"""Leader-only services follow the routing lease (ADR 0063): started once when the node becomes the leader, stopped
when it steps down (refused renewal, fenced append, shutdown), started again when it leads again; never twice."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest

from blendcc.app.acd.runtime import Runtime
from blendcc.app.cluster.leader_only import LeaderOnly
from blendcc.app.cluster.leadership import Leadership
from blendcc.sim.kernel import SimClock
from blendcc.testing import MemoryStore, RecordingBus

from .test_leadership import Lease
from .test_runtime_commands import T0, _catalog


class Listener:
    """A service that records its starts and stops, and whether the writer was leading when each happened."""

    def __init__(self, runtime: Runtime, log: list[str], name: str) -> None:
        self.runtime, self.log, self.name = runtime, log, name
        self.running = False

    def start(self) -> None:
        assert not self.running, f"{self.name} started twice"
        self.running = True
        self.log.append(f"start {self.name} standby={self.runtime.standby}")

    def stop(self) -> None:
        assert self.running, f"{self.name} stopped while not running"
        self.running = False
        self.log.append(f"stop {self.name} standby={self.runtime.standby}")


def _node(ttl_s: float = 30.0) -> tuple[Runtime, Lease, Leadership, LeaderOnly, list[str]]:
    runtime = Runtime(_catalog(), MemoryStore(), RecordingBus(), SimClock(T0), standby=True)
    lease, log, services = Lease(), [], LeaderOnly()
    for name in ("smtp", "dialing"):
        listener = Listener(runtime, log, name)
        services.add(name, listener.start, listener.stop)
    leadership = Leadership(lease, runtime, "a", "http://a", ttl_s=ttl_s, fence=lambda token: None,
                            elected=lambda token: runtime.take_over(_catalog()), services=services, poll_s=0.01)
    return runtime, lease, leadership, services, log


def test_started_once_on_election_stopped_on_a_refused_renewal_started_again_when_it_leads_again() -> None:
    runtime, lease, leadership, services, log = _node()
    assert services.running() == {"smtp": False, "dialing": False}  # a standby runs none of them
    leadership.step()
    assert leadership.is_leader and services.running() == {"smtp": True, "dialing": True}
    assert log == ["start smtp standby=False", "start dialing standby=False"]  # after the take-over, in order
    leadership.step()  # renewals while leading start nothing again
    services.start_all()
    assert services.starts("smtp") == 1 and services.starts("dialing") == 1

    lease.renewal = False  # another node holds the lease now
    leadership.step()
    assert not leadership.is_leader and runtime.standby and services.running() == {"smtp": False, "dialing": False}
    assert log[2:] == ["stop dialing standby=True", "stop smtp standby=True"]  # reverse order
    leadership.step()  # a standby again; the fake lease grants token 7 again: it leads again
    lease.renewal = True
    assert leadership.is_leader and services.running() == {"smtp": True, "dialing": True}
    assert services.starts("smtp") == 2 and services.starts("dialing") == 2
    assert len(log) == 6


def test_a_fenced_append_wakes_the_leadership_thread_which_stops_the_services() -> None:
    runtime, lease, leadership, services, log = _node(ttl_s=600.0)  # renewals far apart: only the fence wakes it

    def acquire_once(holder: str, address: str, ttl_s: float) -> int | None:
        return None if log else 7  # leads once; afterwards another node holds the lease

    lease.acquire = acquire_once  # type: ignore[method-assign]
    leadership.start()
    try:
        _wait(lambda: services.running() == {"smtp": True, "dialing": True})
        runtime.step_down()  # what the writer does when the store refuses its append (FencedOut)
        _wait(lambda: services.running() == {"smtp": False, "dialing": False})
        assert not leadership.is_leader and leadership.token == 0
    finally:
        leadership.stop()
    assert [line.split()[0] for line in log] == ["start", "start", "stop", "stop"]


def test_a_clean_stop_stops_the_services_before_the_writer_steps_down_and_the_lease_is_released() -> None:
    runtime, lease, leadership, services, log = _node()
    leadership.step()
    leadership.stop()
    assert log[2:] == ["stop dialing standby=False", "stop smtp standby=False"]
    assert runtime.standby and lease.released == [7] and not services.active


def test_a_failed_take_over_starts_nothing() -> None:
    runtime, lease, leadership, services, log = _node()

    def broken(token: int) -> None:
        raise RuntimeError("store unreachable during the rebuild")

    leadership._elected = broken
    leadership.step()
    assert not leadership.is_leader and runtime.standby and lease.released == [7]
    assert log == [] and services.running() == {"smtp": False, "dialing": False}


def test_a_failing_start_leaves_that_service_stopped_and_the_others_running() -> None:
    services, calls = LeaderOnly(), []

    def broken() -> None:
        raise OSError("address already in use")

    services.add("smtp", broken, lambda: calls.append("stop smtp"))
    services.add("dialing", lambda: calls.append("start dialing"), lambda: calls.append("stop dialing"))
    services.start_all()
    assert services.running() == {"smtp": False, "dialing": True}
    services.add("imap:support", lambda: calls.append("start imap"), lambda: calls.append("stop imap"))
    assert services.running()["imap:support"]  # registered while leading: started at once
    with pytest.raises(ValueError, match="twice"):
        services.add("dialing", lambda: None, lambda: None)
    services.clear()
    assert calls == ["start dialing", "start imap", "stop imap", "stop dialing"] and services.running() == {}


def test_start_and_stop_from_two_threads_never_start_a_service_twice() -> None:
    services, starts = LeaderOnly(), []
    services.add("dialing", lambda: starts.append(1), lambda: None)
    barrier = threading.Barrier(8)

    def race() -> None:
        barrier.wait()
        services.start_all()

    threads = [threading.Thread(target=race) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert starts == [1] and services.starts("dialing") == 1


def _wait(predicate: Any, timeout_s: float = 10.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)
