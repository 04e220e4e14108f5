"""Leader-only services: listeners and loops that issue commands, running only while this node routes."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass

log = logging.getLogger(__name__)


@dataclass
class _Service:
    name: str
    start: Callable[[], object]
    stop: Callable[[], object]
    running: bool = False
    starts: int = 0


class LeaderOnly:
    """A registry of named services with start/stop callbacks (the SMTP listener, the IMAP pollers, the dialing
    tick, the crisis and callback timers...). ``start_all`` when this node becomes the routing writer (at once on
    a single node; in a cluster when the leadership thread is elected), ``stop_all`` when it stops being it (the
    lease lost, fenced out, shutdown). Both are idempotent, so a service is never started twice; services start
    in registration order and stop in reverse. A service whose start raises is logged and stays stopped (the
    others still start); a stop that raises is logged and the service counts as stopped."""

    def __init__(self) -> None:
        self._services: dict[str, _Service] = {}
        self._lock = threading.RLock()
        self.active = False

    def add(self, name: str, start: Callable[[], object], stop: Callable[[], object]) -> None:
        """Register a service; it starts at once if the services are active (this node leads now)."""
        with self._lock:
            if name in self._services:
                raise ValueError(f"leader-only service {name!r} is registered twice")
            service = _Service(name, start, stop)
            self._services[name] = service
            if self.active:
                self._start(service)

    def start_all(self) -> None:
        with self._lock:
            if self.active:
                return
            self.active = True
            for service in list(self._services.values()):
                self._start(service)

    def stop_all(self) -> None:
        with self._lock:
            if not self.active:
                return
            self.active = False
            for service in reversed(list(self._services.values())):
                if not service.running:
                    continue
                service.running = False
                try:
                    service.stop()
                except Exception:
                    log.exception("stopping the leader-only service %r failed", service.name)
            log.info("leader-only services stopped on this node")

    def clear(self) -> None:
        """Stop everything and forget the registrations (the server shuts down; a restart registers anew)."""
        with self._lock:
            self.stop_all()
            self._services.clear()

    def running(self) -> dict[str, bool]:
        """Every registered service and whether it runs on this node now."""
        with self._lock:
            return {s.name: s.running for s in self._services.values()}

    def starts(self, name: str) -> int:
        """How many times ``name`` was started (tests: exactly once per leadership)."""
        with self._lock:
            return self._services[name].starts

    def _start(self, service: _Service) -> None:
        if service.running:
            return
        try:
            service.start()
        except Exception:
            log.exception("starting the leader-only service %r failed; it stays stopped", service.name)
            return
        service.running = True
        service.starts += 1
        log.info("leader-only service %r started on this node", service.name)
