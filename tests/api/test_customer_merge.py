"""Customers over REST: identities from every channel, tags, merge and undo (from the log), the timeline
across channels with cursor and search, who may read it, and the verified-identity auto-merge rule."""

from __future__ import annotations

from typing import Any

import pytest

from blendcc.domain import conversation_events as ce
from blendcc.routing.commands import AppendEvents
from conftest import seeded_api


def test_each_channel_resolves_its_identity_kind(centre: Any) -> None:
    conv = centre.container.conversations
    from blendcc.domain.conversation import ChannelRef, ReceiveMessage

    cases = [(ChannelRef("email", "default"), " Ada@Example.COM ", ("email", "ada@example.com")),
             (ChannelRef("sms", "default"), "+44 7700 900123", ("phone", "+447700900123")),
             (ChannelRef("social", "default"), "whatsapp:447700900123", ("social", "whatsapp:+447700900123")),
             (ChannelRef("social", "default"), "telegram:12345", ("social", "telegram:12345")),
             (ChannelRef("social", "default"), "messenger:PSID-9", ("social", "messenger:PSID-9")),
             (ChannelRef("chat", "default"), "web-session-1", ("chat", "web-session-1"))]
    for ref, address, identity in cases:
        got = conv.receive(ReceiveMessage(ref, address, "hello"))
        customer = centre.get(f"/api/customers?kind={identity[0]}&value={identity[1].replace('+', '%2B')}", "sup")
        assert list(identity) in customer["identities"]
        assert centre.contact(got.contact_id)["customer_id"] == customer["id"]
    # a second SMS from the same number in another spelling joins the same customer
    again = conv.receive(ReceiveMessage(ChannelRef("sms", "default"), "00447700900123", "me again"))
    assert centre.contact(again.contact_id)["customer_id"] == centre.get(
        "/api/customers?kind=phone&value=%2B447700900123", "sup")["id"]


def test_tags_add_remove_and_list_by_tag(centre: Any) -> None:
    made = centre.post("/api/customers", "sup", 201, json={"id": "t-1", "tags": ["vip"]})
    assert made["tags"] == ["vip"]
    assert centre.post("/api/customers/t-1/tags", "sup", json={"add": ["churn-risk"], "remove": ["vip"]})["tags"] == [
        "churn-risk"]
    assert [c["id"] for c in centre.get("/api/customer-tags/churn-risk", "sup")["customers"]] == ["t-1"]
    assert centre.get("/api/customer-tags/vip", "sup")["customers"] == []
    assert "tag" in centre.error("POST", "/api/customers/t-1/tags", 422, user="sup", json={"add": ["no spaces"]})[
        "detail"]
    centre.error("POST", "/api/customers/ghost/tags", 404, user="sup", json={"add": ["x"]})
    centre.error("POST", "/api/customers/t-1/tags", 403, user="ann", json={"add": ["x"]})


def _two_customers_with_contacts(centre: Any) -> tuple[str, str, str, str]:
    a = centre.post("/api/customers", "sup", 201, json={
        "id": "cu-a", "name": "", "fields": {"plan": "basic"}, "identities": [{"kind": "email", "value": "a@x.org"}]})
    b = centre.post("/api/customers", "sup", 201, json={
        "id": "cu-b", "name": "Bea", "fields": {"plan": "pro", "city": "York"}, "tags": ["vip"],
        "identities": [{"kind": "phone", "value": "+44 20 7946 0009"}]})
    ca = centre.new_contact(channel="email", caller_id="a@x.org", text="invoice question")["contact_id"]
    cb = centre.new_contact(channel="sms", caller_id="+442079460009", text="where is my parcel")["contact_id"]
    return a["id"], b["id"], ca, cb


def test_admin_merges_and_undoes_and_the_timeline_follows(centre: Any) -> None:
    a, b, ca, cb = _two_customers_with_contacts(centre)
    assert {i["contact_id"] for i in centre.get(f"/api/customers/{a}/timeline", "sup")["items"]} == {ca}
    merged = centre.post(f"/api/customers/{a}/merge", json={"from": b, "prefer": "from"})
    assert merged["event"] == "CustomerMerged" and merged["contact_ids"] == [cb]
    assert merged["identities"] == [["phone", "+442079460009"]]
    customer = merged["customer"]
    assert customer["fields"] == {"plan": "pro", "city": "York"} and customer["name"] == "Bea"
    assert customer["tags"] == ["vip"]
    assert centre.get("/api/customers?kind=phone&value=%2B442079460009", "sup")["id"] == a
    assert centre.get(f"/api/customers/{b}", "sup")["merged_into"] == a
    items = centre.get(f"/api/customers/{a}/timeline", "sup")["items"]
    assert {i["contact_id"] for i in items} == {ca, cb}
    assert {i["channel"] for i in items} == {"email", "sms"}
    # a new SMS from B's number now lands with A
    assert centre.new_contact(channel="sms", caller_id="+442079460009")["customer_id"] == a
    (listed,) = centre.get(f"/api/customers/{a}/merges", "sup")["merges"]
    assert listed["merge_id"] == merged["merge_id"] and listed["undone_at"] is None
    # the merge is in the event log
    assert "CustomerMerged" in [s.event.type for s in centre.container.store.read()]

    undone = centre.post(f"/api/customers/{a}/merges/{merged['merge_id']}/undo")
    assert undone["event"] == "CustomerUnmerged"
    assert undone["customer"]["fields"] == {"plan": "basic"} and undone["customer"]["name"] == ""
    assert undone["customer"]["tags"] == [] and undone["customer"]["identities"] == [["email", "a@x.org"]]
    assert centre.get("/api/customers?kind=phone&value=%2B442079460009", "sup")["id"] == b
    assert {i["contact_id"] for i in centre.get(f"/api/customers/{b}/timeline", "sup")["items"]} == {cb}
    assert cb not in {i["contact_id"] for i in centre.get(f"/api/customers/{a}/timeline", "sup")["items"]}
    assert centre.get(f"/api/customers/{a}/merges", "sup")["merges"][0]["undone_at"] is not None
    # refusals
    assert "already" in centre.error("POST", f"/api/customers/{a}/merges/{merged['merge_id']}/undo", 409)["detail"]
    centre.error("POST", f"/api/customers/{a}/merges/mg-nope/undo", 404)
    centre.error("POST", f"/api/customers/{a}/merge", 422, json={"from": a})
    centre.error("POST", f"/api/customers/{a}/merge", 404, json={"from": "ghost"})
    centre.error("POST", f"/api/customers/{a}/merge", 422, json={"from": b, "prefer": "both"})
    centre.error("POST", f"/api/customers/{a}/merge", 403, user="sup", json={"from": b})
    centre.post(f"/api/customers/{a}/merge", json={"from": b})
    assert "merged into" in centre.error("POST", f"/api/customers/{a}/merge", 409, json={"from": b})["detail"]


def test_timeline_pages_by_cursor_searches_text_and_shows_notes_and_dispositions(centre: Any) -> None:
    centre.put("/api/config/agents/a1", json={"queues": ["sales", "support"], "skills": {"tech": 3},
                                              "capacity": {"limits": {"voice": 1, "chat": 2}}})
    centre.agent_login("a1")
    made = centre.new_contact(channel="chat", caller_id="web-7", text="my ROUTER is broken")
    cid = made["contact_id"]
    centre.act("a1", cid, "accept")
    centre.post(f"/api/contacts/{cid}/messages", "ann", 201, json={"body": "reboot the router please"})
    centre.post(f"/api/contacts/{cid}/messages", "ann", 201, json={"body": "likes 100% answers", "kind": "note"})
    centre.act("a1", cid, "end")
    centre.act("a1", cid, "wrapup", disposition="resolved")
    centre.container.runtime.execute(AppendEvents((ce.SurveyAnswered(
        at=0.0, contact_id=cid, survey="csat", score=4, comment="router works"),), stamp=True))
    customer = made["customer_id"]
    full = centre.get(f"/api/customers/{customer}/timeline?limit=500", "sup")
    kinds = [i["kind"] for i in full["items"]]
    assert full["next_cursor"] is None
    assert kinds[0] == "survey" and {"message", "note", "disposition", "connected", "contact"} <= set(kinds)
    assert [i["seq"] for i in full["items"]] == sorted((i["seq"] for i in full["items"]), reverse=True)
    disposition = next(i for i in full["items"] if i["kind"] == "disposition")
    assert disposition["detail"]["disposition"] == "resolved" and disposition["channel"] == "chat"
    pages, cursor = [], None
    while True:
        page = centre.get(f"/api/customers/{customer}/timeline?limit=2" + (f"&cursor={cursor}" if cursor else ""),
                          "sup")
        pages.extend(page["items"])
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert pages == full["items"]
    found = centre.get(f"/api/customers/{customer}/timeline?q=router", "sup")["items"]
    assert [i["text"] for i in found] == ["router works", "reboot the router please", "my ROUTER is broken"]
    assert [i["kind"] for i in centre.get(f"/api/customers/{customer}/timeline?q=100%25", "sup")["items"]] == [
        "note"]
    # the agent who handled the contact may read the timeline; another agent may not
    assert centre.get(f"/api/customers/{customer}/timeline", "ann")["items"]
    centre.error("GET", f"/api/customers/{customer}/timeline", 403, user="bob")
    for bad in ("abc", "%C2%B2", "9999999999999999999", "-1"):  # superscript two is isdigit() but no int
        centre.error("GET", f"/api/customers/{customer}/timeline?cursor={bad}", 422, user="sup")
    centre.error("GET", f"/api/customers/{customer}/timeline?limit=0", 422, user="sup")
    centre.error("GET", "/api/customers/ghost/timeline", 404, user="sup")


@pytest.fixture
def auto_merge(db_url: str, clock: Any, fast_passwords: None) -> Any:
    with seeded_api(db_url, clock, customer_auto_merge=True) as api:
        yield api


def test_a_verified_identity_merges_its_other_holder_when_the_rule_is_on(auto_merge: Any) -> None:
    api = auto_merge
    api.post("/api/customers", "sup", 201, json={"id": "web", "identities": [{"kind": "chat", "value": "w-1"}]})
    api.post("/api/customers", "sup", 201, json={"id": "mail", "identities": [{"kind": "email", "value": "e@x.org"}]})
    # unverified: still a conflict
    api.error("POST", "/api/customers/web/identities", 409, user="sup", json={"kind": "email", "value": "E@x.org"})
    linked = api.post("/api/customers/web/identities", "sup",
                      json={"kind": "email", "value": "E@x.org", "verified": True})
    assert ["email", "e@x.org"] in linked["identities"]
    (merge,) = api.get("/api/customers/web/merges", "sup")["merges"]
    assert (merge["from_customer_id"], merge["rule"]) == ("mail", "verified_identity")


def test_without_the_rule_a_verified_identity_still_conflicts(centre: Any) -> None:
    centre.post("/api/customers", "sup", 201, json={"id": "w", "identities": [{"kind": "chat", "value": "w-2"}]})
    centre.post("/api/customers", "sup", 201, json={"id": "m", "identities": [{"kind": "email", "value": "f@x.org"}]})
    centre.error("POST", "/api/customers/w/identities", 409, user="sup",
                 json={"kind": "email", "value": "f@x.org", "verified": True})
