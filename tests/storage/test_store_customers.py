"""Customer contracts on memory, SQLite and PostgreSQL: tags, merges and their undo from the log, the timeline
projection (order, cursor, text search, dialer attempts by phone) and erasure (personal data gone, facts kept)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import select
from storage_backend import Backend
from storage_events import T0, handled

from blendcc.adapters.storage.tables import metadata
from blendcc.domain import conversation_events as ce
from blendcc.domain import dialer_events as de
from blendcc.domain import events as ev
from blendcc.domain.customer_events import CustomerErased, CustomerMerged, CustomerUnmerged
from blendcc.domain.errors import NotFound


def message(cid: str, n: int, body: str, at: float, address: str | None = None) -> ce.MessageReceived:
    return ce.MessageReceived(at=at, contact_id=cid, message_id=f"{cid}.m{n}", channel="chat",
                              channel_instance="default", body=body, address=address)


def test_tags_add_remove_and_list(backend: Backend) -> None:
    repo = backend.customers()
    repo.create("cu1", [], "gold", "Ada", {}, at=1.0)
    repo.create("cu2", [], "standard", "Bob", {}, at=1.0)
    assert repo.change_tags("cu1", ["vip", "churn-risk", "vip"], [])["tags"] == ["churn-risk", "vip"]
    repo.change_tags("cu2", ["vip"], [])
    assert [c["id"] for c in repo.with_tag("vip")] == ["cu1", "cu2"]
    assert repo.change_tags("cu1", [], ["vip", "absent"])["tags"] == ["churn-risk"]
    assert [c["id"] for c in repo.with_tag("vip")] == ["cu2"]
    assert repo.with_tag("nobody") == []
    with pytest.raises(NotFound):
        repo.change_tags("ghost", ["x"], [])


def _merge_event(**kw: Any) -> CustomerMerged:
    base: dict[str, Any] = {
        "at": T0 + 500, "customer_id": "A", "merge_id": "mg1", "from_customer_id": "B",
        "identities": (("email", "bob@example.com"), ("phone", "+447700900123")), "contact_ids": ("cb",),
        "fields_set": {"plan": "pro", "city": "Leeds"}, "fields_overwritten": {"plan": "basic"},
        "fields_added": ("city",), "tags_added": ("vip",), "name_before": "", "name_set": "Bob"}
    return CustomerMerged(**{**base, **kw})


def test_merge_and_undo_move_identities_contacts_fields_and_tags(backend: Backend) -> None:
    store, repo = backend.store(), backend.customers()
    repo.create("A", [("email", "a@example.com")], "gold", "", {"plan": "basic", "seat": 3}, at=1.0)
    repo.create("B", [("email", "bob@example.com"), ("phone", "+447700900123")], "standard", "Bob",
                {"plan": "pro", "city": "Leeds"}, at=1.0)
    repo.change_tags("B", ["vip"], [])
    store.append(handled("ca", "a1", customer_id="A") + handled("cb", "a1", customer_id="B", t0=T0 + 100))
    merge = _merge_event()
    store.append([merge])
    a = repo.get("A")
    assert a["identities"] == [("email", "a@example.com"), ("email", "bob@example.com"),
                               ("phone", "+447700900123")]
    assert a["fields"] == {"plan": "pro", "seat": 3, "city": "Leeds"} and a["name"] == "Bob"
    assert a["tags"] == ["vip"]
    b = repo.get("B")
    assert (b["merged_into"], b["merge_id"], b["identities"]) == ("A", "mg1", [])
    assert repo.find_by_identity("phone", "+447700900123")["id"] == "A"
    assert store.interaction("cb")["customer_id"] == "A"
    history = backend.customer_history(store)
    assert {r["contact_id"] for r in history.timeline("A")} == {"ca", "cb"}
    assert history.timeline("B") == []
    # the log alone holds the merge: the event comes back from the store as it was appended
    assert [s.event for s in store.events_of_type(["CustomerMerged"])] == [merge]

    store.append([CustomerUnmerged(at=T0 + 600, customer_id="A", merge_id="mg1", from_customer_id="B",
                                   identities=merge.identities, contact_ids=merge.contact_ids,
                                   fields_restored=merge.fields_overwritten, fields_removed=merge.fields_added,
                                   tags_removed=merge.tags_added, name_restored=merge.name_before)])
    a, b = repo.get("A"), repo.get("B")
    assert a["identities"] == [("email", "a@example.com")]
    assert a["fields"] == {"plan": "basic", "seat": 3} and a["name"] == "" and a["tags"] == []
    assert b["identities"] == [("email", "bob@example.com"), ("phone", "+447700900123")]
    assert (b["merged_into"], b["merge_id"]) == (None, None)
    assert store.interaction("cb")["customer_id"] == "B"
    assert {r["contact_id"] for r in history.timeline("B")} == {"cb"}


def test_timeline_newest_first_by_cursor_with_search_and_dialer_attempts(backend: Backend) -> None:
    store, repo = backend.store(), backend.customers()
    repo.create("A", [("phone", "+447700900123")], "gold", "Ada", {}, at=1.0)
    store.append(handled("c1", "a1", customer_id="A", channel="chat"))
    store.append([message("c1", 1, "My ROUTER is broken", T0 + 2), message("c1", 2, "100% sure_it is", T0 + 3),
                  ce.NoteAdded(at=T0 + 4, contact_id="c1", message_id="c1.n1", author_kind="agent",
                               author_id="a1", body="customer owns a router"),
                  ce.SurveyAnswered(at=T0 + 5, contact_id="c1", survey="csat", score=4, comment="quick")])
    store.append([de.CallPlaced(at=T0 + 10, campaign_id="k1", call_id="call1", record_id="r1",
                                phone="+447700900123", mode="power"),
                  de.CallFailed(at=T0 + 11, campaign_id="k1", call_id="call1", record_id="r1", outcome="busy")])
    store.append([de.CallPlaced(at=T0 + 12, campaign_id="k1", call_id="call2", record_id="r9",
                                phone="+15550001111", mode="power")])  # someone else
    history = backend.customer_history(store)
    everything = history.timeline("A", ["+447700900123"], limit=100)
    seqs = [r["seq"] for r in everything]
    assert seqs == sorted(seqs, reverse=True)
    kinds = [r["kind"] for r in everything]
    assert kinds[:2] == ["campaign_attempt", "campaign_attempt"]
    assert everything[0]["detail"]["result"] == "failed" and everything[0]["phone"] == "+447700900123"
    assert {"contact", "connected", "disposition", "contact_closed", "message", "note", "survey"} <= set(kinds)
    assert history.timeline("A") == [r for r in everything if r["kind"] != "campaign_attempt"]
    # pages of 3 by cursor give the same rows, each once
    pages: list[dict[str, Any]] = []
    before = None
    while True:
        page = history.timeline("A", ["+447700900123"], before_seq=before, limit=3)
        if not page:
            break
        pages.extend(page)
        before = page[-1]["seq"]
    assert pages == everything
    # text search: case-insensitive, % and _ are literal
    assert [r["text"] for r in history.timeline("A", q="router")] == ["customer owns a router",
                                                                      "My ROUTER is broken"]
    assert [r["text"] for r in history.timeline("A", q="0% sure_")] == ["100% sure_it is"]
    assert history.timeline("A", q="1_0") == []


def _dump(backend: Backend, store: Any) -> str:
    """Everything the backend holds, as text (the 'grep the database' of the erasure test)."""
    if backend.engine is None:
        parts = [repr(s.event) for s in store.read()]
        parts.append(repr(store._t))
        parts.append(repr(backend.customers()._customers) + repr(backend.customers()._identities))
        return "\n".join(parts)
    out = []
    with backend.engine.connect() as conn:
        for table in metadata.sorted_tables:
            for row in conn.execute(select(table)):
                out.append(json.dumps([str(v) for v in row]))
    return "\n".join(out)


PERSONAL = ("Ada Lovelace", "ada@example.com", "+447700900123", "Leeds", "broken router", "ring me later",
            "lovely agent", "account 1815")


def test_erasure_removes_personal_data_and_keeps_the_facts(backend: Backend) -> None:
    store, repo = backend.store(), backend.customers()
    repo.create("A", [("email", "ada@example.com"), ("phone", "+447700900123")], "gold", "Ada Lovelace",
                {"city": "Leeds"}, at=1.0)
    repo.change_tags("A", ["vip"], [])
    repo.create("Z", [("email", "zed@example.com")], "gold", "Zed", {}, at=1.0)
    first = handled("c1", "a1", customer_id="A", channel="chat")
    created = first[0]
    assert isinstance(created, ev.ContactCreated)
    first[0] = ev.ContactCreated(at=created.at, contact_id="c1", channel="chat", direction="inbound",
                                 customer_id="A", priority=5,
                                 attributes={"caller_id": "ada@example.com", "text": "broken router",
                                             "language": "en", "channel_instance": "web"})
    store.append(first)
    store.append([message("c1", 1, "broken router", T0 + 2, address="ada@example.com"),
                  ce.NoteAdded(at=T0 + 4, contact_id="c1", message_id="c1.n1", author_kind="agent",
                               author_id="a1", body="ring me later, account 1815"),
                  ce.SurveyAnswered(at=T0 + 5, contact_id="c1", survey="csat", score=5, comment="lovely agent",
                                    agent_id="a1", queue_id="sales", channel="chat"),
                  de.CallPlaced(at=T0 + 10, campaign_id="k1", call_id="call1", record_id="r1",
                                phone="+447700900123", mode="power")])
    store.append(handled("z1", "a2", customer_id="Z", t0=T0 + 50))
    store.append([message("z1", 1, "zed's own words", T0 + 60, address="zed@example.com")])
    before_rows = {r["contact_id"]: {k: v for k, v in r.items() if k != "attributes"}
                   for r in store.interactions(limit=100)}
    counters = store.queue_counters(T0 - 3600, T0 + 3600)
    text = _dump(backend, store)
    assert all(p in text for p in PERSONAL)

    store.append([CustomerErased(at=T0 + 900, customer_id="A", contact_ids=("c1",))])

    text = _dump(backend, store)
    assert [p for p in PERSONAL if p in text] == []
    assert "zed's own words" in text and "zed@example.com" in text  # another customer's data stays
    a = repo.get("A")
    assert (a["name"], a["fields"], a["identities"], a["tags"]) == ("", {}, [], [])
    assert a["erased_at"] == T0 + 900
    assert repo.find_by_identity("email", "ada@example.com") is None
    # the facts: every interaction column but the attributes, the queue counters, the survey score
    after_rows = {r["contact_id"]: {k: v for k, v in r.items() if k != "attributes"}
                  for r in store.interactions(limit=100)}
    assert after_rows == before_rows
    assert store.queue_counters(T0 - 3600, T0 + 3600) == counters
    assert store.interaction("c1")["attributes"] == {"language": "en", "channel_instance": "web"}
    survey = [s.event for s in store.events_of_type(["SurveyAnswered"])]
    assert [(s.score, s.comment) for s in survey] == [(5, "[erased]")]
    assert len(store.contact_events("c1")) == len(first) + 3


def test_replaying_the_log_rebuilds_who_is_who() -> None:
    """A second store fed the first one's log (the customers' own rows as they were created) ends with the
    same identities, contacts and fields per customer: merges and undos need nothing but the log."""
    from blendcc.testing import MemoryCustomerRepository, MemoryStore

    def fresh() -> tuple[Any, Any]:
        repo = MemoryCustomerRepository()
        repo.create("A", [("email", "a@example.com")], "gold", "", {"plan": "basic"}, at=1.0)
        repo.create("B", [("email", "bob@example.com"), ("phone", "+447700900123")], "standard", "Bob",
                    {"plan": "pro", "city": "Leeds"}, at=1.0)
        repo.create("C", [("chat", "c-1")], "standard", "Cy", {}, at=1.0)
        return MemoryStore(customers=repo), repo

    store, repo = fresh()
    store.append(handled("ca", "a1", customer_id="A") + handled("cb", "a1", customer_id="B", t0=T0 + 100)
                 + handled("cc", "a1", customer_id="C", t0=T0 + 200))
    store.append([_merge_event()])
    store.append([_merge_event(merge_id="mg2", from_customer_id="C", identities=(("chat", "c-1"),),
                               contact_ids=("cc",), fields_set={}, fields_overwritten={}, fields_added=(),
                               tags_added=(), name_before=None, name_set=None)])
    store.append([CustomerUnmerged(at=T0 + 700, customer_id="A", merge_id="mg1", from_customer_id="B",
                                   identities=(("email", "bob@example.com"), ("phone", "+447700900123")),
                                   contact_ids=("cb",), fields_restored={"plan": "basic"}, fields_removed=("city",),
                                   tags_removed=("vip",), name_restored="")])
    replica, replica_repo = fresh()
    replica.append([s.event for s in store.read()])
    for cid in ("A", "B", "C"):
        assert replica_repo.get(cid) == repo.get(cid)
    assert {r["contact_id"]: r["customer_id"] for r in replica.interactions(limit=10)} == {
        "ca": "A", "cb": "B", "cc": "A"}
    assert {r["contact_id"]: r["customer_id"] for r in store.interactions(limit=10)} == {
        "ca": "A", "cb": "B", "cc": "A"}
