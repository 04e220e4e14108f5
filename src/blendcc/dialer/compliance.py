"""Compliance ledger: live-answered and abandoned outbound calls over the regulatory rolling window."""

from __future__ import annotations

import bisect
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
    (0.0 when none). Adding is O(log n) (amortised O(1) in time order); rate queries are O(log n).
    """

    def __init__(self) -> None:
        self._times: list[float] = []
        self._abandoned_prefix: list[int] = [0]  # _abandoned_prefix[i] = abandoned among _times[:i]
        self._sorted = True

    def add(self, answered_at: float, abandoned: bool) -> None:
        if self._times and answered_at < self._times[-1]:
            i = bisect.bisect_right(self._times, answered_at)
            flags = [self._abandoned_prefix[k + 1] - self._abandoned_prefix[k] for k in range(len(self._times))]
            self._times.insert(i, answered_at)
            flags.insert(i, int(abandoned))
            prefix = [0]
            for f in flags:
                prefix.append(prefix[-1] + f)
            self._abandoned_prefix = prefix
            return
        self._times.append(answered_at)
        self._abandoned_prefix.append(self._abandoned_prefix[-1] + int(abandoned))

    def counts(self, now: float, window: float) -> tuple[int, int]:
        """(live answered, abandoned) among calls answered in ``(now - window, now]``."""
        lo = bisect.bisect_right(self._times, now - window)
        hi = bisect.bisect_right(self._times, now)
        return hi - lo, self._abandoned_prefix[hi] - self._abandoned_prefix[lo]

    def rate(self, now: float, window: float) -> float:
        answered, abandoned = self.counts(now, window)
        return abandoned / answered if answered else 0.0

    def headroom(self, now: float, window: float, cap: float, extra_answered: int = 0) -> int:
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
            base = self._abandoned_prefix[i]
            self._times = self._times[i:]
            self._abandoned_prefix = [p - base for p in self._abandoned_prefix[i:]]

    def __len__(self) -> int:
        return len(self._times)
