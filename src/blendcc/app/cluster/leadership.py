"""Leader election for the routing writer: hold the lease, renew it, take over on its loss, step down if fenced."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Protocol

log = logging.getLogger(__name__)


class LeaseView(Protocol):
    """The lease now: its holder, the holder's base URL, the token and the seconds left."""

    @property
    def holder(self) -> str: ...
    @property
    def address(self) -> str: ...
    @property
    def token(self) -> int: ...
    @property
    def left_s(self) -> float: ...


class Lease(Protocol):
    """A named, expiring lease with a fencing token incremented on every acquisition (``SqlLease``)."""

    def acquire(self, holder: str, address: str, ttl_s: float) -> int | None: ...
    def renew(self, holder: str, token: int, address: str, ttl_s: float) -> bool: ...
    def release(self, holder: str, token: int) -> None: ...
    def current(self) -> LeaseView | None: ...


class Writer(Protocol):
    """What leadership drives: the Runtime (take over with a rebuild, step down)."""

    standby: bool
    on_fenced: list[Callable[[], None]]

    def step_down(self) -> None: ...


class Services(Protocol):
    """The leader-only services (``LeaderOnly``): started when this node leads, stopped when it stops leading."""

    def start_all(self) -> None: ...
    def stop_all(self) -> None: ...


class Leadership:
    """One thread per node. A standby tries to acquire the lease every ``poll_s``; on success it fences the
    event store with the new token FIRST, then calls ``elected(token)`` (rebuild from the log, start
    routing). The leader renews every ``ttl_s / 3``; if a renewal is refused (another node took the lease)
    or none succeeded for ``ttl_s`` (it cannot reach the database), it steps down. Independently the store
    refuses any append carrying an old token, so a paused leader that wakes up never writes.

    ``services`` (the leader-only listeners and loops, ADR 0063) are started by this thread once ``elected``
    succeeded, and stopped by it on every way out of leadership: a refused or overdue renewal, a fenced
    append (``on_fenced`` wakes the thread), and ``stop``."""

    def __init__(self, lease: Lease, writer: Writer, node_id: str, address: str, *, ttl_s: float,
                 fence: Callable[[int], None], elected: Callable[[int], None], poll_s: float | None = None,
                 services: Services | None = None) -> None:
        self.lease = lease
        self.writer = writer
        self.node_id = node_id
        self.address = address
        self.ttl_s = ttl_s
        self.poll_s = poll_s if poll_s is not None else min(0.5, ttl_s / 4)
        self._fence = fence
        self._elected = elected
        self.services = services
        self.token = 0
        #: the leader's base URL as last read from the lease (where a standby forwards requests)
        self.leader_address: str | None = None
        self._renewed_at = 0.0
        self._lost = threading.Event()
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        writer.on_fenced.append(self._fenced)

    def _fenced(self) -> None:  # called by the writer, its lock held: only flag it; this thread stops services
        self._lost.set()
        self._wake.set()

    @property
    def is_leader(self) -> bool:
        return self.token > 0 and not self.writer.standby

    @property
    def role(self) -> str:
        return "leader" if self.is_leader else "standby"

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="blendcc-leadership", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop the loop; a leader lets its lease expire now so a standby takes over at once."""
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(5)
        self._stop_services()  # before stepping down: nothing they issue meets a fenced writer
        if self.is_leader:
            self.writer.step_down()
            try:
                self.lease.release(self.node_id, self.token)
            except Exception:
                log.exception("could not release the routing lease; it expires in %g s", self.ttl_s)

    def _run(self) -> None:
        while not self._stop.is_set():
            self._wake.clear()  # before the step: a fence that happens during it wakes the next one at once
            try:
                self.step()
            except Exception:
                log.exception("leadership step failed; retrying")
            self._wake.wait(self.ttl_s / 3 if self.is_leader else self.poll_s)

    def step(self) -> None:
        """One round: renew (leader) or try to acquire (standby); keep ``leader_address`` current."""
        if self.is_leader:
            self._renew()
            return
        if self.token:  # stepped down (fenced out, or the lease was lost): a standby from now on
            log.warning("node %s is no longer the routing leader (token %d)", self.node_id, self.token)
            self._stop_services()
            self.token = 0
            self._fence(0)
        token = self.lease.acquire(self.node_id, self.address, self.ttl_s)
        if token is None:
            state = self.lease.current()
            self.leader_address = state.address if state is not None and state.left_s > 0 else None
            return
        started = time.monotonic()
        self._fence(token)  # before the rebuild: its own appends (overdue timers) carry the new token
        self.token = token
        self._renewed_at = started
        self._lost.clear()
        try:
            self._elected(token)
        except Exception:
            log.exception("taking over failed; standing down")
            self.writer.step_down()
            self.lease.release(self.node_id, token)
            return
        self.leader_address = self.address
        log.warning("node %s is the routing leader (token %d), took over in %.2f s", self.node_id, token,
                    time.monotonic() - started)
        if self.services is not None and self.is_leader:  # not if it was fenced out during the take-over
            self.services.start_all()

    def _renew(self) -> None:
        if self._lost.is_set():
            return
        try:
            ok = self.lease.renew(self.node_id, self.token, self.address, self.ttl_s)
        except Exception:
            log.exception("renewing the routing lease failed")
            ok = time.monotonic() - self._renewed_at < self.ttl_s  # keep serving until it may have expired
            if not ok:
                log.error("no renewal for %g s: the lease may be another node's; stepping down", self.ttl_s)
            else:
                return
        if ok:
            self._renewed_at = time.monotonic()
            return
        log.error("the routing lease is another node's now; stepping down")
        self.writer.step_down()
        self._stop_services()

    def _stop_services(self) -> None:
        if self.services is not None:
            self.services.stop_all()
