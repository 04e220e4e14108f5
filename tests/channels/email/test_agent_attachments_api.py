"""An agent attaches a new file to an email reply through the API, on SQLite and PostgreSQL: the upload is stored
in the email channel's attachment store under the mailbox's size and type limits, only for the agent's own
contacts, and the reply reaches the SMTP relay with the file as a real MIME attachment."""

from __future__ import annotations

from typing import Any

from .conftest import EmailCentre, mail

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n"


def _users(api: Any) -> None:
    for user, agent in (("ann", "a1"), ("bob", "a2")):
        api.put(f"/api/users/{user}", json={"password": api.PASSWORD, "role": "agent", "agent_id": agent})


def test_an_agent_attaches_a_pdf_to_an_email_reply(email_centre: EmailCentre, make_api: Any) -> None:
    c = email_centre
    api = make_api(c.container, c.container.clock)
    _users(api)
    c.run(lambda eng, now: eng.login("a1", now))
    c.send(mail())
    contact_id = str(c.received()[-1].contact_id)
    c.run(lambda eng, now: eng.accept(contact_id, "a1", now))
    c.timers.run_due()  # the acknowledgement
    url, ann = f"/api/contacts/{contact_id}/attachments", api.headers("ann")
    # the mailbox's limits: 20 000 bytes in these settings, no executables
    big = api.client.post(url, files={"file": ("big.pdf", PDF + b"0" * 20_000, "application/pdf")}, headers=ann)
    assert big.status_code == 413 and big.json()["error"] == "too_large"
    exe = api.client.post(url, files={"file": ("x.exe", b"MZ", "application/x-msdownload")}, headers=ann)
    assert exe.status_code == 415 and "application/x-msdownload" in exe.json()["detail"]
    bob = api.client.post(url, files={"file": ("quote.pdf", PDF, "application/pdf")}, headers=api.headers("bob"))
    assert bob.status_code == 403  # not Bob's contact
    missing = api.client.post("/api/contacts/nope/attachments", files={"file": ("q.pdf", PDF, "application/pdf")},
                              headers=ann)
    assert missing.status_code in (403, 404)
    up = api.client.post(url, files={"file": ("quote.pdf", PDF, "application/pdf")}, headers=ann)
    assert up.status_code == 201, up.text
    info = up.json()
    assert (info["name"], info["media_type"], info["size"]) == ("quote.pdf", "application/pdf", len(PDF))
    assert info["uri"] == f"/api/contacts/{contact_id}/attachments/{info['id']}"
    assert c.container.email.attachments.read(info["id"]) == PDF  # in the email channel's store
    api.post(f"/api/contacts/{contact_id}/messages", user="ann", expect=201,
             json={"body": "Here is your quote.", "attachments": [info]})
    c.timers.run_due()
    reply = c.relay.received[-1].message
    assert reply["Subject"].startswith("Re: My order is late")
    (attached,) = list(reply.iter_attachments())
    assert attached.get_filename() == "quote.pdf" and attached.get_content_type() == "application/pdf"
    assert attached.get_content() == PDF
    again = api.client.get(info["uri"], headers=ann)  # the agent reads it back from the thread
    assert again.status_code == 200 and again.content == PDF
