"""Compliance ledger: live-answered and abandoned outbound calls over the regulatory rolling window."""

from __future__ import annotations

import bisect
import itertools
from typing import Literal

US_WINDOW_S = 30 * 86400.0  # TCPA / FTC: 3 % of live-answered calls per campaign over 30 days
UK_WINDOW_S = 86400.0  # Ofcom: 3 % of live calls per campaign per 24 hours (AMD false positives count)


def window_s(mode: Literal["us", "uk"] | str) -> float:
    """The rolling window (seconds) over which the abandonment rate is measured for a regulatory mode."""
    if mode == "us":
        return US_WINDOW_S
    if mode == "uk":
        return UK_WINDOW_S
    raise ValueError(f"unknown regulatory mode {mode!r}; use 'us' or 'uk'")


class AbandonLedger:
    """Answered (live person) calls and which of them were abandoned, by answer time.

    ``rate(now, window)`` = abandoned / live-answered among calls answered in ``(now - window, now]``
    (0.0 when none). Each entry has a weight: 1 for a call that happened, a fraction for an estimate
    (UK: a machine answer counts ``amd_false_positive_rate`` as an abandoned live call), so counts are
    floats. Adding is O(log n) (amortised O(1) in time order); rate queries are O(log n).
    """

    def __init__(self) -> None:
        self._times: list[float] = []
        self._live_prefix: list[float] = [0.0]  # _live_prefix[i] = live weight among _times[:i]
        self._abandoned_prefix: list[float] = [0.0]  # abandoned weight among _times[:i]

    def add(self, answered_at: float, abandoned: bool, weight: float = 1.0) -> None:
        if weight <= 0.0:
            return
        gone = weight if abandoned else 0.0
        if self._times and answered_at < self._times[-1]:
            i = bisect.bisect_right(self._times, answered_at)
            live = [self._live_prefix[k + 1] - self._live_prefix[k] for k in range(len(self._times))]
            flags = [self._abandoned_prefix[k + 1] - self._abandoned_prefix[k] for k in range(len(self._times))]
            self._times.insert(i, answered_at)
            live.insert(i, weight)
            flags.insert(i, gone)
            self._live_prefix = list(itertools.accumulate(live, initial=0.0))
            self._abandoned_prefix = list(itertools.accumulate(flags, initial=0.0))
            return
        self._times.append(answered_at)
        self._live_prefix.append(self._live_prefix[-1] + weight)
        self._abandoned_prefix.append(self._abandoned_prefix[-1] + gone)

    def counts(self, now: float, window: float) -> tuple[float, float]:
        """(live answered, abandoned) weights among calls answered in ``(now - window, now]``."""
        lo = bisect.bisect_right(self._times, now - window)
        hi = bisect.bisect_right(self._times, now)
        return (self._live_prefix[hi] - self._live_prefix[lo],
                self._abandoned_prefix[hi] - self._abandoned_prefix[lo])

    def rate(self, now: float, window: float) -> float:
        answered, abandoned = self.counts(now, window)
        return abandoned / answered if answered > 1e-12 else 0.0

    def headroom(self, now: float, window: float, cap: float, extra_answered: float = 0) -> int:
        """How many more abandons keep the rate at or under ``cap`` if ``extra_answered`` more live
        answers arrive (each possible abandon is itself a live answer): the governor's budget."""
        answered, abandoned = self.counts(now, window)
        answered += extra_answered
        # largest k with (abandoned + k) <= cap * (answered + k)
        if cap >= 1.0:
            return 10**9
        k = int((cap * answered - abandoned) / (1.0 - cap) + 1e-9)
        return max(k, 0)

    def prune(self, before: float) -> None:
        """Forget calls answered at or before ``before`` (older than any window still queried)."""
        i = bisect.bisect_right(self._times, before)
        if i:
            base, live = self._abandoned_prefix[i], self._live_prefix[i]
            self._times = self._times[i:]
            self._abandoned_prefix = [p - base for p in self._abandoned_prefix[i:]]
            self._live_prefix = [p - live for p in self._live_prefix[i:]]

    def __len__(self) -> int:
        return len(self._times)
