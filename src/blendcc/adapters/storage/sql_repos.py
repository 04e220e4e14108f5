"""SQL repositories: versioned configuration documents, customers with identities, users, meta values."""

from __future__ import annotations

import builtins
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import Engine, delete, func, select, text, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from blendcc.adapters.storage import tables as t
from blendcc.adapters.storage.common import CUSTOMER_UPDATABLE, identity_key, json_copy
from blendcc.adapters.storage.customer_repo import SqlCustomerTags, customer_extras
from blendcc.adapters.storage.engine import writer
from blendcc.domain.errors import InvalidState, NotFound, ValidationFailed
from blendcc.domain.usernames import username_key
from blendcc.ports import ConfigDocument, User


def _insert_ignore(conn: Connection, table: Any, row: dict[str, Any], keys: list[str]) -> None:
    ins = postgresql.insert(table) if conn.dialect.name == "postgresql" else sqlite.insert(table)
    conn.execute(ins.on_conflict_do_nothing(index_elements=keys), row)


def _upsert(conn: Connection, table: Any, row: dict[str, Any], keys: list[str]) -> None:
    ins = postgresql.insert(table) if conn.dialect.name == "postgresql" else sqlite.insert(table)
    set_ = {c: ins.excluded[c] for c in row if c not in keys}
    conn.execute(ins.on_conflict_do_update(index_elements=keys, set_=set_), row)


# ---------------------------------------------------------------------- configuration


def _doc(r: Mapping[Any, Any]) -> ConfigDocument:
    return ConfigDocument(kind=r["kind"], id=r["id"], version=int(r["version"]), body=r["body"],
                          at=float(r["at"]), by=r["by"], deleted=bool(r["deleted"]))


class SqlConfigRepository:
    """Append-only versioned documents: every put or delete adds version n+1 of (kind, id)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._writer = writer(engine)

    def put(self, kind: str, doc_id: str, body: Mapping[str, Any], at: float, by: str | None) -> ConfigDocument:
        return self._add_version(kind, doc_id, json_copy(dict(body)), at, by, deleted=False)

    def delete(self, kind: str, doc_id: str, at: float, by: str | None) -> ConfigDocument:
        return self._add_version(kind, doc_id, None, at, by, deleted=True)

    def put_many(self, kind: str, docs: Sequence[tuple[str, Mapping[str, Any]]], at: float,
                 by: str | None) -> list[ConfigDocument]:
        with self._writer.begin() as conn:
            return [self._insert_version(conn, kind, doc_id, json_copy(dict(body)), at, by, deleted=False)
                    for doc_id, body in docs]

    def _add_version(self, kind: str, doc_id: str, body: dict[str, Any] | None, at: float, by: str | None,
                     *, deleted: bool) -> ConfigDocument:
        with self._writer.begin() as conn:
            return self._insert_version(conn, kind, doc_id, body, at, by, deleted=deleted)

    @staticmethod
    def _insert_version(conn: Connection, kind: str, doc_id: str, body: dict[str, Any] | None, at: float,
                        by: str | None, *, deleted: bool) -> ConfigDocument:
        cd = t.config_documents
        if conn.dialect.name == "postgresql":  # serialise writers of this document (SQLite: BEGIN IMMEDIATE)
            conn.execute(text("SELECT pg_advisory_xact_lock(hashtext(:key))"),
                         {"key": f"blendcc.config:{kind}/{doc_id}"})
        latest = conn.execute(select(cd).where(cd.c.kind == kind, cd.c.id == doc_id)
                              .order_by(cd.c.version.desc()).limit(1)).mappings().first()
        if deleted:
            if latest is None or latest["deleted"]:
                raise NotFound(f"{kind} {doc_id!r} not found")
            body = latest["body"]  # the deleted version keeps the last content
        row = {"kind": kind, "id": doc_id, "version": (latest["version"] if latest else 0) + 1,
               "body": body, "at": at, "by": by, "deleted": deleted}
        conn.execute(cd.insert(), row)
        return _doc(row)

    def _latest(self, kind: str, doc_id: str | None = None) -> Any:
        cd = t.config_documents
        newest = (select(cd.c.id, func.max(cd.c.version).label("version")).where(cd.c.kind == kind)
                  .group_by(cd.c.id).subquery())
        q = select(cd).join(newest, (cd.c.id == newest.c.id) & (cd.c.version == newest.c.version))
        q = q.where(cd.c.kind == kind, cd.c.deleted.is_(False))
        if doc_id is not None:
            q = q.where(cd.c.id == doc_id)
        return q.order_by(cd.c.id)

    def get(self, kind: str, doc_id: str) -> ConfigDocument | None:
        with self.engine.connect() as conn:
            r = conn.execute(self._latest(kind, doc_id)).mappings().first()
        return _doc(r) if r is not None else None

    def list(self, kind: str) -> list[ConfigDocument]:
        with self.engine.connect() as conn:
            return [_doc(r) for r in conn.execute(self._latest(kind)).mappings()]

    def history(self, kind: str, doc_id: str) -> builtins.list[ConfigDocument]:
        cd = t.config_documents
        q = select(cd).where(cd.c.kind == kind, cd.c.id == doc_id).order_by(cd.c.version)
        with self.engine.connect() as conn:
            return [_doc(r) for r in conn.execute(q).mappings()]


# ---------------------------------------------------------------------- customers


class SqlCustomerRepository(SqlCustomerTags):
    """Customers as plain mappings: id, name, tier, fields, created_at, last_agent_id,
    last_contact_at and identities (sorted (kind, value) pairs)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._writer = writer(engine)

    def _load(self, conn: Connection, customer_id: str) -> dict[str, Any] | None:
        c, ci = t.customers, t.customer_identities
        r = conn.execute(select(c).where(c.c.id == customer_id)).mappings().first()
        if r is None:
            return None
        ids = conn.execute(select(ci.c.kind, ci.c.value).where(ci.c.customer_id == customer_id)
                           .order_by(ci.c.kind, ci.c.value)).all()
        return {**dict(r), "identities": [(k, v) for k, v in ids], **customer_extras(conn, customer_id)}

    def find_by_identity(self, kind: str, value: str) -> Mapping[str, Any] | None:
        ci = t.customer_identities
        key_kind, key_value = identity_key(kind, value)
        with self.engine.connect() as conn:
            cid = conn.execute(select(ci.c.customer_id)
                               .where(ci.c.kind == key_kind, ci.c.value == key_value)).scalar()
            return self._load(conn, cid) if cid is not None else None

    def get(self, customer_id: str) -> Mapping[str, Any] | None:
        with self.engine.connect() as conn:
            return self._load(conn, customer_id)

    def create(self, customer_id: str, identities: Iterable[tuple[str, str]], tier: str, name: str,
               fields: Mapping[str, Any], at: float) -> Mapping[str, Any]:
        keys = sorted({identity_key(k, v) for k, v in identities})
        ci = t.customer_identities
        try:
            with self._writer.begin() as conn:
                if conn.execute(select(t.customers.c.id).where(t.customers.c.id == customer_id)).first():
                    raise InvalidState(f"customer {customer_id} already exists")
                for kind, value in keys:
                    owner = conn.execute(select(ci.c.customer_id)
                                         .where(ci.c.kind == kind, ci.c.value == value)).scalar()
                    if owner is not None:
                        raise InvalidState(f"identity {kind}:{value} already belongs to customer {owner}")
                conn.execute(t.customers.insert(), {
                    "id": customer_id, "name": name, "tier": tier, "fields": json_copy(dict(fields)),
                    "created_at": at, "last_agent_id": None, "last_contact_at": None})
                if keys:
                    conn.execute(ci.insert(), [{"kind": k, "value": v, "customer_id": customer_id}
                                               for k, v in keys])
                created = self._load(conn, customer_id)
        except IntegrityError as exc:
            raise InvalidState(f"customer {customer_id} or one of its identities already exists") from exc
        assert created is not None
        return created

    def update(self, customer_id: str, changes: Mapping[str, Any]) -> Mapping[str, Any] | None:
        unknown = set(changes) - CUSTOMER_UPDATABLE
        if unknown:
            raise ValidationFailed(f"cannot update customer fields {sorted(unknown)}")
        values = dict(changes)
        if "fields" in values:
            values["fields"] = json_copy(dict(values["fields"]))
        with self._writer.begin() as conn:
            if values:
                conn.execute(update(t.customers).where(t.customers.c.id == customer_id).values(values))
            return self._load(conn, customer_id)

    def add_identity(self, customer_id: str, kind: str, value: str) -> None:
        key_kind, key_value = identity_key(kind, value)
        ci = t.customer_identities
        with self._writer.begin() as conn:
            if conn.execute(select(t.customers.c.id).where(t.customers.c.id == customer_id)).first() is None:
                raise NotFound(f"customer {customer_id} not found")
            owner = conn.execute(select(ci.c.customer_id)
                                 .where(ci.c.kind == key_kind, ci.c.value == key_value)).scalar()
            if owner == customer_id:
                return
            if owner is not None:
                raise InvalidState(f"identity {key_kind}:{key_value} already belongs to customer {owner}")
            conn.execute(ci.insert(), {"kind": key_kind, "value": key_value, "customer_id": customer_id})


# ---------------------------------------------------------------------- users and meta


class SqlUserRepository:
    """Users, found by exact name first, else case-insensitively by their username key."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._writer = writer(engine)

    def get(self, username: str) -> User | None:
        u = t.users
        with self.engine.connect() as conn:
            r = conn.execute(select(u).where(u.c.username == username)).mappings().first()
            if r is None:
                r = conn.execute(select(u).where(u.c.username_key == username_key(username))).mappings().first()
        return _user(r) if r else None

    def put(self, user: User) -> None:
        row = {"username": user.username, "role": user.role, "agent_id": user.agent_id,
               "password_hash": user.password_hash, "active": user.active, "totp_secret": user.totp_secret,
               "totp_confirmed": user.totp_confirmed, "totp_last_step": user.totp_last_step,
               "expires_at": user.expires_at, "email": user.email, "phone": user.phone}
        u = t.users
        try:
            with self._writer.begin() as conn:
                existing = conn.execute(select(u.c.username_key).where(u.c.username == user.username)).scalar()
                _upsert(conn, u, {**row, "username_key": existing or username_key(user.username)}, ["username"])
        except IntegrityError as exc:
            raise InvalidState(f"a user named like {user.username!r} already exists") from exc

    def list(self) -> list[User]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(t.users).order_by(t.users.c.username)).mappings().all()
        return [_user(r) for r in rows]

    def delete(self, username: str) -> bool:
        with self._writer.begin() as conn:
            return conn.execute(delete(t.users).where(t.users.c.username == username)).rowcount > 0


def _user(r: Mapping[Any, Any]) -> User:
    return User(r["username"], r["role"], r["agent_id"], r["password_hash"], active=bool(r["active"]),
                totp_secret=r["totp_secret"], totp_confirmed=bool(r["totp_confirmed"]),
                totp_last_step=int(r["totp_last_step"]), expires_at=r["expires_at"], email=r["email"],
                phone=r["phone"])


class SqlMeta:
    """Small key/value settings owned by the deployment (e.g. the auth signing secret)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._writer = writer(engine)

    def get_meta(self, key: str) -> str | None:
        with self.engine.connect() as conn:
            return conn.execute(select(t.meta.c.value).where(t.meta.c.key == key)).scalar()

    def set_meta(self, key: str, value: str) -> None:
        with self._writer.begin() as conn:
            _upsert(conn, t.meta, {"key": key, "value": value}, ["key"])

    def setdefault_meta(self, key: str, value: str) -> str:
        """Store ``value`` unless ``key`` is set; return the stored value (first writer wins)."""
        with self._writer.begin() as conn:
            _insert_ignore(conn, t.meta, {"key": key, "value": value}, ["key"])
            return str(conn.execute(select(t.meta.c.value).where(t.meta.c.key == key)).scalar_one())
