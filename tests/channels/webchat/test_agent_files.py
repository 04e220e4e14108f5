"""Files on the agent's side of a web chat: the agent reads the customer's file with its own token, uploads
one (the instance's limits apply) and sends it in a reply that the customer receives and can download; an
agent who does not hold the chat is refused."""

from __future__ import annotations

from .live_chat import LiveChat, chat_fixture  # noqa: F401  (the fixture)


def test_the_agent_reads_and_sends_files_in_its_own_chat(chat: LiveChat) -> None:
    session = chat.start()
    sid, auth = session["session_id"], chat.bearer(session)
    up = chat.http.post(f"/api/webchat/sessions/{sid}/attachments",
                        files={"file": ("meter.txt", b"meter 1234", "text/plain")}, headers=auth)
    assert up.status_code == 201, up.text
    customer, _ = chat.customer(session)
    customer.send({"type": "message", "client_id": "f1", "body": "my meter", "attachments": [up.json()["id"]]})
    customer.type("ack", client_id="f1")
    (created,) = chat.events("ContactCreated")
    cid = created.contact_id
    chat.api.agent_login("a1")
    chat.api.act("a1", cid, "accept")
    api = chat.api

    # the customer's file, with the agent's own token (the session's URI needs the customer's)
    theirs = api.get(f"/api/contacts/{cid}/messages", user="ann")["messages"][0]["attachments"][0]
    got = chat.http.get(f"/api/contacts/{cid}/attachments/{theirs['id']}", headers=api.headers("ann"))
    assert got.status_code == 200 and got.content == b"meter 1234"
    assert got.headers["content-type"].startswith("text/plain") and "meter.txt" in got.headers["content-disposition"]
    api.get(f"/api/contacts/{cid}/attachments/sha256-{'0' * 64}", user="ann", expect=404)
    api.get(f"/api/contacts/{cid}/attachments/{theirs['id']}", user="bob", expect=403)  # not bob's contact

    # the agent uploads (limits of the instance) and sends a file
    url, ann = f"/api/contacts/{cid}/attachments", api.headers("ann")
    big = chat.http.post(url, files={"file": ("big.png", b"\x89PNG" + b"0" * 2000, "image/png")}, headers=ann)
    assert big.status_code == 413 and big.json()["error"] == "too_large"
    exe = chat.http.post(url, files={"file": ("x.exe", b"MZ", "application/x-msdownload")}, headers=ann)
    assert exe.status_code == 415
    assert chat.http.post(url, files={"file": ("a.txt", b"hi", "text/plain")},
                          headers=api.headers("bob")).status_code == 403
    mine = chat.http.post(url, files={"file": ("bill.txt", b"your bill", "text/plain")}, headers=ann)
    assert mine.status_code == 201, mine.text
    info = mine.json()
    assert (info["name"], info["size"], info["uri"]) == ("bill.txt", 9, f"/api/contacts/{cid}/attachments/{info['id']}")
    api.post(f"/api/contacts/{cid}/messages", user="ann", expect=201, json={"body": "here", "attachments": [info]})
    frame = customer.wait(lambda f: f.get("type") == "message" and f["message"]["body"] == "here")
    (sent,) = frame["message"]["attachments"]
    assert sent["name"] == "bill.txt"
    assert chat.http.get(sent["uri"], headers=auth).content == b"your bill"  # the customer downloads it
    again = chat.http.get(info["uri"], headers=ann)
    assert again.status_code == 200 and again.content == b"your bill"
