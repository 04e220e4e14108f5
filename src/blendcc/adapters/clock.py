"""The real wall clock, an adapter for the Clock port."""

from __future__ import annotations

import time


class SystemClock:
    def now(self) -> float:
        return time.time()
