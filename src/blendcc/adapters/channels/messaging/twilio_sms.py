"""SMS over a provider with Twilio's shapes: signed form webhooks in, the Messages API out, STOP/START."""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import urlencode

import httpx

from blendcc.adapters.channels.base import ChannelBase
from blendcc.adapters.channels.messaging import http
from blendcc.adapters.channels.messaging.optout import DncOptOuts
from blendcc.domain.conversation import (
    Attachment,
    ChannelRef,
    ChannelUnsupported,
    DeliveryFailed,
    DeliveryStatus,
    OutboundMessage,
    ReceiveMessage,
    UpdateDelivery,
)
from blendcc.domain.errors import ValidationFailed
from blendcc.domain.sms import opt_keyword
from blendcc.ports import ChannelCapabilities

log = logging.getLogger(__name__)

#: Twilio concatenates at most 10 segments (1600 characters) per message
MAX_BODY = 1600
MAX_MEDIA = 10
#: inbound MMS media kept as attachment references; anything else is refused (and logged)
INBOUND_MEDIA = ("image/*", "audio/*", "video/*", "application/pdf", "text/vcard", "text/x-vcard")
SMS_CAPABILITIES = ChannelCapabilities(realtime=False, text=True, delivery_receipts=True, max_message_length=MAX_BODY)

_STATUS = {"sent": DeliveryStatus.SENT, "delivered": DeliveryStatus.DELIVERED, "read": DeliveryStatus.READ,
           "undelivered": DeliveryStatus.FAILED, "failed": DeliveryStatus.FAILED}
_PENDING = {"accepted", "scheduled", "queued", "sending", "receiving", "received"}


def twilio_signature(auth_token: str, url: str, params: Iterable[tuple[str, str]]) -> str:
    """Twilio's request signature: HMAC-SHA1 (key: the auth token) of the full URL followed by every POST
    parameter's name and value, sorted by name, base64-encoded."""
    data = url + "".join(k + v for k, v in sorted(params))
    return base64.b64encode(hmac.new(auth_token.encode(), data.encode(), hashlib.sha1).digest()).decode()


class TwilioSmsChannel(ChannelBase):
    """One SMS number (instance) of an account. ``base_url``: the API's address (a stand-in in tests);
    ``status_callback``: the public URL of our delivery-status webhook for this instance."""

    def __init__(self, instance: str, number: str, account_sid: str, auth_token: str, *,
                 base_url: str = "https://api.twilio.com", status_callback: str | None = None,
                 optouts: DncOptOuts | None = None, timeout_s: float = 10.0,
                 attributes: Mapping[str, Any] | None = None, workflow: str | None = None):
        super().__init__(ChannelRef("sms", instance), SMS_CAPABILITIES)
        self.workflow = workflow  # the routing workflow of this number's new contacts
        self.number = number
        self.account_sid = account_sid
        self.auth_token = auth_token
        self.base_url = base_url.rstrip("/")
        self.status_callback = status_callback
        self.optouts = optouts
        self.attributes = dict(attributes or {})  # routing attributes of every contact of this number (e.g. queue)
        self._http = http.client(timeout_s)


    def verify(self, url: str, params: Iterable[tuple[str, str]], signature: str | None) -> bool:
        return http.same(signature, twilio_signature(self.auth_token, url, params))

    # ------------------------------------------------------------------ inbound

    def translate(self, payload: Mapping[str, Any]) -> list[ReceiveMessage | UpdateDelivery]:
        """An inbound message (From, To, Body, MessageSid, NumMedia, MediaUrlN, MediaContentTypeN) or a
        status callback (MessageSid, MessageStatus, ErrorCode; ``message_id``: ours, from the callback URL)."""
        where = f"twilio webhook for {self._channel}"
        sid = http.str_field(payload, "MessageSid", where, max_length=64)
        if "MessageStatus" in payload and "Body" not in payload:
            return self._status(sid, payload, where)
        sender = http.str_field(payload, "From", where, max_length=64)
        to = payload.get("To")
        if to is not None and to != self.number:
            raise ValidationFailed(f"{where}: message to {to!r}, but this instance is number {self.number}")
        body = payload.get("Body", "")
        if not isinstance(body, str):
            raise ValidationFailed(f"{where}: 'Body' must be a string")
        if len(body) > MAX_BODY:
            raise ValidationFailed(f"{where}: the body has {len(body)} characters; at most {MAX_BODY} are accepted")
        attachments, refused = self._media(sid, payload, where)
        if refused:
            body = (body + "\n" if body else "") + "; ".join(refused)
        return [ReceiveMessage(self._channel, sender, body, provider_message_id=sid, attachments=attachments,
                               attributes={**self.attributes, "to_number": self.number}, workflow_id=self.workflow)]

    def _media(self, sid: str, payload: Mapping[str, Any], where: str) -> tuple[tuple[Attachment, ...], list[str]]:
        raw = payload.get("NumMedia", "0")
        try:
            count = int(raw)
        except (TypeError, ValueError):
            raise ValidationFailed(f"{where}: NumMedia {raw!r} is not a number") from None
        if not 0 <= count <= MAX_MEDIA:
            raise ValidationFailed(f"{where}: NumMedia must be 0..{MAX_MEDIA}")
        out, refused = [], []
        for i in range(count):
            url = http.str_field(payload, f"MediaUrl{i}", where, max_length=2048)
            media_type = str(payload.get(f"MediaContentType{i}") or "application/octet-stream")
            caps = ChannelCapabilities(realtime=False, attachments=True, attachment_types=INBOUND_MEDIA)
            if "/" not in media_type or not caps.accepts_type(media_type):
                log.warning("%s: refused media %d of %s (%s)", where, i, sid, media_type)
                refused.append(f"[attachment refused: {media_type} is not accepted]")
                continue
            out.append(Attachment(f"{sid}-{i}", f"media{i}.{media_type.split('/')[1][:10]}", media_type, 0, url))
        return tuple(out), refused

    def _status(self, sid: str, payload: Mapping[str, Any], where: str) -> list[ReceiveMessage | UpdateDelivery]:
        raw = payload.get("MessageStatus")
        if not isinstance(raw, str):
            raise ValidationFailed(f"{where}: 'MessageStatus' must be a string")
        if raw in _PENDING:
            return []
        status = _STATUS.get(raw)
        if status is None:
            raise ValidationFailed(f"{where}: unknown MessageStatus {raw!r}")
        reason = None
        if status is DeliveryStatus.FAILED:
            code = payload.get("ErrorCode")
            reason = f"{raw} (Twilio error {code})" if code else raw
        ours = payload.get("message_id")
        return [UpdateDelivery(self._channel, status, provider_message_id=sid,
                               message_id=ours if isinstance(ours, str) else None, reason=reason)]

    def keyword(self, command: ReceiveMessage) -> str | None:
        """Apply STOP/START of a stored inbound message to the opt-out list; the keyword applied, if any."""
        word = opt_keyword(command.body)
        if word is None or self.optouts is None:
            return None
        if word == "stop":
            self.optouts.opt_out(command.address, command.body.strip(), str(self._channel))
        else:
            self.optouts.opt_in(command.address)
        return word

    # ------------------------------------------------------------------ outbound

    def recipient_refusal(self, address: str) -> str | None:
        if self.optouts is not None and self.optouts.opted_out(address):
            return (f"{address} has opted out of messages (replied STOP) and is on the do-not-contact list; "
                    "nothing can be sent until the customer texts START")
        return None

    def deliver(self, message: OutboundMessage) -> str:
        if message.template is not None:
            raise ChannelUnsupported("SMS has no templates; send the text itself")
        if message.attachments:
            raise ChannelUnsupported("this SMS channel sends text only")
        if not message.to:
            raise DeliveryFailed("the customer has no phone number to text", retryable=False)
        why = self.recipient_refusal(message.to)
        if why is not None:
            raise DeliveryFailed(why, retryable=False)
        form = {"To": message.to, "From": self.number, "Body": message.body}
        if self.status_callback:
            form["StatusCallback"] = f"{self.status_callback}?{urlencode({'message_id': message.message_id})}"
        url = f"{self.base_url}/2010-04-01/Accounts/{self.account_sid}/Messages.json"
        resp = http.post(self._http, "twilio", url, data=form, auth=httpx.BasicAuth(self.account_sid, self.auth_token))
        data = http.json_body(resp)
        if resp.status_code not in (200, 201):
            raise http.failure("twilio", resp, f"error {data.get('code')}: {data.get('message') or resp.text[:200]}")
        sid = data.get("sid")
        if not isinstance(sid, str) or not sid:
            raise DeliveryFailed("twilio accepted the message without a sid", retryable=True)
        return sid

    def close(self) -> None:
        self._http.close()
