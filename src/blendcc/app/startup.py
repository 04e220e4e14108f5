"""Startup phases: wall and CPU seconds of each step from process start to serving (ADR 0059)."""

from __future__ import annotations

import time
from collections.abc import Mapping

#: the phases in the order a start goes through them (a phase not measured in a start is left out)
ORDER = ("imports", "migrations", "wiring", "snapshot_load", "log_replay", "statistics", "app", "listeners")


class PhaseTimer:
    """Wall (``perf_counter``) and process CPU (``process_time``) seconds between marks."""

    def __init__(self) -> None:
        self._wall = time.perf_counter()
        self._cpu = time.process_time()
        self.phases: dict[str, tuple[float, float]] = {}

    def mark(self, name: str, within: Mapping[str, tuple[float, float]] | None = None) -> None:
        """End the phase ``name`` now (its time since the previous mark is added to what it has); ``within``: phases
        measured inside that span, counted on their own and taken out of it."""
        wall, cpu = time.perf_counter(), time.process_time()
        dw, dc = wall - self._wall, cpu - self._cpu
        self._wall, self._cpu = wall, cpu
        for inner, (iw, ic) in (within or {}).items():
            self.add(inner, iw, ic)
            dw, dc = dw - iw, dc - ic
        self.add(name, max(0.0, dw), max(0.0, dc))

    def add(self, name: str, wall: float, cpu: float) -> None:
        w, c = self.phases.get(name, (0.0, 0.0))
        self.phases[name] = (w + wall, c + cpu)

    def figures(self) -> dict[str, tuple[float, float]]:
        return dict(self.phases)

    def total(self) -> tuple[float, float]:
        return (sum(w for w, _ in self.phases.values()), sum(c for _, c in self.phases.values()))

    def summary(self) -> str:
        """One line: the total, then each phase as wall/CPU seconds (what ``bench/restart.py`` reads)."""
        wall, cpu = self.total()
        names = [n for n in ORDER if n in self.phases] + sorted(set(self.phases) - set(ORDER))
        parts = ", ".join(f"{n} {self.phases[n][0]:.3f}/{self.phases[n][1]:.3f}" for n in names)
        return f"serving {wall:.3f} s after the process started ({cpu:.3f} s CPU); phases (wall/CPU s): {parts}"
