"""Provider input edge cases of the messaging adapters: receipts with failure reasons, skipped update
kinds, pending statuses, inputs for another number, and what each channel refuses to send."""

from __future__ import annotations

import pytest

from blendcc.adapters.channels.messaging.meta import MessengerChannel, WhatsAppChannel
from blendcc.adapters.channels.messaging.telegram import TelegramChannel
from blendcc.adapters.channels.messaging.twilio_sms import TwilioSmsChannel
from blendcc.domain.conversation import (
    ChannelRef,
    ChannelUnsupported,
    DeliveryStatus,
    MessageTemplate,
    OutboundMessage,
    ReceiveMessage,
    UpdateDelivery,
)
from blendcc.domain.errors import ValidationFailed

from .test_contract_messenger import ms_event
from .test_contract_telegram import tg_update
from .test_contract_whatsapp import PHONE_ID, wa_status

SMS = TwilioSmsChannel("main", "+15005550006", "AC1", "token")
WA = WhatsAppChannel("wa", PHONE_ID, app_secret="s", verify_token="v", access_token="t")
MS = MessengerChannel("fb", "1234567890", app_secret="s", verify_token="v", access_token="t")
TG = TelegramChannel("tg", "1:abc", "secret")


def test_twilio_statuses_pending_ones_change_nothing_and_failures_carry_the_error_code() -> None:
    assert SMS.translate({"MessageSid": "SM1", "MessageStatus": "sending"}) == []
    (update,) = SMS.translate({"MessageSid": "SM1", "MessageStatus": "undelivered", "ErrorCode": "30005",
                               "message_id": "c1.mabc"})
    assert update == UpdateDelivery(ChannelRef("sms", "main"), DeliveryStatus.FAILED, provider_message_id="SM1",
                                    message_id="c1.mabc", reason="undelivered (Twilio error 30005)")
    with pytest.raises(ValidationFailed, match="unknown MessageStatus"):
        SMS.translate({"MessageSid": "SM1", "MessageStatus": "teleported"})
    with pytest.raises(ValidationFailed, match="this instance is number"):
        SMS.translate({"MessageSid": "SM2", "From": "+14155550100", "To": "+19999999999", "Body": "hi"})


def test_whatsapp_failed_status_reason_and_unknown_statuses() -> None:
    (update,) = WA.translate(wa_status("wamid.1", "failed", errors=[
        {"code": 131047, "title": "Re-engagement message"}]))
    assert update.status is DeliveryStatus.FAILED and update.reason == "131047 Re-engagement message"
    assert WA.translate(wa_status("wamid.1", "deleted")) == []


def test_messenger_and_telegram_skip_what_is_not_a_new_message() -> None:
    assert MS.translate(ms_event({"read": {"watermark": 1}})) == []
    assert MS.translate(ms_event({"message": {"mid": "m1", "text": "x"}}, page_id="999")) == []  # another page
    assert TG.translate({"update_id": 5, "edited_message": {"text": "typo"}}) == []
    assert TG.translate({"update_id": 6, "callback_query": {"id": "1"}}) == []
    (doc,) = TG.translate(tg_update(7, 42, {"document": {"file_id": "BQAD", "file_unique_id": "u1",
                                                          "file_name": "invoice.pdf", "mime_type": "application/pdf",
                                                          "file_size": 2048}}))
    assert isinstance(doc, ReceiveMessage) and doc.body == ""
    assert [(a.name, a.media_type, a.size, a.uri) for a in doc.attachments] == [
        ("invoice.pdf", "application/pdf", 2048, "telegram-file:BQAD")]
    with pytest.raises(ValidationFailed, match="4096"):
        TG.translate(tg_update(8, 42, {"text": "x" * 4097}))


def test_templates_go_only_where_the_provider_has_them() -> None:
    template = MessageTemplate("order_update", "en_US", ("A-1",))
    for adapter, to in ((SMS, "+14155550100"), (MS, "messenger:1"), (TG, "telegram:1")):
        assert adapter.capabilities.refusal("", None, (), template=True) == "this channel cannot send templates"
        with pytest.raises(ChannelUnsupported):
            adapter.deliver(OutboundMessage("c1", "c1.m1", adapter.channel, to, "", template=template))
    assert WA.capabilities.refusal("", None, (), last_inbound_at=0.0, now=10**6, template=True) is None
    why = WA.capabilities.refusal("hi", None, (), last_inbound_at=0.0, now=86_401.0)
    assert why is not None and "closed at 1970-01-02T00:00:00+00:00" in why
    assert WA.capabilities.refusal("hi", None, (), last_inbound_at=0.0, now=86_399.0) is None


def test_a_provider_that_does_not_answer_in_time_or_at_all_is_a_retryable_failure() -> None:
    import socket

    from blendcc.domain.conversation import DeliveryFailed

    from .standins import TelegramStandIn

    standin = TelegramStandIn("1:abc")
    standin.stall_s = 1.0
    slow = TelegramChannel("tg", "1:abc", "secret", base_url=standin.url, timeout_s=0.2)
    message = OutboundMessage("c1", "c1.m1", slow.channel, "telegram:42", "hello")
    try:
        with pytest.raises(DeliveryFailed) as timed_out:
            slow.deliver(message)
        assert timed_out.value.retryable and "did not answer in time" in timed_out.value.reason
    finally:
        slow.close()
        standin.close()
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    gone = TelegramChannel("tg", "1:abc", "secret", base_url=f"http://127.0.0.1:{port}", timeout_s=1)
    with pytest.raises(DeliveryFailed) as refused:
        gone.deliver(message)
    assert refused.value.retryable and "could not be reached" in refused.value.reason
    assert "1:abc" not in refused.value.reason  # the bot token stays out of reasons the agent sees
