"""A contact's message thread over REST on both backends: the generic API channel's first message opens
the thread, the agent replies (delivered by the channel) and adds notes; access and bad input are refused
cleanly."""

from __future__ import annotations

from typing import Any

import pytest

from blendcc.testing.fake_channel import ManualTimers


@pytest.fixture
def chat(centre: Any) -> Any:
    """The seeded centre with a1 taking chats, logged in, holding an accepted chat with a first message."""
    centre.container.conversations.later = ManualTimers(centre.clock)  # deliveries run when the test says
    centre.put("/api/config/agents/a1", json={"queues": ["sales", "support"], "skills": {"tech": 3},
                                              "capacity": {"limits": {"voice": 1, "chat": 2}}})
    centre.agent_login("a1")
    out = centre.new_contact(channel="chat", caller_id="web-42", text="my router is broken")
    assert out["offered_to"] == "a1"
    centre.act("a1", out["contact_id"], "accept")
    centre.cid = out["contact_id"]
    return centre


def test_the_first_message_of_a_chat_opens_its_thread(chat: Any) -> None:
    thread = chat.get(f"/api/contacts/{chat.cid}/messages", "ann")
    assert thread["contact_id"] == chat.cid
    (first,) = thread["messages"]
    assert first["direction"] == "inbound" and first["body"] == "my router is broken"
    assert first["author"] == {"kind": "customer", "id": None} and first["address"] == "web-42"
    assert first["channel"] == {"kind": "chat", "instance": "default"} and first["status"] is None
    assert chat.contact(chat.cid)["queue_id"] == "support"  # the text still routes (keyword 'broken')
    assert "MessageReceived" in chat.timeline(chat.cid)


def test_an_agent_replies_and_the_channel_delivers_it(chat: Any) -> None:
    reply = chat.post(f"/api/contacts/{chat.cid}/messages", "ann", 201, json={"body": "Let us reboot it."})
    assert reply["direction"] == "outbound" and reply["status"] == "queued"
    assert reply["author"] == {"kind": "agent", "id": "a1"} and reply["address"] == "web-42"
    assert chat.container.conversations.later.run_due() == 1
    messages = chat.get(f"/api/contacts/{chat.cid}/messages", "sup")["messages"]
    assert [(m["direction"], m["status"]) for m in messages] == [("inbound", None), ("outbound", "sent")]
    assert messages[1]["attempts"] == 1 and messages[1]["provider_message_id"] == reply["id"]


def test_an_internal_note_stays_in_the_thread_and_is_never_delivered(chat: Any) -> None:
    note = chat.post(f"/api/contacts/{chat.cid}/messages", "ann", 201,
                     json={"body": "customer already rebooted twice", "kind": "note"})
    assert note["direction"] == "note" and note["status"] is None and note["channel"] is None
    assert chat.container.conversations.later.pending() == []
    assert [m["direction"] for m in chat.get(f"/api/contacts/{chat.cid}/messages", "ann")["messages"]] == [
        "inbound", "note"]


def test_only_the_agent_holding_the_contact_reads_and_writes_its_thread(chat: Any) -> None:
    chat.error("GET", f"/api/contacts/{chat.cid}/messages", 403, user="bob")
    chat.error("POST", f"/api/contacts/{chat.cid}/messages", 403, user="bob", json={"body": "hi"})
    chat.error("POST", f"/api/contacts/{chat.cid}/messages", 403, user="sup", json={"body": "hi"})  # not an agent
    chat.error("GET", "/api/contacts/nope/messages", 404, user="sup")
    chat.error("POST", "/api/contacts/nope/messages", 404, user="ann", json={"body": "hi"})
    chat.error("GET", f"/api/contacts/{chat.cid}/messages", 401, user=None)


@pytest.mark.parametrize(("body", "needle"), [
    ({"body": "   "}, "needs a body"),
    ({"body": "hi", "kind": "inbound"}, "kind"),
    ({"body": "hi", "extra": 1}, "extra"),
    ({"body": "x" * 100_001}, "body"),
    ({"body": "see file", "attachments": [{"id": "f", "name": "a", "media_type": "pdf", "size": 1, "uri": "u"}]},
     "media_type"),
])
def test_bad_messages_get_a_clear_422(chat: Any, body: dict[str, Any], needle: str) -> None:
    error = chat.error("POST", f"/api/contacts/{chat.cid}/messages", 422, user="ann", json=body)
    assert needle in error["detail"]
    assert [m["direction"] for m in chat.get(f"/api/contacts/{chat.cid}/messages", "ann")["messages"]] == [
        "inbound"]


def test_a_closed_contact_takes_no_more_messages(chat: Any) -> None:
    chat.act("a1", chat.cid, "end")
    chat.act("a1", chat.cid, "wrapup")
    error = chat.error("POST", f"/api/contacts/{chat.cid}/messages", 409, user="ann", json={"body": "one more"})
    assert "closed" in error["detail"]
    assert len(chat.get(f"/api/contacts/{chat.cid}/messages", "ann")["messages"]) == 1  # still readable


def test_a_voice_contact_cannot_send_text_but_takes_notes(centre: Any) -> None:
    centre.agent_login("a1")
    cid = centre.new_contact(channel="voice", caller_id="+44 20 7946 0000", text="ignored for voice")["contact_id"]
    centre.act("a1", cid, "accept")
    error = centre.error("POST", f"/api/contacts/{cid}/messages", 422, user="ann", json={"body": "hello"})
    assert error["error"] == "unsupported" and "voice" in error["detail"]
    note = centre.post(f"/api/contacts/{cid}/messages", "ann", 201, json={"body": "asked for a call-back",
                                                                          "kind": "note"})
    assert [m["id"] for m in centre.get(f"/api/contacts/{cid}/messages", "ann")["messages"]] == [note["id"]]


def test_the_thread_routes_are_documented_with_typed_responses(centre: Any) -> None:
    doc = centre.get("/openapi.json", None)
    ops = doc["paths"]["/api/contacts/{contact_id}/messages"]
    assert ops["get"]["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].endswith("ThreadModel")
    assert ops["post"]["responses"]["201"]["content"]["application/json"]["schema"]["$ref"].endswith("MessageModel")
