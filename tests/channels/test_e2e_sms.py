"""SMS end to end on both backends: Twilio-shaped webhooks over real HTTP into the live app (signed),
replies delivered to the Twilio stand-in, status callbacks, retries, and STOP/START in the dialer's DNC."""

from __future__ import annotations

from typing import Any

import pytest

from blendcc.domain.conversation import ChannelRef

from .live_messaging import BILLING_NUMBER, NUMBER, SID, Live, basic_auth, live_fixture  # noqa: F401  (the fixture)

CUSTOMER = "+447911123456"


def _contacts(lv: Live, channel: str = "sms") -> list[dict[str, Any]]:
    return [r for r in lv.api.container.store.interactions() if r["channel"] == channel]


def _events(lv: Live, kind: str) -> list[Any]:
    return [s.event for s in lv.api.container.store.read() if s.event.type == kind]


def _open(lv: Live, sid: str = "SM100", body: str = "my router is broken") -> str:
    r = lv.sms(sid, CUSTOMER, body)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/xml") and "<Response>" in r.text
    (row,) = _contacts(lv)
    return str(row["contact_id"])


def test_an_inbound_sms_is_stored_routed_and_a_redelivery_stores_nothing(live: Live) -> None:
    contact_id = _open(live)
    row = live.api.contact(contact_id)
    assert row["attributes"]["channel_instance"] == "main" and row["attributes"]["to_number"] == NUMBER
    assert row["queue_id"] == "support"  # the first text routes ('broken')
    (offer,) = _events(live, "ContactOffered")
    assert offer.agent_id == "a1"
    assert live.sms("SM100", CUSTOMER, "my router is broken").status_code == 200  # Twilio retried the webhook
    received = _events(live, "MessageReceived")
    assert [(e.provider_message_id, e.address, e.body) for e in received] == [("SM100", CUSTOMER,
                                                                               "my router is broken")]
    assert len(_contacts(live)) == 1


def test_each_number_routes_through_its_own_workflow(live: Live) -> None:
    # before its workflow exists, the billing number's messages are still stored, routed by the channel's
    assert live.sms("SM499", "+12025550143", "hello", instance="billing", to=BILLING_NUMBER).status_code == 200
    live.api.put("/api/config/workflows/sms_billing", json={"name": "SMS billing line",
                                                            "default": [{"queue": "billing"}]})
    assert live.sms("SM500", CUSTOMER, "my router is broken", instance="billing", to=BILLING_NUMBER).status_code == 200
    assert live.sms("SM501", "+442079460123", "my router is broken").status_code == 200
    by_instance = {r["attributes"]["channel_instance"]: live.api.contact(r["contact_id"]) for r in _contacts(live)
                   if r["attributes"]["caller_id"] != "+12025550143"}
    assert sorted(c["queue_id"] for c in _contacts(live) if c["attributes"]["channel_instance"] == "billing") == [
        "billing", "sales"]  # the number's workflow once it exists; the channel's before
    assert by_instance["main"]["queue_id"] == "support"  # the main workflow ('broken')
    assert live.sms("SM502", CUSTOMER, "hi", instance="billing", to=NUMBER).status_code == 422  # not its number


def test_a_wrong_signature_is_refused_with_403_and_nothing_is_stored(live: Live,
                                                                     caplog: pytest.LogCaptureFixture) -> None:
    params = {"MessageSid": "SM9", "AccountSid": SID, "From": CUSTOMER, "To": NUMBER, "Body": "hi", "NumMedia": "0"}
    r = live.twilio_post("/webhooks/twilio/main/sms", params, token="not-the-auth-token")
    assert r.status_code == 403 and r.json()["error"] == "forbidden"
    assert live.twilio_post("/webhooks/twilio/main/sms", params, signature="").status_code == 403
    # a signature of other parameters (the body was altered on the way) is refused too
    from blendcc.adapters.channels.messaging.twilio_sms import twilio_signature

    url = live.app.url + "/webhooks/twilio/main/sms"
    forged = twilio_signature("twilio-secret", url, {**params, "Body": "x"}.items())
    assert live.twilio_post("/webhooks/twilio/main/sms", params, signature=forged).status_code == 403
    assert _events(live, "MessageReceived") == [] and _contacts(live) == []
    assert live.http.post("/webhooks/twilio/nope/sms", data=params).status_code == 404  # unknown instance
    assert live.http.post("/webhooks/carrier-pigeon/main/sms", data=params).status_code == 404  # unknown provider
    assert caplog.text.count("invalid X-Twilio-Signature") == 3  # every refusal is logged


def test_bad_input_gets_a_clear_4xx_and_unsupported_media_is_refused(live: Live,
                                                                     caplog: pytest.LogCaptureFixture) -> None:
    r = live.sms("SM200", CUSTOMER, "x" * 1601)
    assert r.status_code == 422 and "1601 characters" in r.json()["detail"]
    r = live.sms("SM201", CUSTOMER, "", NumMedia="x")
    assert r.status_code == 422 and "NumMedia" in r.json()["detail"]
    assert _events(live, "MessageReceived") == []
    big = live.http.post("/webhooks/twilio/main/sms", content=b"a=" + b"b" * (1024 * 1024 + 1),
                         headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert big.status_code == 413 and big.json()["error"] == "too_large"
    r = live.sms("SM202", CUSTOMER, "see pictures", NumMedia="2",
                 MediaUrl0=f"https://api.twilio.com/2010-04-01/Accounts/{SID}/Messages/SM202/Media/ME1",
                 MediaContentType0="image/jpeg",
                 MediaUrl1=f"https://api.twilio.com/2010-04-01/Accounts/{SID}/Messages/SM202/Media/ME2",
                 MediaContentType1="application/x-msdownload")
    assert r.status_code == 200
    (message,) = _events(live, "MessageReceived")
    assert [(a.media_type, a.uri.endswith("/ME1")) for a in message.attachments] == [("image/jpeg", True)]
    assert "attachment refused: application/x-msdownload" in message.body
    assert "1601 characters" in caplog.text and "refused media 1" in caplog.text


def test_a_reply_goes_out_through_the_messages_api_and_status_callbacks_move_it_on(live: Live) -> None:
    contact_id = _open(live)
    live.accept(contact_id)
    adapter: Any = live.api.container.channels.adapter(ChannelRef("sms", "main"))
    adapter.status_callback = live.app.url + "/webhooks/twilio/main/status"
    text = "Hello! Your engineer comes at 10:00 €"  # '€' is in the GSM extension table
    out = live.reply(contact_id, body=text)
    assert out["status"] == "queued" and out["segments"] == 1
    no_template = live.api.error("POST", f"/api/contacts/{contact_id}/messages", 422, user="ann",
                                 json={"template": {"name": "order_update", "language": "en_US"}})
    assert no_template["detail"] == "this channel cannot send templates"
    assert live.timers.run_due() == 1
    (req,) = [r for r in live.twilio.received if r.path.endswith("Messages.json")]
    assert req.path == f"/2010-04-01/Accounts/{SID}/Messages.json"
    assert req.headers["authorization"] == basic_auth(SID, "twilio-secret")
    assert req.form["To"] == CUSTOMER and req.form["From"] == NUMBER and req.form["Body"] == text
    assert req.form["StatusCallback"] == f"{adapter.status_callback}?message_id={out['id']}"
    (sent,) = [m for m in live.thread(contact_id) if m["direction"] == "outbound"]
    assert sent["status"] == "sent" and sent["provider_message_id"].startswith("SM")
    sid = sent["provider_message_id"]
    callback = req.form["StatusCallback"].removeprefix(live.app.url)
    for status in ("sent", "delivered", "failed"):  # a late failure after delivery changes nothing
        params = {"MessageSid": sid, "MessageStatus": status, "AccountSid": SID, "From": NUMBER, "To": CUSTOMER}
        if status == "failed":
            params["ErrorCode"] = "30003"
        assert live.twilio_post(callback, params).status_code == 200
    (sent,) = [m for m in live.thread(contact_id) if m["direction"] == "outbound"]
    assert sent["status"] == "delivered"
    bad = {"MessageSid": sid, "MessageStatus": "delivered", "AccountSid": SID}
    assert live.twilio_post(callback, bad, token="wrong").status_code == 403


def test_deliveries_retry_on_429_and_5xx_and_a_4xx_is_final(live: Live) -> None:
    contact_id = _open(live)
    live.accept(contact_id)
    live.twilio.fail(1, 429, {"code": 20429, "message": "Too Many Requests", "status": 429})
    live.twilio.fail(1, 503, {"code": 20503, "message": "Service Unavailable", "status": 503})
    first = live.reply(contact_id, body="one moment please")
    live.timers.run_due()
    assert live.timers.pending()  # retried later, not given up
    live.timers.advance(3600)
    (msg,) = [m for m in live.thread(contact_id) if m["id"] == first["id"]]
    assert msg["status"] == "sent" and msg["attempts"] == 3
    live.twilio.fail(1, 400, {"code": 21211, "message": "The 'To' number is not a valid phone number.",
                              "status": 400})
    second = live.reply(contact_id, body="are you still there?")
    live.timers.advance(3600)
    (msg,) = [m for m in live.thread(contact_id) if m["id"] == second["id"]]
    assert msg["status"] == "failed" and msg["attempts"] == 1 and "21211" in msg["status_reason"]
    assert len(live.twilio.sent()) == 4  # three attempts of the first, one of the second


def _dnc(live: Live) -> dict[str, str]:
    return {e["phone"]: e["reason"] for e in live.api.get("/api/dnc/%2A")}


def test_stop_opts_out_into_the_dialer_dnc_and_start_opts_back_in(live: Live) -> None:
    contact_id = _open(live)
    live.accept(contact_id)
    assert live.sms("SM300", CUSTOMER, " Stop ").status_code == 200
    assert CUSTOMER in _dnc(live) and "STOP" in _dnc(live)[CUSTOMER]
    refused = live.api.error("POST", f"/api/contacts/{contact_id}/messages", 422, user="ann",
                             json={"body": "wait, one more thing"})
    assert "opted out" in refused["detail"] and "START" in refused["detail"]
    assert live.sms("SM301", CUSTOMER, "please stop the noise").status_code == 200  # not a keyword
    assert CUSTOMER in _dnc(live)
    assert live.sms("SM302", CUSTOMER, "START").status_code == 200
    assert CUSTOMER not in _dnc(live)
    assert live.reply(contact_id, body="welcome back")["status"] == "queued"
    live.timers.run_due()
    assert [f["Body"] for f in live.twilio.sent()] == ["welcome back"]


def test_start_keeps_a_number_that_is_on_the_dnc_for_another_reason(live: Live) -> None:
    live.api.post("/api/dnc/%2A/numbers", json={"phone": CUSTOMER, "reason": "regulator list"}, expect=201)
    _open(live, "SM400", "START")
    assert _dnc(live)[CUSTOMER] == "regulator list"


def _health(live: Live, channel: str) -> dict[str, Any] | None:
    import time

    for _ in range(100):  # reported off the delivery thread, through the crisis service's pool
        found = [h for h in live.api.get("/api/crisis/health") if h["channel"] == channel]
        if found:
            return found[0]
        time.sleep(0.05)
    return None


def test_a_provider_failing_in_a_row_makes_its_channel_unhealthy_and_starts_the_playbook(live: Live) -> None:
    import time

    live.api.put("/api/crisis/playbooks/sms-down", json={
        "triggers": [{"kind": "channel", "channel": "sms:main", "for_s": 0, "clear_for_s": 0}],
        "actions": [{"kind": "banner", "text": "SMS provider failing: tell customers to call"}]})
    contact_id = _open(live)
    live.accept(contact_id)
    live.twilio.fail(2, 503, {"code": 20503, "message": "Service Unavailable", "status": 503})
    live.reply(contact_id, body="one moment please")
    live.timers.run_due()
    live.timers.advance(3600)  # two failures then a success: never three in a row, nothing reported
    assert _health(live, "sms:main") is None
    # three failures in a row: unhealthy, the playbook starts; the fourth attempt goes through: it ends
    live.twilio.fail(3, 503, {"code": 20503, "message": "Service Unavailable", "status": 503})
    live.reply(contact_id, body="still here")
    live.timers.run_due()
    for _ in range(4):
        live.timers.advance(900)
    for _ in range(100):
        kinds = [e.type for e in _events(live, "CrisisStarted") + _events(live, "CrisisEnded")]
        if kinds == ["CrisisStarted", "CrisisEnded"]:
            break
        time.sleep(0.05)
    assert kinds == ["CrisisStarted", "CrisisEnded"]
    (started,) = _events(live, "CrisisStarted")
    assert started.playbook_id == "sms-down" and list(started.triggers) == ["channel sms:main unhealthy"]
    up = _health(live, "sms:main")
    assert up is not None and up["healthy"] is True and up["by"] == "deliveries"
