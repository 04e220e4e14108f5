"""Web-chat sessions in SQL (``ports.WebchatSessionRepository``): SQLite and PostgreSQL."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from sqlalchemy import Engine, delete, select, update

from blendcc.adapters.storage.engine import writer
from blendcc.adapters.storage.webchat_tables import webchat_sessions as w
from blendcc.domain.errors import NotFound
from blendcc.domain.webchat import ChatSession

_FIELDS = tuple(f.name for f in dataclasses.fields(ChatSession))


def _row(session: ChatSession) -> dict[str, Any]:
    return {name: getattr(session, name) for name in _FIELDS}


def _session(row: Mapping[str, Any] | Any) -> ChatSession:
    values = {name: row[name] for name in _FIELDS}
    values["rated"] = bool(values["rated"])
    values["extra"] = dict(values["extra"] or {})
    return ChatSession(**values)


class SqlWebchatSessions:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._writer = writer(engine)

    def create(self, session: ChatSession) -> None:
        with self._writer.begin() as conn:
            conn.execute(w.insert(), _row(session))

    def get(self, session_id: str) -> ChatSession | None:
        with self.engine.connect() as conn:
            r = conn.execute(select(w).where(w.c.id == session_id)).mappings().first()
        return _session(r) if r else None

    def put(self, session: ChatSession) -> None:
        values = _row(session)
        del values["id"]
        with self._writer.begin() as conn:
            done = conn.execute(update(w).where(w.c.id == session.id).values(**values))
            if done.rowcount != 1:
                raise NotFound(f"web-chat session {session.id} does not exist")

    def by_contact(self, contact_id: str) -> ChatSession | None:
        with self.engine.connect() as conn:
            r = conn.execute(select(w).where(w.c.contact_id == contact_id)
                             .order_by(w.c.created_at.desc())).mappings().first()
        return _session(r) if r else None

    def purge(self, before: float) -> int:
        with self._writer.begin() as conn:
            return int(conn.execute(delete(w).where(w.c.expires_at < before)).rowcount)
