"""WhatsApp, Messenger and Telegram end to end on both backends: signed webhooks over real HTTP into the
live app, the hub.challenge handshake, duplicates, media and interactive replies, replies delivered to the
stand-ins in the providers' shapes, receipts, the 24-hour window with templates, and rate limits."""

from __future__ import annotations

from typing import Any

from .live_messaging import APP_SECRET, VERIFY, WA_PHONE_ID, WA_TOKEN, Live, live_fixture  # noqa: F401
from .test_contract_messenger import ms_event
from .test_contract_telegram import tg_update
from .test_contract_whatsapp import wa_message, wa_status

WA_ID = "447911123456"
DAY = 24 * 3600


def _received(lv: Live) -> list[Any]:
    return [s.event for s in lv.api.container.store.read() if s.event.type == "MessageReceived"]


def _text(wamid: str, body: str) -> dict[str, Any]:
    return wa_message(wamid, WA_ID, {"type": "text", "text": {"body": body}})


def _wa_open(lv: Live) -> str:
    r = lv.meta_post("whatsapp", _text("wamid.A1", "hello, where is my parcel?"))
    assert r.status_code == 200 and r.json() == {"received": 1, "duplicates": 0, "receipts": 0}
    (e,) = _received(lv)
    lv.accept(e.contact_id)
    return str(e.contact_id)


def test_the_webhook_verification_answers_the_challenge_only_with_the_verify_token(live: Live) -> None:
    for provider in ("whatsapp", "messenger"):
        ok = live.http.get(f"/webhooks/{provider}", params={"hub.mode": "subscribe", "hub.verify_token": VERIFY,
                                                             "hub.challenge": "1158201444"})
        assert ok.status_code == 200 and ok.text == "1158201444"
        bad = live.http.get(f"/webhooks/{provider}", params={"hub.mode": "subscribe", "hub.verify_token": "guess",
                                                              "hub.challenge": "1158201444"})
        assert bad.status_code == 403 and bad.json()["error"] == "forbidden"


def test_whatsapp_messages_are_stored_once_and_bad_signatures_are_refused(live: Live) -> None:
    assert live.meta_post("whatsapp", _text("wamid.X", "hi"), secret="not-the-app-secret").status_code == 403
    unsigned = live.http.post("/webhooks/whatsapp", json=_text("wamid.X", "hi"))
    assert unsigned.status_code == 403 and _received(live) == []
    contact_id = _wa_open(live)
    again = live.meta_post("whatsapp", _text("wamid.A1", "hello, where is my parcel?"))
    assert again.json() == {"received": 0, "duplicates": 1, "receipts": 0}
    (e,) = _received(live)
    assert e.address == f"whatsapp:{WA_ID}" and e.channel == "social" and e.channel_instance == "whatsapp"
    row = live.api.contact(contact_id)
    assert row["attributes"]["brand"] == "acme" and row["attributes"]["provider"] == "whatsapp"
    other_number = wa_message("wamid.B", WA_ID, {"type": "text", "text": {"body": "x"}}, phone_id="999")
    assert live.meta_post("whatsapp", other_number).json()["received"] == 0  # not one of our numbers
    assert live.meta_post("whatsapp", {"object": "page"}).status_code == 422
    garbage = live.http.post("/webhooks/whatsapp", content=b"{not json", headers={
        "X-Hub-Signature-256": "sha256=" + __import__("hmac").new(APP_SECRET.encode(), b"{not json",
                                                                   "sha256").hexdigest()})
    assert garbage.status_code == 422 and garbage.json()["error"] == "invalid"


def test_whatsapp_media_and_interactive_replies(live: Live) -> None:
    contact_id = _wa_open(live)
    image = wa_message("wamid.A2", WA_ID, {"type": "image", "image": {
        "caption": "the box was crushed", "mime_type": "image/jpeg", "sha256": "abc", "id": "1472586390"}})
    button = wa_message("wamid.A3", WA_ID, {"type": "interactive", "interactive": {
        "type": "button_reply", "button_reply": {"id": "refund", "title": "Refund please"}}})
    listed = wa_message("wamid.A4", WA_ID, {"type": "interactive", "interactive": {
        "type": "list_reply", "list_reply": {"id": "r2", "title": "Tomorrow", "description": "9-12"}}})
    odd = wa_message("wamid.A5", WA_ID, {"type": "unsupported", "errors": [{"code": 131051}]})
    for payload in (image, button, listed, odd):
        assert live.meta_post("whatsapp", payload).status_code == 200
    inbound = [m for m in live.thread(contact_id) if m["direction"] == "inbound"]
    assert [m["body"] for m in inbound[1:4]] == ["the box was crushed", "Refund please", "Tomorrow"]
    assert inbound[1]["attachments"] == [{"id": "1472586390", "name": "image-1472586390", "media_type": "image/jpeg",
                                          "size": 0, "uri": "whatsapp-media:1472586390"}]
    assert "unsupported WhatsApp message type 'unsupported'" in inbound[4]["body"]


def test_a_whatsapp_reply_goes_out_in_the_cloud_api_shape_and_statuses_move_it_on(live: Live) -> None:
    contact_id = _wa_open(live)
    out = live.reply(contact_id, body="It arrives today.")
    live.timers.run_due()
    (req,) = live.whatsapp.received
    assert req.path == f"/v19.0/{WA_PHONE_ID}/messages" and req.headers["authorization"] == f"Bearer {WA_TOKEN}"
    assert req.json == {"messaging_product": "whatsapp", "recipient_type": "individual", "to": WA_ID,
                        "type": "text", "text": {"body": "It arrives today.", "preview_url": False}}
    (sent,) = [m for m in live.thread(contact_id) if m["id"] == out["id"]]
    wamid = sent["provider_message_id"]
    assert sent["status"] == "sent" and wamid.startswith("wamid.")
    for status in ("delivered", "read", "delivered"):
        assert live.meta_post("whatsapp", wa_status(wamid, status, WA_ID)).json()["receipts"] == 1
    (sent,) = [m for m in live.thread(contact_id) if m["id"] == out["id"]]
    assert sent["status"] == "read"


def test_outside_the_24_hour_window_free_text_is_refused_and_a_template_goes_out(live: Live) -> None:
    contact_id = _wa_open(live)
    live.api.clock.advance(DAY + 60)
    refused = live.api.error("POST", f"/api/contacts/{contact_id}/messages", 422, user="ann",
                             json={"body": "Sorry for the wait!"})
    assert refused["error"] == "unsupported"
    assert "closed at 2024-01-16T09:00:00+00:00" in refused["detail"] and "template" in refused["detail"]
    assert live.timers.pending() == []
    out = live.reply(contact_id, template={"name": "order_update", "language": "en_US",
                                           "parameters": ["Sheena", "A-1042"]})
    assert out["body"] == "[template order_update (en_US): Sheena, A-1042]"
    live.timers.run_due()
    (req,) = live.whatsapp.received
    assert req.json["type"] == "template" and req.json["template"] == {
        "name": "order_update", "language": {"code": "en_US"},
        "components": [{"type": "body", "parameters": [{"type": "text", "text": "Sheena"},
                                                       {"type": "text", "text": "A-1042"}]}]}
    # the customer answers: the window opens again and free text goes
    assert live.meta_post("whatsapp", _text("wamid.A9", "thanks")).status_code == 200
    assert live.reply(contact_id, body="You are welcome.")["status"] == "queued"


def test_messenger_messages_replies_and_delivery_receipts(live: Live) -> None:
    msg = ms_event({"message": {"mid": "m_1", "text": "is the shop open?"}}, psid="6543210")
    bad = live.meta_post("messenger", msg, secret="wrong")
    assert bad.status_code == 403 and _received(live) == []
    assert live.meta_post("messenger", msg).json()["received"] == 1
    assert live.meta_post("messenger", msg).json()["duplicates"] == 1
    echo = ms_event({"message": {"mid": "m_2", "text": "our own", "is_echo": True}}, psid="6543210")
    postback = ms_event({"postback": {"mid": "m_3", "title": "Opening hours", "payload": "HOURS"}}, psid="6543210")
    photo = ms_event({"message": {"mid": "m_4", "attachments": [
        {"type": "image", "payload": {"url": "https://scontent.example/p.jpg"}},
        {"type": "fallback", "payload": {"title": "a link"}}]}}, psid="6543210")
    for payload in (echo, postback, photo):
        assert live.meta_post("messenger", payload).status_code == 200
    (first, second, third) = _received(live)
    assert first.address == "messenger:6543210" and second.body == "Opening hours"
    assert [a.uri for a in third.attachments] == ["https://scontent.example/p.jpg"]
    assert "attachment refused: fallback" in third.body
    live.accept(first.contact_id)
    out = live.reply(first.contact_id, body="Yes, until 18:00.")
    live.timers.run_due()
    (req,) = live.messenger.received
    assert req.path == "/v19.0/me/messages"
    assert req.json == {"recipient": {"id": "6543210"}, "messaging_type": "RESPONSE",
                        "message": {"text": "Yes, until 18:00."}}
    (sent,) = [m for m in live.thread(first.contact_id) if m["id"] == out["id"]]
    receipt = ms_event({"delivery": {"mids": [sent["provider_message_id"]], "watermark": 1}}, psid="6543210")
    assert live.meta_post("messenger", receipt).json()["receipts"] == 1
    (sent,) = [m for m in live.thread(first.contact_id) if m["id"] == out["id"]]
    assert sent["status"] == "delivered" and sent["channel"] == {"kind": "social", "instance": "messenger"}


def test_telegram_updates_with_the_secret_token_replies_and_rate_limits(live: Live) -> None:
    update = tg_update(700001, 424242, {"text": "hello bot"})
    assert live.telegram_post(update, secret="wrong").status_code == 403 and _received(live) == []
    assert live.telegram_post(update).json() == {"received": 1, "duplicates": 0, "receipts": 0}
    assert live.telegram_post(update).json() == {"received": 0, "duplicates": 1, "receipts": 0}
    photo = tg_update(700002, 424242, {"caption": "this one", "photo": [
        {"file_id": "AgAD-small", "file_unique_id": "s1", "file_size": 1200, "width": 90, "height": 90},
        {"file_id": "AgAD-large", "file_unique_id": "l1", "file_size": 81200, "width": 800, "height": 800}]})
    sticker = tg_update(700003, 424242, {"sticker": {"file_id": "CAAD", "width": 512, "height": 512}})
    assert live.telegram_post(photo).status_code == 200 and live.telegram_post(sticker).status_code == 200
    assert live.telegram_post({"update_id": "x"}).status_code == 422
    assert live.telegram_post({"update_id": 700004, "edited_message": {}}).json()["received"] == 0
    first, second, third = _received(live)
    assert first.address == "telegram:424242" and first.provider_message_id == "700001"
    assert [(a.uri, a.size) for a in second.attachments] == [("telegram-file:AgAD-large", 81200)]
    assert "unsupported Telegram message (sticker)" in third.body
    live.accept(first.contact_id)
    live.telegram.fail(1, 429, {"ok": False, "error_code": 429, "description": "Too Many Requests: retry after 37",
                                "parameters": {"retry_after": 37}})
    out = live.reply(first.contact_id, body="Hi Ada, how can I help?")
    now = live.api.clock.now()
    live.timers.run_due()
    assert live.timers.pending() == [now + 37]  # Telegram's retry_after, not the shorter back-off
    live.timers.advance(37)
    assert [(m, b) for m, b in live.telegram.sent()] == [("sendMessage", {"chat_id": 424242,
                                                                           "text": "Hi Ada, how can I help?"})] * 2
    (sent,) = [m for m in live.thread(first.contact_id) if m["id"] == out["id"]]
    assert sent["status"] == "sent" and sent["attempts"] == 2 and sent["provider_message_id"].startswith("424242:")
