"""Web chat end to end on both backends: real WebSocket clients (customers on /ws/webchat, the agent on
/ws/agent) against the app on a real uvicorn server, transcripts captured by a real SMTP server."""

from __future__ import annotations

from typing import Any

from .live_chat import LiveChat, chat_fixture  # noqa: F401  (the fixture)


def test_a_whole_chat_from_pre_chat_to_csat_and_transcript(chat: LiveChat) -> None:
    config = chat.http.get("/api/webchat/default/config").json()
    assert config["centre_name"] == "Acme" and config["open"] is True and config["bot"] is False
    assert [t["id"] for t in config["topics"]] == ["billing", "tech"] and config["languages"] == ["en", "fa"]
    assert chat.http.get("/api/webchat/nope/config").status_code == 404
    session = chat.start(topic="tech", language="fa")
    assert session["token"] and session["session_id"].startswith("wc-")
    customer, welcome = chat.customer(session)
    assert welcome["state"] == "new" and welcome["messages"] == [] and welcome["contact_id"] is None

    customer.send({"type": "message", "client_id": "c1", "body": "Hello, my router is broken", "attachments": []})
    ack = customer.type("ack", client_id="c1")
    first = ack["message"]
    assert first["direction"] == "inbound" and first["author"]["kind"] == "customer" and first["client_id"] == "c1"
    assert first["body"] == "Hello, my router is broken" and first["seq"] > 0
    queue = customer.type("queue")  # nobody is logged in: it waits, first in line
    assert queue["position"] == 1
    (created,) = chat.events("ContactCreated")
    contact_id = created.contact_id
    row = chat.api.contact(contact_id)
    assert row["channel"] == "chat" and row["queue_id"] == "support"  # 'broken' routes to support
    attrs = row["attributes"]
    assert attrs["topic"] == "tech" and attrs["language"] == "fa" and attrs["email"] == "dana@example.org"
    assert attrs["thread_ref"] == session["session_id"] and attrs["channel_instance"] == "default"

    chat.api.agent_login("a1")  # the chat is offered at once
    agent = chat.agent("ann")
    chat.api.act("a1", contact_id, "accept")
    assert customer.type("agent")["name"] == "Ann"
    customer.type("state", state="connected")

    customer.send({"type": "message", "client_id": "c2", "body": "Are you there?"})
    second = customer.type("ack", client_id="c2")["message"]
    assert first["status"] == "sent" and second["status"] == "delivered"  # the ack carries it: an agent holds it
    assert customer.type("status", message_id=second["id"])["status"] == "delivered"
    got = agent.stream("MessageReceived", message_id=second["id"])
    assert got["body"] == "Are you there?" and got["contact_id"] == contact_id

    customer.send({"type": "typing", "on": True})
    assert agent.stream("CustomerTyping", contact_id=contact_id)["on"] is True
    chat.api.post(f"/api/contacts/{contact_id}/typing", "ann", json={"on": True})
    assert customer.type("typing")["name"] == "Ann"

    reply = chat.api.post(f"/api/contacts/{contact_id}/messages", "ann", 201, json={"body": "Yes, how can I help?"})
    pushed = customer.type("message")["message"]
    assert pushed["id"] == reply["id"], (pushed, customer.frames)
    assert pushed["author"] == {"kind": "agent", "name": "Ann"}
    assert pushed["direction"] == "outbound"

    customer.send({"type": "read", "message_id": reply["id"]})
    assert agent.stream("MessageDeliveryUpdated", message_id=reply["id"], status="read")

    read = chat.api.post(f"/api/contacts/{contact_id}/read", "ann", json={"message_id": second["id"]})
    assert read["read"] == [first["id"], second["id"]]
    marks = {customer.type("status", message_id=m)["status"] for m in (first["id"], second["id"])}
    assert marks == {"read"}
    # a supervisor may read marks too, an agent who does not hold the contact may not
    assert chat.api.post(f"/api/contacts/{contact_id}/read", "bob", 403, json={"message_id": second["id"]})

    chat.api.act("a1", contact_id, "end")
    ended = customer.type("ended")
    assert ended["by"] == "agent"
    customer.send({"type": "rate", "score": 4, "comment": "quick"})
    customer.send({"type": "rate", "score": 5})
    assert customer.type("error")["code"] == "conflict"  # rated once only
    (survey,) = chat.events("SurveyAnswered")
    assert (survey.contact_id, survey.survey, survey.score, survey.comment, survey.agent_id, survey.channel) == (
        contact_id, "csat", 4, "quick", "a1", "chat")
    from ..email.peers import wait_until

    # the ended chat asked its CSAT: an invitation, so the chat's response rate is in the survey figures
    assert wait_until(lambda: len(chat.events("SurveyInvited")) == 1)
    (invited,) = chat.events("SurveyInvited")
    assert (invited.contact_id, invited.survey, invited.via, invited.agent_id, invited.queue_id) == (
        contact_id, "csat", "chat", "a1", "support")
    now = chat.api.container.clock.now()
    figures = chat.api.get(f"/api/reports/surveys?start={now - 3600}&end={now + 60}&group=channel", "sup")
    assert [{k: r[k] for k in ("survey", "channel", "invited", "answers", "response_rate", "mean", "csat")}
            for r in figures["rows"]] == [{"survey": "csat", "channel": "chat", "invited": 1, "answers": 1,
                                           "response_rate": 1.0, "mean": 4.0, "csat": 1.0}]

    r = chat.http.post(f"/api/webchat/sessions/{session['session_id']}/transcript", json={},
                       headers=chat.bearer(session))
    assert r.status_code == 202 and r.json() == {"to": "dana@example.org"}
    assert wait_until(lambda: len(chat.smtp.received) == 1)
    mail = chat.smtp.received[0]
    assert mail.rcpt_tos == ["dana@example.org"] and mail.message["Subject"] == "Your chat with Acme"
    text = mail.message.get_content()
    assert "Dana: Hello, my router is broken" in text and "Ann: Yes, how can I help?" in text


def test_a_supervisor_who_joins_is_shown_to_the_customer_as_supervisor_not_by_id(chat: LiveChat) -> None:
    session = chat.start(topic="tech")
    customer, _ = chat.customer(session)
    customer.send({"type": "message", "client_id": "c1", "body": "my router is broken"})
    customer.type("ack", client_id="c1")
    (created,) = chat.events("ContactCreated")
    chat.api.agent_login("a1")
    chat.api.act("a1", created.contact_id, "accept")
    customer.type("state", state="connected")
    sent = chat.api.post(f"/api/supervisor/contacts/{created.contact_id}/messages", "sup", 201,
                         json={"body": "Supervisor here; we will fix it."})
    pushed = customer.type("message")["message"]
    assert pushed["id"] == sent["id"] and pushed["body"] == "Supervisor here; we will fix it."
    assert pushed["author"] == {"kind": "agent", "name": None, "role": "supervisor"}  # never "supervisor:sup"
    _again, welcome = chat.customer(session)  # the thread replayed on a new socket says the same
    (replayed,) = [m for m in welcome["messages"] if m["id"] == sent["id"]]
    assert replayed["author"] == pushed["author"]
    chat.api.act("a1", created.contact_id, "end")
    customer.type("ended")
    r = chat.http.post(f"/api/webchat/sessions/{session['session_id']}/transcript", json={},
                       headers=chat.bearer(session))
    assert r.status_code == 202
    from ..email.peers import wait_until

    assert wait_until(lambda: len(chat.smtp.received) == 1)
    text = chat.smtp.received[0].message.get_content()
    assert "Supervisor: Supervisor here; we will fix it." in text and "supervisor:sup" not in text


def test_a_reconnect_with_after_gets_only_what_was_missed_and_survives_a_restart_of_the_socket(
        chat: LiveChat) -> None:
    session = chat.start()
    customer, _ = chat.customer(session)
    customer.send({"type": "message", "client_id": "m1", "body": "one"})
    one = customer.type("ack", client_id="m1")["message"]
    (created,) = chat.events("ContactCreated")
    contact_id = created.contact_id
    chat.api.agent_login("a1")
    chat.api.act("a1", contact_id, "accept")
    customer.type("agent")
    customer.close()  # the page reloads / the network drops
    reply = chat.api.post(f"/api/contacts/{contact_id}/messages", "ann", 201, json={"body": "missed this"})
    again, welcome = chat.customer(session, after=one["seq"])
    assert welcome["state"] == "connected" and welcome["agent"] == {"name": "Ann"}
    assert [m["id"] for m in welcome["messages"]] == [reply["id"]]
    assert welcome["seq"] == welcome["messages"][-1]["seq"]
    _, everything = chat.customer(session, after=0)
    assert [m["body"] for m in everything["messages"]] == ["one", "missed this"]
    assert everything["messages"][0]["client_id"] == "m1"
    # the other tab sees the customer's own new message; the sender gets the ack
    again.send({"type": "message", "client_id": "m2", "body": "two"})
    assert again.type("ack", client_id="m2")["message"]["body"] == "two"
    tab = chat.sockets[-1]
    assert tab.type("message")["message"]["client_id"] == "m2"


def test_a_resent_client_id_is_acknowledged_again_and_stored_once(chat: LiveChat) -> None:
    session = chat.start()
    customer, _ = chat.customer(session)
    for _ in range(2):
        customer.send({"type": "message", "client_id": "same", "body": "hello"})
    a, b = customer.type("ack", client_id="same"), customer.type("ack", client_id="same")
    assert a["message"]["id"] == b["message"]["id"]
    assert len(chat.events("MessageReceived")) == 1 and len(chat.events("ContactCreated")) == 1


def test_bad_tokens_and_bad_frames(chat: LiveChat) -> None:
    from websockets.exceptions import ConnectionClosed
    from websockets.sync.client import connect

    session = chat.start()
    for hello in ({"type": "hello", "session_id": session["session_id"], "token": "wrong"},
                  {"type": "hello", "session_id": "wc-nope", "token": session["token"]},
                  {"type": "message", "body": "no hello first"}):
        with connect(chat.ws_url) as ws:
            ws.send(__import__("json").dumps(hello))
            try:
                ws.recv(timeout=5)
                raise AssertionError("the socket should have closed")
            except ConnectionClosed as exc:
                assert exc.rcvd is not None and exc.rcvd.code == 4401
    customer, _ = chat.customer(session)
    customer.ws.send("not json")
    assert customer.type("error")["code"] == "invalid"
    customer.send({"type": "dance"})
    assert customer.type("error")["code"] == "invalid"
    customer.send({"type": "message", "client_id": "x", "body": "   "})
    assert customer.type("error")["code"] == "invalid"
    customer.send({"type": "ping"})
    customer.type("pong")  # still open after bad frames
    customer.send({"type": "message", "client_id": "big", "body": "x" * (70 * 1024)})
    try:
        customer.ws.recv(timeout=5)
        raise AssertionError("an oversize frame should close the socket")
    except ConnectionClosed as exc:
        assert exc.rcvd is not None and exc.rcvd.code == 1009
    assert chat.events("MessageReceived") == []
    # HTTP routes with the session token
    sid = session["session_id"]
    assert chat.http.post(f"/api/webchat/sessions/{sid}/transcript", json={}).status_code == 401
    assert chat.http.post(f"/api/webchat/sessions/{sid}/transcript", json={},
                          headers={"Authorization": "Bearer nope"}).status_code == 401
    # pre-chat validation
    assert chat.start(expect=422, email=None)["error"] == "invalid"  # email or phone
    assert chat.start(expect=422, email="not-an-email")["error"] == "invalid"
    assert chat.start(expect=422, topic="weather")["error"] == "invalid"
    assert chat.start(expect=422, language="de")["error"] == "invalid"
    assert chat.start(email=None, phone="+44 20 7946 0001")["session_id"]


def test_attachments_have_size_and_type_limits(chat: LiveChat) -> None:
    session = chat.start()
    sid, auth = session["session_id"], chat.bearer(session)
    url = f"/api/webchat/sessions/{sid}/attachments"
    too_big = chat.http.post(url, files={"file": ("big.png", b"\x89PNG" + b"0" * 2000, "image/png")}, headers=auth)
    assert too_big.status_code == 413 and too_big.json()["error"] == "too_large"
    wrong = chat.http.post(url, files={"file": ("run.exe", b"MZ", "application/x-msdownload")}, headers=auth)
    assert wrong.status_code == 415 and wrong.json()["error"] == "unsupported_media_type"
    assert chat.http.post(url, files={"file": ("a.txt", b"hi", "text/plain")}).status_code == 401
    ok = chat.http.post(url, files={"file": ("note.txt", b"hello file", "text/plain")}, headers=auth)
    assert ok.status_code == 201, ok.text
    info = ok.json()
    assert info["size"] == 10 and info["media_type"] == "text/plain" and info["name"] == "note.txt"
    customer, _ = chat.customer(session)
    customer.send({"type": "message", "client_id": "f1", "body": "", "attachments": [info["id"]]})
    message = customer.type("ack", client_id="f1")["message"]
    assert message["attachments"] == [info]
    got = chat.http.get(info["uri"], headers=auth)
    assert got.status_code == 200 and got.content == b"hello file"
    assert chat.http.get(info["uri"]).status_code == 401
    customer.send({"type": "message", "client_id": "f2", "body": "x", "attachments": ["sha256-" + "0" * 64]})
    assert customer.type("error")["code"] == "invalid"  # not uploaded in this session


def test_a_closed_centre_answers_409_and_the_offline_form_becomes_an_email_conversation(chat: LiveChat) -> None:
    config = chat.http.get("/api/webchat/closed/config").json()
    assert config["open"] is False and config["closed_reason"] == "outside business hours"
    refused = chat.start("closed", expect=409)
    assert refused["error"] == "closed"
    r = chat.http.post("/api/webchat/closed/offline", json={"name": "Eve", "email": "eve@example.org",
                                                            "topic": "billing", "message": "Call me back please"})
    assert r.status_code == 202, r.text
    reference = r.json()["reference"]
    row = chat.api.contact(reference)
    assert row["channel"] == "email" and row["attributes"]["channel_instance"] == "webchat-offline"
    assert row["attributes"]["caller_id"] == "eve@example.org" and row["attributes"]["topic"] == "billing"
    assert row["queue_id"] == "sales"  # the same workflow as the instance's chats
    thread = chat.api.get(f"/api/contacts/{reference}/messages", "sup")["messages"]
    assert [m["body"] for m in thread] == ["Call me back please"]
    assert chat.http.post("/api/webchat/closed/offline", json={"name": "Eve", "message": "x"}).status_code == 422


def test_the_bot_contains_a_chat_or_hands_it_to_a_queue(chat: LiveChat) -> None:
    contained = chat.start("bot")
    customer, welcome = chat.customer(contained)
    assert welcome["state"] == "bot"
    assert [m["body"] for m in welcome["messages"]] == ["Hello, I am the bot.",
                                                        "Type hours, or agent to talk to a person."]
    assert all(m["author"] == {"kind": "bot", "name": "Bot"} for m in welcome["messages"])
    customer.send({"type": "message", "client_id": "b1", "body": "hours"})
    customer.type("ack", client_id="b1")
    assert customer.type("message")["message"]["body"] == "We are open 9 to 5. Goodbye."
    assert customer.type("ended")["by"] == "system"
    ended = chat.events("BotSessionEnded")
    assert [(e.outcome, e.flow_id) for e in ended] == [("contained", "chatbot")]
    assert chat.events("ContactCreated") == []  # no agent was needed

    handed = chat.start("bot")
    customer2, _ = chat.customer(handed)
    customer2.send({"type": "message", "client_id": "b2", "body": "agent"})
    customer2.type("ack", client_id="b2")
    customer2.type("state", state="queued")
    (created,) = chat.events("ContactCreated")
    row = chat.api.contact(created.contact_id)
    assert row["channel"] == "chat" and row["attributes"]["from_bot"] is True
    assert row["attributes"]["ivr"]["menu"] == "5"
    outcomes = [(e.outcome, e.queue_id) for e in chat.events("BotSessionEnded")]
    assert outcomes == [("contained", None), ("handed_off", "sales")]
    thread = chat.api.get(f"/api/contacts/{created.contact_id}/messages", "sup")["messages"]
    assert [(m["author"]["kind"], m["body"]) for m in thread][-1] == ("customer", "agent")
    assert thread[0]["author"]["kind"] == "bot"  # the agent sees what the bot said

    abandoned = chat.start("bot")
    customer3, _ = chat.customer(abandoned)
    customer3.send({"type": "end"})
    assert customer3.type("ended")["by"] == "customer"
    assert [e.outcome for e in chat.events("BotSessionEnded")] == ["contained", "handed_off", "abandoned"]


def test_the_customer_ends_a_waiting_chat(chat: LiveChat) -> None:
    session = chat.start()
    customer, _ = chat.customer(session)
    customer.send({"type": "message", "client_id": "q1", "body": "hi"})
    customer.type("ack", client_id="q1")
    customer.send({"type": "end"})
    assert customer.type("ended")["by"] == "customer"
    (abandoned,) = chat.events("ContactAbandoned")
    assert abandoned.queue_id == "sales"
    customer.send({"type": "message", "client_id": "q2", "body": "again"})
    assert customer.type("error")["code"] == "conflict"


def test_an_unanswered_customer_times_out_after_the_idle_time(chat: LiveChat) -> None:
    from blendcc.testing.fake_channel import ManualTimers

    service: Any = chat.api.container.webchat
    timers = ManualTimers(chat.api.clock)
    service.later = timers  # the webchat's timers run on the fake clock in this test
    session = chat.start()
    customer, _ = chat.customer(session)
    customer.send({"type": "message", "client_id": "i1", "body": "hi"})
    customer.type("ack", client_id="i1")
    (created,) = chat.events("ContactCreated")
    chat.api.agent_login("a1")
    chat.api.act("a1", created.contact_id, "accept")
    chat.api.post(f"/api/contacts/{created.contact_id}/messages", "ann", 201, json={"body": "Anything else?"})
    customer.type("message")
    timers.advance(599)
    assert chat.events("ContactEnded") == []
    customer.send({"type": "message", "client_id": "i2", "body": "wait, one more thing"})
    customer.type("ack", client_id="i2")
    timers.advance(300)  # the customer answered: the first agent message no longer counts
    assert chat.events("ContactEnded") == []
    chat.api.post(f"/api/contacts/{created.contact_id}/messages", "ann", 201, json={"body": "Sure?"})
    timers.advance(600)
    ended = customer.type("ended")
    assert ended == {"type": "ended", "by": "system", "reason": "idle"}
    (end,) = chat.events("ContactEnded")
    assert end.contact_id == created.contact_id
    (state,) = chat.events("ConversationStateChanged")
    assert (state.by, state.reason, state.state) == ("system", "idle", "resolved")


def test_a_session_resumes_after_a_server_restart(chat: LiveChat, db_url: str, clock: Any, tmp_path: Any) -> None:
    import httpx

    from blendcc.api.app import create_app
    from blendcc.bootstrap import build_container

    from ..standins import LiveApp
    from .live_chat import chat_settings

    session = chat.start()
    customer, _ = chat.customer(session)
    customer.send({"type": "message", "client_id": "r1", "body": "before the restart"})
    first = customer.type("ack", client_id="r1")["message"]
    customer.close()
    # a second server process on the same database: nothing of the first one's memory
    container = build_container(chat_settings(db_url, chat.smtp.port, str(tmp_path / "att2")), clock=clock,
                                run_migrations=False)
    app = LiveApp(create_app(container, background=False))
    try:
        other = LiveChat(chat.api, app, httpx.Client(base_url=app.url, timeout=10), chat.smtp)
        again, welcome = other.customer(session)
        assert welcome["state"] == "queued" and [m["id"] for m in welcome["messages"]] == [first["id"]]
        again.send({"type": "message", "client_id": "r1", "body": "before the restart"})  # re-sent after the loss
        assert again.type("ack", client_id="r1")["message"]["id"] == first["id"]
        again.send({"type": "message", "client_id": "r2", "body": "after the restart"})
        second = again.type("ack", client_id="r2")["message"]
        assert second["id"] != first["id"] and second["seq"] > first["seq"]
        contacts = {e.contact_id for e in chat.events("MessageReceived")}
        assert len(contacts) == 1  # the same conversation, found again by its session
        again.close()
        other.http.close()
    finally:
        app.close()
        container.webchat.later.close()
        container.store.engine.dispose()
