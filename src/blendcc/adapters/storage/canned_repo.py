"""Canned responses in SQL (SQLite and PostgreSQL): ``ports.CannedRepository``."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, delete, select
from sqlalchemy.exc import IntegrityError

from blendcc.adapters.storage.canned_tables import canned_responses as t
from blendcc.adapters.storage.engine import writer
from blendcc.adapters.storage.sql_repos import _upsert
from blendcc.domain.canned import CannedResponse
from blendcc.domain.errors import InvalidState


def _row(r: CannedResponse) -> dict[str, Any]:
    return r.model_dump()


class SqlCannedRepository:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._writer = writer(engine)

    def get(self, response_id: str) -> CannedResponse | None:
        with self.engine.connect() as conn:
            r = conn.execute(select(t).where(t.c.id == response_id)).mappings().first()
        return CannedResponse.model_validate(dict(r)) if r is not None else None

    def list(self) -> list[CannedResponse]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(t).order_by(t.c.scope, t.c.owner, t.c.shortcut, t.c.id)).mappings().all()
        return [CannedResponse.model_validate(dict(r)) for r in rows]

    def put(self, response: CannedResponse) -> None:
        try:
            with self._writer.begin() as conn:
                _upsert(conn, t, _row(response), ["id"])
        except IntegrityError as exc:
            raise InvalidState(f"/{response.shortcut} is already a canned response of {response.scope} "
                               f"{response.owner}") from exc

    def delete(self, response_id: str) -> bool:
        with self._writer.begin() as conn:
            return conn.execute(delete(t).where(t.c.id == response_id)).rowcount > 0
