"""Agent phones' SIP registrations in SQL (SQLite and PostgreSQL): ``ports.PhoneBindings``."""

from __future__ import annotations

from sqlalchemy import Engine, delete, select

from blendcc.adapters.storage.engine import writer
from blendcc.adapters.storage.registration_tables import sip_registrations as t
from blendcc.adapters.storage.sql_repos import _upsert
from blendcc.state_ports import PhoneBinding


class SqlPhoneBindings:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._writer = writer(engine)

    def save(self, binding: PhoneBinding) -> None:
        row = {"username": binding.user, "contact": binding.contact, "host": binding.host, "port": binding.port,
               "expires_at": binding.expires_at}
        with self._writer.begin() as conn:
            _upsert(conn, t, row, ["username"])

    def remove(self, user: str) -> None:
        with self._writer.begin() as conn:
            conn.execute(delete(t).where(t.c.username == user))

    def active(self, now: float) -> list[PhoneBinding]:
        with self._writer.begin() as conn:
            conn.execute(delete(t).where(t.c.expires_at <= now))
            rows = conn.execute(select(t).order_by(t.c.username)).mappings().all()
        return [PhoneBinding(r["username"], r["contact"], r["host"], int(r["port"]), float(r["expires_at"]))
                for r in rows]
