"""In-memory fakes of the auth ports: login sessions and the audit log (what the SQL adapters do)."""

from __future__ import annotations

import builtins
import dataclasses
import threading

from blendcc.ports import AuditEvent, AuthSession


class MemorySessionRepository:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._sessions: dict[str, AuthSession] = {}

    def create(self, session: AuthSession) -> None:
        with self._lock:
            self._sessions[session.id] = session

    def get(self, session_id: str) -> AuthSession | None:
        with self._lock:
            return self._sessions.get(session_id)

    def rotate(self, session_id: str, old_hash: str, new_hash: str) -> bool:
        with self._lock:
            s = self._sessions.get(session_id)
            if s is None or s.revoked_at is not None or s.refresh_hash != old_hash:
                return False
            self._sessions[session_id] = dataclasses.replace(s, refresh_hash=new_hash)
            return True

    def revoke(self, session_id: str, at: float) -> bool:
        with self._lock:
            s = self._sessions.get(session_id)
            if s is None or s.revoked_at is not None:
                return False
            self._sessions[session_id] = dataclasses.replace(s, revoked_at=at)
            return True

    def revoke_user(self, username: str, at: float) -> int:
        with self._lock:
            live = [s for s in self._sessions.values() if s.username == username and s.revoked_at is None]
            for s in live:
                self._sessions[s.id] = dataclasses.replace(s, revoked_at=at)
            return len(live)

    def purge(self, before: float) -> int:
        with self._lock:
            old = [s.id for s in self._sessions.values()
                   if s.expires_at < before or (s.revoked_at is not None and s.revoked_at < before)]
            for sid in old:
                del self._sessions[sid]
            return len(old)


class MemoryAuditLog:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._events: list[AuditEvent] = []

    def record(self, event: AuditEvent) -> None:
        with self._lock:
            self._events.append(event)

    def query(self, *, actor: str | None = None, action: str | None = None, target: str | None = None,
              since: float | None = None, until: float | None = None, limit: int = 100,
              offset: int = 0) -> builtins.list[AuditEvent]:
        with self._lock:
            found = [e for e in reversed(self._events)
                     if (actor is None or e.actor == actor) and (action is None or e.action == action)
                     and (target is None or e.target == target) and (since is None or e.at >= since)
                     and (until is None or e.at < until)]
        return found[offset:offset + limit]
