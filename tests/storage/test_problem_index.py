"""The problem projections on every backend (memory, SQLite, PostgreSQL): records, links, reads back."""

from __future__ import annotations

from typing import Any

from storage_backend import Backend

from blendcc.adapters.storage.problem_index import MemoryProblemReader, SqlProblemReader
from blendcc.domain import problem_events as pe
from blendcc.domain.customer_events import CustomerErased, CustomerMerged, CustomerUnmerged

T = 1_800_000_000.0
RULES = {"dispositions": ["outage"], "phrases": [], "queues": [], "channels": [], "since": None}


def reader(backend: Backend, store: Any) -> Any:
    return MemoryProblemReader(store) if backend.engine is None else SqlProblemReader(backend.engine)


def opened(pid: str, at: float, **fields: Any) -> pe.ProblemOpened:
    return pe.ProblemOpened(at=at, problem_id=pid, by="sup", fields={
        "title": f"title {pid}", "status": "open", "rules": RULES, "kb_article_id": None, "crisis_id": None,
        "workaround": "", **fields})


def link(pid: str, cid: str, at: float, customer: str | None = None, how: str = "auto") -> pe.ContactLinkedToProblem:
    return pe.ContactLinkedToProblem(at=at + 5, problem_id=pid, contact_id=cid, contact_at=at, customer_id=customer,
                                     queue_id="sales", channel="voice", how=how, reason="disposition:outage")


def test_records_and_their_changes(backend: Backend, store: Any) -> None:
    r = reader(backend, store)
    store.append([opened("p1", T, crisis_id="cr1"), opened("p2", T + 10)])
    store.append([pe.ProblemUpdated(at=T + 20, problem_id="p1", by="sup",
                                    changes={"status": "known_error", "workaround": "restart the router",
                                             "kb_article_id": "router-reset", "ignored": 1})])
    p1 = r.problem("p1")
    assert p1 is not None and p1["status"] == "known_error" and p1["workaround"] == "restart the router"
    assert p1["kb_article_id"] == "router-reset" and p1["crisis_id"] == "cr1" and p1["updated_at"] == T + 20
    assert p1["rules"] == RULES and p1["opened_by"] == "sup" and p1["resolution"] == ""
    store.append([pe.ProblemResolved(at=T + 30, problem_id="p1", resolution="firmware fixed", by="lead")])
    p1 = r.problem("p1")
    assert (p1["status"], p1["resolution"], p1["resolved_at"], p1["resolved_by"]) == (
        "resolved", "firmware fixed", T + 30, "lead")
    store.append([pe.ProblemClosed(at=T + 40, problem_id="p1")])
    assert r.problem("p1")["status"] == "closed" and r.problem("p1")["closed_at"] == T + 40
    assert r.problem("nope") is None
    assert [p["problem_id"] for p in r.problems()] == ["p2", "p1"]  # newest first
    assert [p["problem_id"] for p in r.problems(status="open")] == ["p2"]
    assert [p["problem_id"] for p in r.problems(crisis_id="cr1")] == ["p1"]


def test_links_first_wins_unlink_and_counts(backend: Backend, store: Any) -> None:
    r = reader(backend, store)
    store.append([opened("p1", T), opened("p2", T)])
    store.append([link("p1", "c1", T + 100, "cu1"), link("p1", "c2", T + 200, "cu2"), link("p2", "c1", T + 100)])
    store.append([link("p1", "c1", T + 100, "cu9", how="manual")])  # linked again: the first link stays
    rows = r.links("p1")
    assert [x["contact_id"] for x in rows] == ["c2", "c1"]  # newest contact first
    assert rows[1]["customer_id"] == "cu1" and rows[1]["how"] == "auto" and rows[1]["linked_at"] == T + 105
    assert r.count("p1") == 2 and r.count("p2") == 1
    assert {p["problem_id"]: p["contacts"] for p in r.problems()} == {"p1": 2, "p2": 1}
    assert r.problems_of_contact("c1") == ["p1", "p2"]
    assert [x["contact_id"] for x in r.links("p1", start=T + 150)] == ["c2"]
    assert [x["contact_id"] for x in r.links("p1", end=T + 150)] == ["c1"]
    assert [x["contact_id"] for x in r.links("p1", limit=1, offset=1)] == ["c1"]
    store.append([pe.ContactUnlinkedFromProblem(at=T + 300, problem_id="p1", contact_id="c1", by="sup")])
    assert r.count("p1") == 1 and r.problems_of_contact("c1") == ["p2"]
    # the events are in the log, in order (the projection is rebuilt from them)
    kinds = [s.event.type for s in store.events_of_type(("ProblemOpened", "ContactLinkedToProblem",
                                                          "ContactUnlinkedFromProblem"))]
    assert kinds.count("ContactLinkedToProblem") == 4 and kinds[-1] == "ContactUnlinkedFromProblem"


def test_customer_merge_undo_and_erasure_follow_the_links(backend: Backend, store: Any) -> None:
    r = reader(backend, store)
    store.append([opened("p1", T), link("p1", "c1", T + 1, "cu-a"), link("p1", "c2", T + 2, "cu-b"),
                  link("p1", "c3", T + 3, "cu-c")])
    store.append([CustomerMerged(at=T + 10, customer_id="cu-a", merge_id="m1", from_customer_id="cu-b",
                                 contact_ids=("c2",))])
    assert {x["contact_id"]: x["customer_id"] for x in r.links("p1")} == {"c1": "cu-a", "c2": "cu-a", "c3": "cu-c"}
    store.append([CustomerUnmerged(at=T + 20, customer_id="cu-a", merge_id="m1", from_customer_id="cu-b",
                                   contact_ids=("c2",))])
    assert {x["contact_id"]: x["customer_id"] for x in r.links("p1")} == {"c1": "cu-a", "c2": "cu-b", "c3": "cu-c"}
    store.append([CustomerErased(at=T + 30, customer_id="cu-c", contact_ids=("c3",))])
    assert {x["contact_id"]: x["customer_id"] for x in r.links("p1")} == {"c1": "cu-a", "c2": "cu-b", "c3": None}
    assert r.count("p1") == 3  # the contact stays linked, without its customer
