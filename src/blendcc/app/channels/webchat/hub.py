"""The live side of web chat: the customer sockets of each session, and the frames pushed to them."""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable
from typing import Any

Push = Callable[[dict[str, Any]], None]


class Hub:
    """Sockets by session (each a thread-safe ``push``), and the contact each session's chat became.

    Lookups are by key (a message never scans sessions or contacts): the writer thread calls ``push``
    for every event of a web-chat contact while it holds the engine lock, so it must stay cheap."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._listeners: dict[str, dict[int, Push]] = {}
        self._contacts: dict[str, str] = {}
        self._ids = itertools.count(1)

    def add(self, session_id: str, push: Push) -> Callable[[], None]:
        key = next(self._ids)
        with self._lock:
            self._listeners.setdefault(session_id, {})[key] = push

        def remove() -> None:
            with self._lock:
                found = self._listeners.get(session_id)
                if found is not None:
                    found.pop(key, None)
                    if not found:
                        del self._listeners[session_id]

        return remove

    def link(self, contact_id: str, session_id: str) -> None:
        with self._lock:
            self._contacts[contact_id] = session_id

    def unlink(self, contact_id: str) -> None:
        with self._lock:
            self._contacts.pop(contact_id, None)

    def session_of(self, contact_id: str) -> str | None:
        with self._lock:
            return self._contacts.get(contact_id)

    def live(self, session_id: str) -> int:
        with self._lock:
            return len(self._listeners.get(session_id, ()))

    def live_sessions(self) -> list[str]:
        with self._lock:
            return list(self._listeners)

    def push(self, session_id: str, frame: dict[str, Any], skip: Push | None = None) -> int:
        """Send ``frame`` to the session's sockets (but ``skip``); return how many got it."""
        with self._lock:
            targets = [p for p in self._listeners.get(session_id, {}).values() if skip is None or p != skip]
        for push in targets:
            push(frame)
        return len(targets)
