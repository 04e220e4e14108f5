"""Senders of the crisis communication plan: email through the SMTP relay, SMS through a registered SMS
channel adapter, and a JSON webhook (chat-ops) over httpx. Each is ``(address, subject, text)`` and raises
on failure."""

from __future__ import annotations

import uuid
from collections.abc import Callable

import httpx

from blendcc.adapters.channels.email.relay import SmtpRelay
from blendcc.adapters.channels.webchat.mail import relay_mailer
from blendcc.domain.conversation import ChannelRef, DeliveryFailed, OutboundMessage
from blendcc.ports import ChannelAdapter

Sender = Callable[[str, str, str], None]


def email_sender(relay: SmtpRelay, sender: str, domain: str) -> Sender:
    return relay_mailer(relay, sender, domain)


def sms_sender(channel: ChannelAdapter, ref: ChannelRef) -> Sender:
    """Texts through the SMS channel's adapter (its provider, its number); the subject is not sent."""

    def send(to: str, _subject: str, text: str) -> None:
        message_id = "crisis-" + uuid.uuid4().hex[:16]
        channel.deliver(OutboundMessage(contact_id=message_id, message_id=message_id, channel=ref, to=to,
                                        body=text))

    return send


def webhook_sender(timeout_s: float = 10.0) -> Sender:
    """POSTs ``{"subject", "text"}`` as JSON (Slack-style incoming webhooks read ``text``)."""

    def send(url: str, subject: str, text: str) -> None:
        try:
            resp = httpx.post(url, json={"subject": subject, "text": f"{subject}\n{text}"}, timeout=timeout_s)
        except httpx.HTTPError as exc:
            raise DeliveryFailed(f"webhook {url[:80]} unreachable: {exc}", retryable=True) from None
        if resp.status_code >= 300:
            raise DeliveryFailed(f"webhook answered {resp.status_code}", retryable=resp.status_code >= 500)

    return send
