"""Conversation states over REST: pending/snoozed/open/resolved with typed answers and 4xx for illegal steps,
an agent's list of conversations, and a reopened conversation's whole thread."""

from __future__ import annotations

from typing import Any

import pytest

from blendcc.domain.conversation import ChannelRef, ReceiveMessage
from blendcc.testing.fake_channel import ManualTimers


@pytest.fixture
def chat(centre: Any) -> Any:
    """a1 (chats) logged in and holding an accepted chat from web-42."""
    centre.container.conversations.later = ManualTimers(centre.clock)
    centre.put("/api/config/agents/a1", json={"queues": ["sales", "support"], "skills": {"tech": 3},
                                              "capacity": {"limits": {"voice": 1, "chat": 2}}})
    centre.agent_login("a1")
    out = centre.new_contact(channel="chat", caller_id="web-42", text="my router is broken")
    assert out["offered_to"] == "a1"
    centre.act("a1", out["contact_id"], "accept")
    centre.cid = out["contact_id"]
    return centre


def customer_writes(api: Any, text: str, pid: str) -> str:
    got = api.container.conversations.receive(ReceiveMessage(ChannelRef("chat"), "web-42", text, pid))
    return str(got.contact_id)


def test_pending_then_the_customers_reply_brings_it_back_to_the_agent(chat: Any) -> None:
    out = chat.post(f"/api/contacts/{chat.cid}/state", "ann", json={"state": "pending"})
    assert (out["state"], out["previous"], out["owner"]) == ("pending", "open", "a1")
    assert "WrapUpCompleted" in out["events"] and "ContactClosed" not in out["events"]
    assert chat.work("a1") == {}  # the chat slot is free
    (mine,) = chat.get("/api/agents/a1/conversations", "ann")
    assert (mine["contact_id"], mine["state"], mine["owner"]) == (chat.cid, "pending", "a1")
    assert customer_writes(chat, "the light is red", "p2") == chat.cid
    assert chat.work("a1") == {chat.cid: "reserved"}
    (mine,) = chat.get("/api/agents/a1/conversations", "sup")
    assert (mine["state"], mine["contact_state"]) == ("open", "offered")


def test_snooze_and_resolve(chat: Any) -> None:
    until = chat.clock.now() + 600
    out = chat.post(f"/api/contacts/{chat.cid}/state", "ann", json={"state": "snoozed", "until": until})
    assert (out["state"], out["until"]) == ("snoozed", until)
    chat.advance(600)
    assert chat.work("a1") == {chat.cid: "reserved"}
    chat.act("a1", chat.cid, "accept")
    out = chat.post(f"/api/contacts/{chat.cid}/resolve", "ann", json={"disposition": "fixed"})
    assert out["state"] == "resolved" and "ContactClosed" in out["events"]
    assert chat.contact(chat.cid)["state"] == "closed"
    assert chat.get("/api/agents/a1/conversations", "ann") == []


def test_a_reply_within_the_window_reopens_with_the_whole_thread(chat: Any) -> None:
    chat.post(f"/api/contacts/{chat.cid}/resolve", "ann", json={})
    chat.advance(3600)
    new_id = customer_writes(chat, "broken again", "p3")
    assert new_id != chat.cid and "ConversationReopened" in chat.timeline(new_id)
    assert chat.work("a1") == {new_id: "reserved"}
    whole = chat.get(f"/api/contacts/{new_id}/conversation", "sup")
    assert [t["contact_id"] for t in whole["contacts"]] == [chat.cid, new_id]
    assert [m["body"] for t in whole["contacts"] for m in t["messages"]] == ["my router is broken", "broken again"]


def test_illegal_steps_and_bad_input_get_clean_errors(chat: Any) -> None:
    path = f"/api/contacts/{chat.cid}/state"
    assert "cannot become open" in chat.error("POST", path, 409, user="ann", json={"state": "open"})["detail"]
    chat.error("POST", path, 422, user="ann", json={"state": "snoozed"})  # no until
    chat.error("POST", path, 422, user="ann", json={"state": "snoozed", "until": chat.clock.now() - 1})
    chat.error("POST", path, 422, user="ann", json={"state": "closed"})
    chat.error("POST", path, 422, user="ann", json={"state": "pending", "extra": 1})
    chat.error("POST", path, 403, user="bob", json={"state": "pending"})  # not bob's conversation
    chat.error("POST", "/api/contacts/nope/state", 404, user="ann", json={"state": "pending"})
    chat.error("GET", "/api/agents/a1/conversations", 403, user="bob")
    chat.error("GET", "/api/contacts/nope/conversation", 404, user="sup")
    chat.post(f"/api/contacts/{chat.cid}/resolve", "sup", json={})  # a supervisor may resolve any
    assert "closed" in chat.error("POST", path, 409, user="ann", json={"state": "pending"})["detail"]
    voice = chat.new_contact(channel="voice", caller_id="+15550100")["contact_id"]
    chat.error("POST", f"/api/contacts/{voice}/state", 422, user="sup", json={"state": "pending"})


@pytest.mark.parametrize("to", ["agent", "queue"])
def test_a_chat_transferred_keeps_its_thread_and_notes(chat: Any, to: str) -> None:
    chat.post(f"/api/contacts/{chat.cid}/messages", "ann", 201, json={"body": "Let us reboot it."})
    chat.post(f"/api/contacts/{chat.cid}/messages", "ann", 201,
              json={"body": "rebooted twice already, needs level 2", "kind": "note"})
    chat.agent_login("a3")
    target = {"agent_id": "a3"} if to == "agent" else {"queue_id": "support"}
    chat.act("a1", chat.cid, "transfer", **target)
    chat.act("a1", chat.cid, "wrapup")
    assert chat.work("a3") == {chat.cid: "reserved"}
    chat.act("a3", chat.cid, "accept")
    thread = chat.get(f"/api/contacts/{chat.cid}/messages", "cy")["messages"]
    assert [(m["direction"], m["body"]) for m in thread] == [
        ("inbound", "my router is broken"), ("outbound", "Let us reboot it."),
        ("note", "rebooted twice already, needs level 2")]
    # the new agent replies on the same channel and becomes the owner when the chat waits for the customer
    reply = chat.post(f"/api/contacts/{chat.cid}/messages", "cy", 201, json={"body": "Level 2 here."})
    assert reply["address"] == "web-42" and reply["channel"] == {"kind": "chat", "instance": "default"}
    assert chat.post(f"/api/contacts/{chat.cid}/state", "cy", json={"state": "pending"})["owner"] == "a3"
    assert customer_writes(chat, "ok, tried again", "p9") == chat.cid
    assert chat.work("a3") == {chat.cid: "reserved"}


def test_the_owner_hands_a_pending_chat_to_a_colleague_with_its_thread(chat: Any) -> None:
    chat.post(f"/api/contacts/{chat.cid}/messages", "ann", 201, json={"body": "note for a colleague", "kind": "note"})
    chat.post(f"/api/contacts/{chat.cid}/state", "ann", json={"state": "pending"})
    chat.agent_login("a3")
    chat.error("POST", f"/api/agent/contacts/{chat.cid}/transfer", 403, user="cy", json={"agent_id": "a1"})
    out = chat.act("a1", chat.cid, "transfer", agent_id="a3")
    assert "ConversationStateChanged" in out["events"]
    chat.act("a3", chat.cid, "accept")
    bodies = [m["body"] for m in chat.get(f"/api/contacts/{chat.cid}/messages", "cy")["messages"]]
    assert bodies == ["my router is broken", "note for a colleague"]
    (mine,) = chat.get("/api/agents/a3/conversations", "cy")
    assert (mine["contact_id"], mine["state"]) == (chat.cid, "open")
