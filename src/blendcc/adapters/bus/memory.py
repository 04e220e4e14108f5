"""In-process publish/subscribe event bus: thread-safe; a failing handler never breaks publish."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping
from typing import Any

Handler = Callable[[str, Mapping[str, Any]], None]

log = logging.getLogger(__name__)


class MemoryBus:
    """Delivers each message synchronously, in subscription order, to the handlers of its topic."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._handlers: dict[str, list[tuple[int, Handler]]] = {}
        self._next_token = 0

    def publish(self, topic: str, message: Mapping[str, Any]) -> None:
        with self._lock:
            handlers = [h for _, h in self._handlers.get(topic, ())]
        for handler in handlers:
            try:
                handler(topic, message)
            except Exception:
                log.exception("bus handler %r failed on topic %r", handler, topic)

    def subscribe(self, topic: str, handler: Handler) -> Callable[[], None]:
        with self._lock:
            token = self._next_token
            self._next_token += 1
            self._handlers.setdefault(topic, []).append((token, handler))

        def unsubscribe() -> None:
            with self._lock:
                remaining = [(t, h) for t, h in self._handlers.get(topic, ()) if t != token]
                if remaining:
                    self._handlers[topic] = remaining
                else:
                    self._handlers.pop(topic, None)

        return unsubscribe

    def subscriber_count(self, topic: str) -> int:
        with self._lock:
            return len(self._handlers.get(topic, ()))
