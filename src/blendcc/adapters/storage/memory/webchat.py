"""Web-chat sessions in memory (``ports.WebchatSessionRepository``): the simulator's and the tests'."""

from __future__ import annotations

import threading

from blendcc.domain.errors import InvalidState, NotFound
from blendcc.domain.webchat import ChatSession


class MemoryWebchatSessions:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_id: dict[str, ChatSession] = {}

    def create(self, session: ChatSession) -> None:
        with self._lock:
            if session.id in self._by_id:
                raise InvalidState(f"web-chat session {session.id} exists")
            self._by_id[session.id] = session

    def get(self, session_id: str) -> ChatSession | None:
        with self._lock:
            return self._by_id.get(session_id)

    def put(self, session: ChatSession) -> None:
        with self._lock:
            if session.id not in self._by_id:
                raise NotFound(f"web-chat session {session.id} does not exist")
            self._by_id[session.id] = session

    def by_contact(self, contact_id: str) -> ChatSession | None:
        with self._lock:
            found = [s for s in self._by_id.values() if s.contact_id == contact_id]
        return max(found, key=lambda s: s.created_at) if found else None

    def purge(self, before: float) -> int:
        with self._lock:
            gone = [k for k, s in self._by_id.items() if s.expires_at < before]
            for k in gone:
                del self._by_id[k]
            return len(gone)
