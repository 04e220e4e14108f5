"""WhatsApp Business (Cloud API) and Facebook Messenger over the Graph API shapes: signed webhooks in
(``X-Hub-Signature-256``, the ``hub.challenge`` verification), messages and templates out."""

from __future__ import annotations

import logging
import mimetypes
from collections.abc import Iterator, Mapping
from typing import Any
from urllib.parse import urlsplit

from blendcc.adapters.channels.base import ChannelBase
from blendcc.adapters.channels.messaging import http
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
from blendcc.ports import ChannelCapabilities

log = logging.getLogger(__name__)

DAY_S = 24 * 3600.0
WHATSAPP_CAPABILITIES = ChannelCapabilities(
    realtime=False, text=True, attachments=True, max_attachment_bytes=16 * 1024 * 1024,
    attachment_types=("image/jpeg", "image/png", "audio/*", "video/mp4", "application/pdf", "text/plain"),
    delivery_receipts=True, read_receipts=True, max_message_length=4096, reply_window_s=DAY_S, templates=True)
MESSENGER_CAPABILITIES = ChannelCapabilities(
    realtime=False, text=True, attachments=True, max_attachment_bytes=25 * 1024 * 1024,
    attachment_types=("image/*", "audio/*", "video/*", "application/pdf"),
    delivery_receipts=True, max_message_length=2000, reply_window_s=DAY_S)
_MEDIA = ("image", "document", "audio", "video", "sticker")
_WA_STATUS = {"sent": DeliveryStatus.SENT, "delivered": DeliveryStatus.DELIVERED, "read": DeliveryStatus.READ,
              "failed": DeliveryStatus.FAILED}
#: Graph error codes worth another attempt (rate limits, temporary errors) even with a 4xx status
_RETRYABLE_CODES = {1, 2, 4, 17, 341, 80007, 130429, 131000, 131016, 131048, 131056}


def hub_signature(app_secret: str, body: bytes) -> str:
    """The ``X-Hub-Signature-256`` header value Meta sends: ``sha256=`` + HMAC-SHA256(app secret, raw body)."""
    return "sha256=" + http.hmac_hex(app_secret, body, "sha256")


def _objects(value: Any, where: str) -> list[Mapping[str, Any]]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, Mapping) for v in value):
        raise ValidationFailed(f"{where} must be a list of objects")
    return value


def _kind(media_type: str) -> str:
    major = media_type.split("/", 1)[0]
    return major if major in ("image", "audio", "video") else "document"


class _GraphChannel(ChannelBase):
    """What WhatsApp and Messenger share: the app secret, the verify token, the Graph API address."""

    provider = "graph"

    def __init__(self, channel: ChannelRef, capabilities: ChannelCapabilities, *, app_secret: str, verify_token: str,
                 access_token: str, base_url: str, api_version: str, timeout_s: float,
                 attributes: Mapping[str, Any] | None, workflow: str | None):
        super().__init__(channel, capabilities)
        self.workflow = workflow
        self.app_secret = app_secret
        self.verify_token = verify_token
        self.access_token = access_token
        self.base_url = base_url.rstrip("/")
        self.api_version = api_version
        self.attributes = dict(attributes or {})
        self._http = http.client(timeout_s)


    def verify(self, body: bytes, signature: str | None) -> bool:
        return http.same(signature, hub_signature(self.app_secret, body))

    def challenge(self, mode: str | None, token: str | None) -> bool:
        """The subscription handshake (GET ``hub.mode=subscribe&hub.verify_token=...``)."""
        return mode == "subscribe" and http.same(token, self.verify_token)

    def _post(self, url: str, payload: Mapping[str, Any]) -> dict[str, Any]:
        resp = http.post(self._http, self.provider, url, json=payload,
                         headers={"Authorization": f"Bearer {self.access_token}"})
        data = http.json_body(resp)
        if resp.status_code == 200:
            return data
        raw = data.get("error")
        error: Mapping[str, Any] = raw if isinstance(raw, Mapping) else {}
        code = error.get("code")
        detail = f"error {code}: {error.get('message') or resp.text[:200]}"
        failed = http.failure(self.provider, resp, detail)
        if code in _RETRYABLE_CODES and not failed.retryable:
            failed = DeliveryFailed(failed.reason, retryable=True, retry_after_s=failed.retry_after_s)
        raise failed

    def close(self) -> None:
        self._http.close()


class WhatsAppChannel(_GraphChannel):
    """One WhatsApp Business phone number (``phone_number_id``). Customers are ``whatsapp:<wa_id>``."""

    provider = "whatsapp"

    def __init__(self, instance: str, phone_number_id: str, *, app_secret: str, verify_token: str, access_token: str,
                 base_url: str = "https://graph.facebook.com", api_version: str = "v19.0", timeout_s: float = 10.0,
                 attributes: Mapping[str, Any] | None = None, workflow: str | None = None):
        super().__init__(ChannelRef("social", instance), WHATSAPP_CAPABILITIES, app_secret=app_secret,
                         verify_token=verify_token, access_token=access_token, base_url=base_url,
                         api_version=api_version, timeout_s=timeout_s, attributes=attributes,
                         workflow=workflow)
        self.phone_number_id = phone_number_id

    # ------------------------------------------------------------------ inbound

    def translate(self, payload: Mapping[str, Any]) -> list[ReceiveMessage | UpdateDelivery]:
        """The messages and statuses of a ``whatsapp_business_account`` callback for this number (the
        changes of other numbers of the app are left to their instances)."""
        if payload.get("object") != "whatsapp_business_account":
            raise ValidationFailed("whatsapp webhook: 'object' must be 'whatsapp_business_account'")
        out: list[ReceiveMessage | UpdateDelivery] = []
        for value in self._values(payload):
            names = {}
            for c in _objects(value.get("contacts"), "whatsapp webhook: contacts"):
                profile = c.get("profile")
                if isinstance(profile, Mapping) and isinstance(profile.get("name"), str):
                    names[str(c.get("wa_id"))] = profile["name"]
            for m in _objects(value.get("messages"), "whatsapp webhook: messages"):
                out.append(self._message(m, names))
            for s in _objects(value.get("statuses"), "whatsapp webhook: statuses"):
                update = self._status(s)
                if update is not None:
                    out.append(update)
        return out

    def _values(self, payload: Mapping[str, Any]) -> Iterator[Mapping[str, Any]]:
        for entry in _objects(payload.get("entry"), "whatsapp webhook: entry"):
            for change in _objects(entry.get("changes"), "whatsapp webhook: changes"):
                value = change.get("value")
                if change.get("field") != "messages" or not isinstance(value, Mapping):
                    continue
                metadata = value.get("metadata")
                if isinstance(metadata, Mapping) and str(metadata.get("phone_number_id")) == self.phone_number_id:
                    yield value

    def _message(self, m: Mapping[str, Any], names: Mapping[str, str]) -> ReceiveMessage:
        where = "whatsapp webhook: message"
        wamid = http.str_field(m, "id", where, max_length=256)
        sender = http.str_field(m, "from", where, max_length=64)
        kind = http.str_field(m, "type", where, max_length=32)
        body = ""
        attachments: tuple[Attachment, ...] = ()
        part = m.get(kind)
        if kind == "text" and isinstance(part, Mapping):
            body = http.str_field(part, "body", where, max_length=4096)
        elif kind in _MEDIA and isinstance(part, Mapping):
            media_id = http.str_field(part, "id", where, max_length=256)
            media_type = str(part.get("mime_type") or "application/octet-stream").split(";")[0].strip()
            name = str(part.get("filename") or f"{kind}-{media_id}")[:255]
            body = str(part.get("caption") or "")[:4096]
            if "/" in media_type:
                attachments = (Attachment(media_id, name, media_type, 0, f"whatsapp-media:{media_id}"),)
            else:
                body = f"[attachment refused: {media_type!r} is not a media type]"
        elif kind == "interactive" and isinstance(part, Mapping):
            reply = part.get("button_reply") or part.get("list_reply")
            if not isinstance(reply, Mapping):
                raise ValidationFailed(f"{where}: an interactive message without a button or list reply")
            body = http.str_field(reply, "title", where, max_length=1024)
        elif kind == "button" and isinstance(part, Mapping):  # a template's quick-reply button
            body = http.str_field(part, "text", where, max_length=1024)
        elif kind == "location" and isinstance(part, Mapping):
            body = f"[location {part.get('latitude')},{part.get('longitude')}] {part.get('name') or ''}".strip()
        else:
            log.warning("whatsapp message %s of unsupported type %r refused", wamid, kind)
            body = f"[unsupported WhatsApp message type {kind!r}: not shown]"
        return ReceiveMessage(self._channel, f"whatsapp:{sender}", body, provider_message_id=wamid,
                              attachments=attachments, customer_name=names.get(sender),
                              attributes={**self.attributes, "provider": "whatsapp"}, workflow_id=self.workflow)

    def _status(self, s: Mapping[str, Any]) -> UpdateDelivery | None:
        where = "whatsapp webhook: status"
        wamid = http.str_field(s, "id", where, max_length=256)
        raw = http.str_field(s, "status", where, max_length=32)
        status = _WA_STATUS.get(raw)
        if status is None:
            log.info("whatsapp status %r of %s ignored", raw, wamid)
            return None
        reason = None
        if status is DeliveryStatus.FAILED:
            errors = _objects(s.get("errors"), f"{where}: errors")
            reason = "; ".join(f"{e.get('code')} {e.get('title') or e.get('message') or ''}".strip()
                               for e in errors) or "failed"
        return UpdateDelivery(self._channel, status, provider_message_id=wamid, reason=reason)

    # ------------------------------------------------------------------ outbound

    def deliver(self, message: OutboundMessage) -> str:
        if not message.to or not message.to.startswith("whatsapp:"):
            raise DeliveryFailed(f"{message.to!r} is not a WhatsApp customer", retryable=False)
        to = message.to.removeprefix("whatsapp:")
        url = f"{self.base_url}/{self.api_version}/{self.phone_number_id}/messages"
        base = {"messaging_product": "whatsapp", "recipient_type": "individual", "to": to}
        bodies: list[dict[str, Any]] = []
        if message.template is not None:
            t = message.template
            template: dict[str, Any] = {"name": t.name, "language": {"code": t.language}}
            if t.parameters:
                template["components"] = [{"type": "body", "parameters": [{"type": "text", "text": p}
                                                                          for p in t.parameters]}]
            bodies.append({**base, "type": "template", "template": template})
        else:
            caption = message.body
            for a in message.attachments:
                kind = _kind(a.media_type)
                media: dict[str, Any] = ({"id": a.uri.removeprefix("whatsapp-media:")}
                                         if a.uri.startswith("whatsapp-media:") else {"link": a.uri})
                if kind == "document":
                    media["filename"] = a.name
                if caption and kind != "audio":
                    media["caption"], caption = caption, ""
                bodies.append({**base, "type": kind, kind: media})
            if caption:
                bodies.insert(0, {**base, "type": "text", "text": {"body": caption, "preview_url": False}})
        ids = []
        for body in bodies:
            data = self._post(url, body)
            msgs = data.get("messages")
            if not isinstance(msgs, list) or not msgs or not isinstance(msgs[0], Mapping):
                raise DeliveryFailed("whatsapp accepted the message without an id", retryable=True)
            ids.append(str(msgs[0].get("id")))
        return ids[0]


class MessengerChannel(_GraphChannel):
    """One Facebook page (``page_id``) with its page access token. Customers are ``messenger:<psid>``."""

    provider = "messenger"

    def __init__(self, instance: str, page_id: str, *, app_secret: str, verify_token: str, access_token: str,
                 base_url: str = "https://graph.facebook.com", api_version: str = "v19.0", timeout_s: float = 10.0,
                 attributes: Mapping[str, Any] | None = None, workflow: str | None = None):
        super().__init__(ChannelRef("social", instance), MESSENGER_CAPABILITIES, app_secret=app_secret,
                         verify_token=verify_token, access_token=access_token, base_url=base_url,
                         api_version=api_version, timeout_s=timeout_s, attributes=attributes,
                         workflow=workflow)
        self.page_id = page_id

    def translate(self, payload: Mapping[str, Any]) -> list[ReceiveMessage | UpdateDelivery]:
        """Messages, postbacks and delivery receipts of a ``page`` callback for this page (echoes of our own
        messages and read watermarks are skipped)."""
        if payload.get("object") != "page":
            raise ValidationFailed("messenger webhook: 'object' must be 'page'")
        out: list[ReceiveMessage | UpdateDelivery] = []
        for entry in _objects(payload.get("entry"), "messenger webhook: entry"):
            if str(entry.get("id")) != self.page_id:
                continue
            for event in _objects(entry.get("messaging"), "messenger webhook: messaging"):
                out.extend(self._event(event))
        return out

    def _event(self, event: Mapping[str, Any]) -> list[ReceiveMessage | UpdateDelivery]:
        where = "messenger webhook: messaging"
        sender = event.get("sender")
        if not isinstance(sender, Mapping):
            raise ValidationFailed(f"{where}: 'sender' is missing")
        psid = http.str_field(sender, "id", where, max_length=64)
        delivery = event.get("delivery")
        if isinstance(delivery, Mapping):
            mids = delivery.get("mids") or []
            return [UpdateDelivery(self._channel, DeliveryStatus.DELIVERED, provider_message_id=str(mid))
                    for mid in (mids if isinstance(mids, list) else [])]
        message = event.get("message")
        postback = event.get("postback")
        if isinstance(postback, Mapping):
            mid = str(postback.get("mid") or f"postback-{psid}-{event.get('timestamp')}")
            body = http.str_field(postback, "title", where, max_length=1024)
            return [self._receive(psid, mid, body, ())]
        if not isinstance(message, Mapping):
            return []  # read watermarks, reactions, optins: nothing to store
        if message.get("is_echo"):
            return []
        mid = http.str_field(message, "mid", where, max_length=256)
        body = str(message.get("text") or "")[:2000]
        quick = message.get("quick_reply")
        if not body and isinstance(quick, Mapping):
            body = str(quick.get("payload") or "")
        attachments = []
        for i, a in enumerate(_objects(message.get("attachments"), f"{where}: attachments")):
            kind = str(a.get("type") or "file")
            payload = a.get("payload")
            url = payload.get("url") if isinstance(payload, Mapping) else None
            if kind not in ("image", "audio", "video", "file") or not isinstance(url, str):
                log.warning("messenger message %s: attachment of type %r refused", mid, kind)
                body = (body + "\n" if body else "") + f"[attachment refused: {kind} is not supported]"
                continue
            # Messenger names only the category: the type comes from the file name when it has a known one
            media_type = mimetypes.guess_type(urlsplit(url).path)[0] or "application/octet-stream"
            attachments.append(Attachment(f"{mid}-{i}", f"{kind}-{i}", media_type, 0, url))
        return [self._receive(psid, mid, body, tuple(attachments))]

    def _receive(self, psid: str, mid: str, body: str, attachments: tuple[Attachment, ...]) -> ReceiveMessage:
        return ReceiveMessage(self._channel, f"messenger:{psid}", body, provider_message_id=mid,
                              attachments=attachments, attributes={**self.attributes, "provider": "messenger"},
                              workflow_id=self.workflow)

    def deliver(self, message: OutboundMessage) -> str:
        if message.template is not None:
            raise ChannelUnsupported("Messenger has no approved templates in blendcc; reply within 24 hours")
        if not message.to or not message.to.startswith("messenger:"):
            raise DeliveryFailed(f"{message.to!r} is not a Messenger customer", retryable=False)
        recipient = {"id": message.to.removeprefix("messenger:")}
        url = f"{self.base_url}/{self.api_version}/me/messages"
        payloads: list[dict[str, Any]] = []
        if message.body.strip():
            payloads.append({"text": message.body})
        for a in message.attachments:
            kind = _kind(a.media_type)
            payloads.append({"attachment": {"type": "file" if kind == "document" else kind,
                                            "payload": {"url": a.uri, "is_reusable": True}}})
        ids = []
        for m in payloads:
            data = self._post(url, {"recipient": recipient, "messaging_type": "RESPONSE", "message": m})
            mid = data.get("message_id")
            if not isinstance(mid, str) or not mid:
                raise DeliveryFailed("messenger accepted the message without an id", retryable=True)
            ids.append(mid)
        return ids[0]
