"""SQL adapters of the auth ports: login sessions (hashed refresh tokens) and the audit log."""

from __future__ import annotations

import builtins
from collections.abc import Mapping
from typing import Any

from sqlalchemy import Engine, delete, or_, select, update

from blendcc.adapters.storage import tables as t
from blendcc.adapters.storage.common import json_copy
from blendcc.adapters.storage.engine import writer
from blendcc.ports import AuditEvent, AuthSession


def _session(r: Mapping[Any, Any]) -> AuthSession:
    return AuthSession(id=r["id"], username=r["username"], created_at=float(r["created_at"]),
                       expires_at=float(r["expires_at"]), refresh_hash=r["refresh_hash"],
                       revoked_at=None if r["revoked_at"] is None else float(r["revoked_at"]))


class SqlSessionRepository:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._writer = writer(engine)

    def create(self, session: AuthSession) -> None:
        with self._writer.begin() as conn:
            conn.execute(t.auth_sessions.insert(), {
                "id": session.id, "username": session.username, "created_at": session.created_at,
                "expires_at": session.expires_at, "refresh_hash": session.refresh_hash,
                "revoked_at": session.revoked_at})

    def get(self, session_id: str) -> AuthSession | None:
        s = t.auth_sessions
        with self.engine.connect() as conn:
            r = conn.execute(select(s).where(s.c.id == session_id)).mappings().first()
        return _session(r) if r else None

    def rotate(self, session_id: str, old_hash: str, new_hash: str) -> bool:
        s = t.auth_sessions
        with self._writer.begin() as conn:
            done = conn.execute(update(s).where(s.c.id == session_id, s.c.refresh_hash == old_hash,
                                                s.c.revoked_at.is_(None)).values(refresh_hash=new_hash))
            return done.rowcount == 1

    def revoke(self, session_id: str, at: float) -> bool:
        s = t.auth_sessions
        with self._writer.begin() as conn:
            done = conn.execute(update(s).where(s.c.id == session_id, s.c.revoked_at.is_(None))
                                .values(revoked_at=at))
            return done.rowcount == 1

    def revoke_user(self, username: str, at: float) -> int:
        s = t.auth_sessions
        with self._writer.begin() as conn:
            done = conn.execute(update(s).where(s.c.username == username, s.c.revoked_at.is_(None))
                                .values(revoked_at=at))
            return int(done.rowcount)

    def purge(self, before: float) -> int:
        s = t.auth_sessions
        with self._writer.begin() as conn:
            done = conn.execute(delete(s).where(or_(s.c.expires_at < before, s.c.revoked_at < before)))
            return int(done.rowcount)


class SqlAuditLog:
    """The audit_log table: append-only, read newest first."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._writer = writer(engine)

    def record(self, event: AuditEvent) -> None:
        with self._writer.begin() as conn:
            conn.execute(t.audit_log.insert(), {
                "at": event.at, "actor": event.actor, "action": event.action, "target": event.target,
                "detail": json_copy(dict(event.detail)), "client": event.client})

    def query(self, *, actor: str | None = None, action: str | None = None, target: str | None = None,
              since: float | None = None, until: float | None = None, limit: int = 100,
              offset: int = 0) -> builtins.list[AuditEvent]:
        a = t.audit_log
        q = select(a)
        for column, value in ((a.c.actor, actor), (a.c.action, action), (a.c.target, target)):
            if value is not None:
                q = q.where(column == value)
        if since is not None:
            q = q.where(a.c.at >= since)
        if until is not None:
            q = q.where(a.c.at < until)
        q = q.order_by(a.c.seq.desc()).limit(limit).offset(offset)
        with self.engine.connect() as conn:
            return [AuditEvent(actor=r["actor"], action=r["action"], target=r["target"], detail=r["detail"],
                               at=float(r["at"]), client=r["client"]) for r in conn.execute(q).mappings()]
