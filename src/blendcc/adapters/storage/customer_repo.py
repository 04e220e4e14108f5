"""Customer repository parts beyond the profile: tags, merge/erasure status (SQL), and the memory twin's
merge, undo and erasure folding."""

from __future__ import annotations

import builtins
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.engine import Connection, Engine

from blendcc.adapters.storage import tables as t
from blendcc.adapters.storage.customer_tables import customer_status, customer_tags
from blendcc.domain.errors import NotFound


def customer_extras(conn: Connection, customer_id: str) -> dict[str, Any]:
    """Tags (sorted), ``merged_into`` / ``merge_id`` (set while merged into another) and ``erased_at``."""
    tags = sorted(conn.execute(select(customer_tags.c.tag).where(customer_tags.c.customer_id == customer_id))
                  .scalars())
    st = conn.execute(select(customer_status).where(customer_status.c.customer_id == customer_id)).mappings().first()
    return {"tags": tags, "merged_into": st["merged_into"] if st else None,
            "merge_id": st["merge_id"] if st else None, "erased_at": st["erased_at"] if st else None}


class SqlCustomerTags:
    """Tag writes and reads of ``SqlCustomerRepository`` (mixed in; needs ``engine``, ``_writer``, ``_load``)."""

    engine: Engine
    _writer: Engine

    _load: Callable[[Connection, str], dict[str, Any] | None]

    def change_tags(self, customer_id: str, add: Iterable[str], remove: Iterable[str]) -> Mapping[str, Any]:
        adding, removing = list(dict.fromkeys(add)), list(dict.fromkeys(remove))
        with self._writer.begin() as conn:
            if conn.execute(select(t.customers.c.id).where(t.customers.c.id == customer_id)).first() is None:
                raise NotFound(f"customer {customer_id} does not exist")
            have = set(conn.execute(select(customer_tags.c.tag).where(customer_tags.c.customer_id == customer_id))
                       .scalars())
            new = [{"customer_id": customer_id, "tag": tag} for tag in adding if tag not in have]
            if new:
                conn.execute(customer_tags.insert(), new)
            if removing:
                conn.execute(delete(customer_tags).where(customer_tags.c.customer_id == customer_id,
                                                         customer_tags.c.tag.in_(removing)))
            found = self._load(conn, customer_id)
        assert found is not None
        return found

    def with_tag(self, tag: str, limit: int = 100, offset: int = 0) -> builtins.list[Mapping[str, Any]]:
        q = (select(customer_tags.c.customer_id).where(customer_tags.c.tag == tag)
             .order_by(customer_tags.c.customer_id).limit(limit).offset(offset))
        with self.engine.connect() as conn:
            out = [self._load(conn, cid) for cid in conn.execute(q).scalars()]
        return [c for c in out if c is not None]


class MemoryCustomerExtras:
    """Tags, status and the merge/undo/erase folding of ``MemoryCustomerRepository`` (mixed in)."""

    _customers: dict[str, dict[str, Any]]
    _identities: dict[tuple[str, str], str]
    _lock: Any

    _view: Callable[[str], dict[str, Any] | None]

    def _entry(self, customer_id: str) -> dict[str, Any]:
        c = self._customers.get(customer_id)
        if c is None:
            raise NotFound(f"customer {customer_id} does not exist")
        c.setdefault("tags", [])
        return c

    def change_tags(self, customer_id: str, add: Iterable[str], remove: Iterable[str]) -> Mapping[str, Any]:
        with self._lock:
            c = self._entry(customer_id)
            gone = set(remove)
            c["tags"] = sorted({*c["tags"], *add} - gone)
            view = self._view(customer_id)
            assert view is not None
            return view

    def with_tag(self, tag: str, limit: int = 100, offset: int = 0) -> builtins.list[Mapping[str, Any]]:
        with self._lock:
            ids = sorted(cid for cid, c in self._customers.items() if tag in c.get("tags", ()))
            views = [self._view(cid) for cid in ids[offset:offset + limit]]
            return [v for v in views if v is not None]

    def apply_merge(self, e: Any) -> None:
        from blendcc.adapters.storage.customer_projection import merged_fields

        with self._lock:
            for kind, value in e.identities:
                if self._identities.get((kind, value)) == e.from_customer_id:
                    self._identities[(kind, value)] = e.customer_id
            target = self._customers.get(e.customer_id)
            if target is not None:
                target["fields"] = merged_fields(target["fields"], e)
                if e.name_set is not None:
                    target["name"] = e.name_set
                target["tags"] = sorted({*target.get("tags", ()), *e.tags_added})
            source = self._customers.get(e.from_customer_id)
            if source is not None:
                source.update(merged_into=e.customer_id, merge_id=e.merge_id)

    def apply_unmerge(self, e: Any) -> None:
        from blendcc.adapters.storage.customer_projection import unmerged_fields

        with self._lock:
            for kind, value in e.identities:
                if self._identities.get((kind, value)) == e.customer_id:
                    self._identities[(kind, value)] = e.from_customer_id
            target = self._customers.get(e.customer_id)
            if target is not None:
                target["fields"] = unmerged_fields(target["fields"], e)
                if e.name_restored is not None:
                    target["name"] = e.name_restored
                target["tags"] = sorted(set(target.get("tags", ())) - set(e.tags_removed))
            source = self._customers.get(e.from_customer_id)
            if source is not None:
                source.update(merged_into=None, merge_id=None)

    def apply_erase(self, customer_id: str, at: float) -> None:
        with self._lock:
            for key in [k for k, owner in self._identities.items() if owner == customer_id]:
                del self._identities[key]
            c = self._customers.get(customer_id)
            if c is not None:
                c.update(name="", fields={}, tags=[], merged_into=None, merge_id=None, erased_at=at)
