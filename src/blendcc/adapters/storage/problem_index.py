"""The problem projections (SQL and memory halves): problem records and the contacts linked to them, and their
reader (``content_ports.ProblemReader``)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.engine import Engine

from blendcc.adapters.storage.problem_tables import problem_contacts as pc
from blendcc.adapters.storage.problem_tables import problems as pt
from blendcc.domain import problem_events as pe
from blendcc.domain.customer_events import CustomerErased, CustomerMerged, CustomerUnmerged
from blendcc.domain.events import Event
from blendcc.ports import StoredEvent

if TYPE_CHECKING:
    from blendcc.adapters.storage.projectors import MemoryTables, SqlTx

PROBLEMS = "problems"
LINKS = "problem_contacts"
_FIELDS = ("title", "status", "rules", "kb_article_id", "crisis_id", "workaround")


def _opened(s: StoredEvent) -> dict[str, Any]:
    e = s.event
    assert isinstance(e, pe.ProblemOpened)
    f = e.fields
    return {"problem_id": e.problem_id, "title": str(f.get("title", "")), "status": str(f.get("status", "open")),
            "rules": dict(f.get("rules") or {}), "kb_article_id": f.get("kb_article_id"),
            "crisis_id": f.get("crisis_id"), "workaround": str(f.get("workaround") or ""), "resolution": "",
            "opened_at": e.at, "opened_by": e.by, "updated_at": e.at, "resolved_at": None, "resolved_by": None,
            "closed_at": None, "seq": s.seq}


def _changes(e: Event) -> dict[str, Any]:
    """The columns a problem event (other than opened and links) sets."""
    if isinstance(e, pe.ProblemUpdated):
        out = {k: v for k, v in e.changes.items() if k in _FIELDS}
        if out.get("status") in ("open", "known_error"):
            out.update(resolved_at=None, resolved_by=None)
        return {**out, "updated_at": e.at}
    if isinstance(e, pe.ProblemResolved):
        return {"status": "resolved", "resolution": e.resolution, "resolved_at": e.at, "resolved_by": e.by,
                "updated_at": e.at}
    if isinstance(e, pe.ProblemClosed):
        return {"status": "closed", "closed_at": e.at, "updated_at": e.at}
    return {}


def _customer_moves(e: Event) -> tuple[list[str] | None, str | None, str | None]:
    """(contact ids or None for 'by customer', the customer id they had or None, the customer id they get) for a
    merge (contacts move to the target), an undone merge (back to the source) or an erasure (no customer)."""
    if isinstance(e, CustomerMerged):
        return list(e.contact_ids), None, e.customer_id
    if isinstance(e, CustomerUnmerged):
        return list(e.contact_ids), None, e.from_customer_id
    assert isinstance(e, CustomerErased)
    return None, e.customer_id, None


def _link(s: StoredEvent) -> dict[str, Any]:
    e = s.event
    assert isinstance(e, pe.ContactLinkedToProblem)
    return {"problem_id": e.problem_id, "contact_id": e.contact_id, "contact_at": e.contact_at,
            "customer_id": e.customer_id, "queue_id": e.queue_id, "channel": e.channel, "how": e.how,
            "reason": e.reason, "linked_at": e.at, "linked_by": e.by, "seq": s.seq}


class ProblemIndex:
    """``problems`` and ``problem_contacts``: ProblemOpened adds a record, ProblemUpdated/Resolved/Closed change
    it; ContactLinkedToProblem adds a link (a contact already linked keeps its first link), ContactUnlinkedFromProblem
    removes it. A customer merge moves its contacts' links to the target (an undone merge moves them back); an erased
    customer's links keep the contact, without the customer. Exports change nothing here (the list is the dialer's)."""

    name = PROBLEMS
    event_types: frozenset[type[Event]] = (frozenset(pe.PROBLEM_EVENT_TYPES) - {pe.ProblemCustomersExported}) | {
        CustomerMerged, CustomerUnmerged, CustomerErased}

    def apply_sql(self, tx: SqlTx, batch: Sequence[StoredEvent]) -> None:
        conn = tx.conn
        for s in batch:
            e = s.event
            if isinstance(e, CustomerMerged | CustomerUnmerged | CustomerErased):
                contacts, before, after = _customer_moves(e)
                where = pc.c.contact_id.in_(contacts) if contacts is not None else pc.c.customer_id == before
                conn.execute(update(pc).where(where).values(customer_id=after))
            elif isinstance(e, pe.ProblemOpened):
                conn.execute(tx.upsert(pt).values(**_opened(s)).on_conflict_do_nothing())
            elif isinstance(e, pe.ContactLinkedToProblem):
                conn.execute(tx.upsert(pc).values(**_link(s)).on_conflict_do_nothing())
            elif isinstance(e, pe.ContactUnlinkedFromProblem):
                conn.execute(delete(pc).where(pc.c.problem_id == e.problem_id, pc.c.contact_id == e.contact_id))
            elif isinstance(e, pe.ProblemEvent):
                conn.execute(update(pt).where(pt.c.problem_id == e.problem_id).values(**_changes(e)))

    def prepare_memory(self, tables: MemoryTables, batch: Sequence[StoredEvent]) -> Callable[[], None]:
        problems: dict[str, dict[str, Any]] = tables.extra.setdefault(PROBLEMS, {})
        links: dict[tuple[str, str], dict[str, Any]] = tables.extra.setdefault(LINKS, {})

        def write() -> None:
            for s in batch:
                e = s.event
                if isinstance(e, CustomerMerged | CustomerUnmerged | CustomerErased):
                    contacts, before, after = _customer_moves(e)
                    for row in links.values():
                        if (row["contact_id"] in contacts) if contacts is not None else row["customer_id"] == before:
                            row["customer_id"] = after
                elif isinstance(e, pe.ProblemOpened):
                    problems.setdefault(e.problem_id, _opened(s))
                elif isinstance(e, pe.ContactLinkedToProblem):
                    links.setdefault((e.problem_id, e.contact_id), _link(s))
                elif isinstance(e, pe.ContactUnlinkedFromProblem):
                    links.pop((e.problem_id, e.contact_id), None)
                elif isinstance(e, pe.ProblemEvent) and e.problem_id in problems:
                    problems[e.problem_id].update(_changes(e))

        return write


class SqlProblemReader:
    """Implements ``content_ports.ProblemReader`` on the SQL store's tables."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def problem(self, problem_id: str) -> dict[str, Any] | None:
        with self.engine.connect() as conn:
            r = conn.execute(select(pt).where(pt.c.problem_id == problem_id)).mappings().first()
        return dict(r) if r is not None else None

    def problems(self, status: str | None = None, crisis_id: str | None = None) -> list[dict[str, Any]]:
        q = select(pt)
        if status is not None:
            q = q.where(pt.c.status == status)
        if crisis_id is not None:
            q = q.where(pt.c.crisis_id == crisis_id)
        with self.engine.connect() as conn:
            rows = [dict(r) for r in conn.execute(q.order_by(pt.c.opened_at.desc(), pt.c.seq.desc())).mappings()]
            per = select(pc.c.problem_id, func.count()).group_by(pc.c.problem_id)
            counts: dict[str, int] = {str(k): int(n) for k, n in conn.execute(per).all()}
        return [{**r, "contacts": int(counts.get(r["problem_id"], 0))} for r in rows]

    def links(self, problem_id: str, start: float | None = None, end: float | None = None,
              limit: int | None = None, offset: int = 0) -> list[dict[str, Any]]:
        q = select(pc).where(pc.c.problem_id == problem_id)
        if start is not None:
            q = q.where(pc.c.contact_at >= start)
        if end is not None:
            q = q.where(pc.c.contact_at < end)
        q = q.order_by(pc.c.contact_at.desc(), pc.c.contact_id).offset(offset)
        if limit is not None:
            q = q.limit(limit)
        with self.engine.connect() as conn:
            return [dict(r) for r in conn.execute(q).mappings()]

    def count(self, problem_id: str) -> int:
        with self.engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(pc).where(pc.c.problem_id == problem_id))
                       .scalar_one())

    def problems_of_contact(self, contact_id: str) -> list[str]:
        with self.engine.connect() as conn:
            return sorted(conn.execute(select(pc.c.problem_id).where(pc.c.contact_id == contact_id)).scalars())


class MemoryProblemReader:
    """Implements ``content_ports.ProblemReader`` on a ``MemoryStore``'s tables (same rows, same order)."""

    def __init__(self, store: Any) -> None:
        self.store = store

    def _tables(self) -> tuple[dict[str, dict[str, Any]], dict[tuple[str, str], dict[str, Any]]]:
        extra = self.store._t.extra
        return extra.get(PROBLEMS, {}), extra.get(LINKS, {})

    def problem(self, problem_id: str) -> dict[str, Any] | None:
        with self.store._lock:
            row = self._tables()[0].get(problem_id)
            return dict(row) if row is not None else None

    def problems(self, status: str | None = None, crisis_id: str | None = None) -> list[dict[str, Any]]:
        with self.store._lock:
            problems, links = self._tables()
            counts: dict[str, int] = {}
            for pid, _cid in links:
                counts[pid] = counts.get(pid, 0) + 1
            rows = [{**r, "contacts": counts.get(r["problem_id"], 0)} for r in problems.values()
                    if (status is None or r["status"] == status) and (crisis_id is None or r["crisis_id"] == crisis_id)]
        return sorted(rows, key=lambda r: (-r["opened_at"], -r["seq"]))

    def links(self, problem_id: str, start: float | None = None, end: float | None = None,
              limit: int | None = None, offset: int = 0) -> list[dict[str, Any]]:
        with self.store._lock:
            rows = [dict(r) for (pid, _c), r in self._tables()[1].items() if pid == problem_id
                    and (start is None or r["contact_at"] >= start) and (end is None or r["contact_at"] < end)]
        rows.sort(key=lambda r: (-r["contact_at"], r["contact_id"]))
        return rows[offset:] if limit is None else rows[offset:offset + limit]

    def count(self, problem_id: str) -> int:
        with self.store._lock:
            return sum(1 for pid, _c in self._tables()[1] if pid == problem_id)

    def problems_of_contact(self, contact_id: str) -> list[str]:
        with self.store._lock:
            return sorted(pid for pid, cid in self._tables()[1] if cid == contact_id)
