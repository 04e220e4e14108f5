"""RecordingBus: a MemoryBus that also records every published (topic, message) for assertions."""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import Any

from blendcc.adapters.bus.memory import MemoryBus


class RecordingBus(MemoryBus):
    def __init__(self) -> None:
        super().__init__()
        self._record_lock = threading.Lock()
        self.published: list[tuple[str, Mapping[str, Any]]] = []

    def publish(self, topic: str, message: Mapping[str, Any]) -> None:
        with self._record_lock:
            self.published.append((topic, message))
        super().publish(topic, message)

    def messages(self, topic: str) -> list[Mapping[str, Any]]:
        """Messages published on ``topic``, in order."""
        with self._record_lock:
            return [m for t, m in self.published if t == topic]

    def clear(self) -> None:
        with self._record_lock:
            self.published.clear()
