"""Failure throttling with exponential back-off, shared by API logins and SIP REGISTER (injected clock)."""

from __future__ import annotations

import math
import threading
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol


class Clock(Protocol):
    """What the throttle needs of the clock port (the core does not import ports)."""

    def now(self) -> float: ...


@dataclass(frozen=True, slots=True)
class ThrottlePolicy:
    """After ``free_failures`` failures in a row, each further failure blocks the key for
    ``base_delay_s * 2**(n - 1)`` seconds (n = failures beyond the free ones), at most ``max_delay_s``.
    A key with no failure for ``forget_after_s`` starts again from zero."""

    free_failures: int = 5
    base_delay_s: float = 1.0
    max_delay_s: float = 900.0
    forget_after_s: float = 3600.0

    def delay(self, failures: int) -> float:
        beyond = failures - self.free_failures
        if beyond <= 0:
            return 0.0
        return min(self.max_delay_s, self.base_delay_s * 2.0 ** min(beyond - 1, 64))


@dataclass(slots=True)
class _Entry:
    failures: int
    last_failure_at: float
    blocked_until: float


class Throttle:
    """Counts failures per key (e.g. ``("login-user", "admin")``, ``("sip-addr", "10.0.0.7")``).

    Keys name their policy by their first element (``policies``; ``default`` otherwise). Memory is bounded:
    beyond ``max_keys`` the least recently failed keys are forgotten. Thread-safe.
    """

    def __init__(self, clock: Clock, policies: dict[str, ThrottlePolicy] | None = None,
                 default: ThrottlePolicy | None = None, max_keys: int = 100_000) -> None:
        self.clock = clock
        self.policies = dict(policies or {})
        self.default = default or ThrottlePolicy()
        self.max_keys = max_keys
        self._entries: OrderedDict[tuple[str, str], _Entry] = OrderedDict()
        self._lock = threading.Lock()

    def _policy(self, key: tuple[str, str]) -> ThrottlePolicy:
        return self.policies.get(key[0], self.default)

    def _live(self, key: tuple[str, str], now: float) -> _Entry | None:
        entry = self._entries.get(key)
        if entry is not None and now - entry.last_failure_at >= self._policy(key).forget_after_s \
                and now >= entry.blocked_until:
            del self._entries[key]
            return None
        return entry

    def retry_after(self, keys: Iterable[tuple[str, str]]) -> float:
        """Seconds until every key may try again (0: allowed now)."""
        now = self.clock.now()
        with self._lock:
            waits = [e.blocked_until - now for k in keys if (e := self._live(k, now)) is not None]
        return max([0.0, *waits])

    def failed(self, keys: Iterable[tuple[str, str]]) -> float:
        """Record one failure on each key; return the longest block it started (0: none)."""
        now = self.clock.now()
        longest = 0.0
        with self._lock:
            for key in keys:
                entry = self._live(key, now) or _Entry(0, now, now)
                entry.failures += 1
                entry.last_failure_at = now
                delay = self._policy(key).delay(entry.failures)
                if delay > 0:
                    entry.blocked_until = max(entry.blocked_until, now + delay)
                    longest = max(longest, delay)
                self._entries[key] = entry
                self._entries.move_to_end(key)
            while len(self._entries) > self.max_keys:
                self._entries.popitem(last=False)
        return longest

    def succeeded(self, keys: Iterable[tuple[str, str]]) -> None:
        """Forget the failures of ``keys`` (a correct password clears its user, not its address)."""
        with self._lock:
            for key in keys:
                self._entries.pop(key, None)

    def failures(self, key: tuple[str, str]) -> int:
        now = self.clock.now()
        with self._lock:
            entry = self._live(key, now)
            return entry.failures if entry is not None else 0


def retry_after_header(seconds: float) -> str:
    """Retry-After as whole seconds, rounded up (HTTP and SIP both use delta-seconds)."""
    return str(max(1, math.ceil(seconds)))


#: SIP REGISTER with a wrong digest: 5 free tries per SIP user, 20 per source address.
SIP_POLICIES = {"sip-user": ThrottlePolicy(free_failures=5), "sip-addr": ThrottlePolicy(free_failures=20)}
