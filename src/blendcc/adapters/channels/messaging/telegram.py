"""Telegram Bot API: webhook updates (secret token header) in, ``sendMessage``/``sendPhoto``/``sendDocument`` out."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from blendcc.adapters.channels.base import ChannelBase
from blendcc.adapters.channels.messaging import http
from blendcc.domain.conversation import (
    Attachment,
    ChannelRef,
    ChannelUnsupported,
    DeliveryFailed,
    OutboundMessage,
    ReceiveMessage,
    UpdateDelivery,
)
from blendcc.domain.errors import ValidationFailed
from blendcc.ports import ChannelCapabilities

log = logging.getLogger(__name__)

TELEGRAM_CAPABILITIES = ChannelCapabilities(
    realtime=False, text=True, attachments=True, max_attachment_bytes=50 * 1024 * 1024,
    attachment_types=("image/*", "application/*", "text/*", "audio/*", "video/*"), max_message_length=4096)
#: a photo, a document, a voice note... become attachment references; other kinds are refused and logged
_FILES = {"document": None, "audio": "audio/mpeg", "voice": "audio/ogg", "video": "video/mp4"}


class TelegramChannel(ChannelBase):
    """One bot. Customers are ``telegram:<chat id>``; provider ids are the updates' ``update_id``."""

    def __init__(self, instance: str, token: str, secret_token: str, *, base_url: str = "https://api.telegram.org",
                 timeout_s: float = 10.0, attributes: Mapping[str, Any] | None = None, workflow: str | None = None):
        super().__init__(ChannelRef("social", instance), TELEGRAM_CAPABILITIES)
        self.workflow = workflow
        self.token = token
        self.secret_token = secret_token
        self.base_url = base_url.rstrip("/")
        self.attributes = dict(attributes or {})
        self._http = http.client(timeout_s)


    def verify(self, secret: str | None) -> bool:
        return http.same(secret, self.secret_token)

    # ------------------------------------------------------------------ inbound

    def translate(self, payload: Mapping[str, Any]) -> list[ReceiveMessage | UpdateDelivery]:
        """One Update: a ``message`` becomes a ReceiveMessage whose provider id is the ``update_id`` (a
        re-delivered update stores nothing); edits, callbacks and other update kinds are acknowledged and
        skipped."""
        where = "telegram update"
        update_id = payload.get("update_id")
        if not isinstance(update_id, int) or isinstance(update_id, bool):
            raise ValidationFailed(f"{where}: 'update_id' must be an integer")
        message = payload.get("message")
        if message is None:
            log.info("telegram update %s without a new message skipped (%s)", update_id,
                     ", ".join(k for k in payload if k != "update_id"))
            return []
        if not isinstance(message, Mapping):
            raise ValidationFailed(f"{where}: 'message' must be an object")
        chat = message.get("chat")
        if not isinstance(chat, Mapping) or not isinstance(chat.get("id"), int):
            raise ValidationFailed(f"{where}: 'message.chat.id' must be an integer")
        raw_sender = message.get("from")
        sender: Mapping[str, Any] = raw_sender if isinstance(raw_sender, Mapping) else {}
        name = " ".join(str(sender.get(k)) for k in ("first_name", "last_name") if sender.get(k)) or None
        text = message.get("text", message.get("caption", ""))
        if not isinstance(text, str):
            raise ValidationFailed(f"{where}: 'text' must be a string")
        if len(text) > 4096:
            raise ValidationFailed(f"{where}: the text has {len(text)} characters; at most 4096 are accepted")
        attachments, refused = self._files(message)
        body = "\n".join([text, *refused]) if text else "\n".join(refused)
        if not body and not attachments:
            kinds = sorted(k for k in message if k not in ("message_id", "from", "chat", "date"))
            log.warning("telegram update %s: unsupported message content refused (%s)", update_id, ", ".join(kinds))
            body = f"[unsupported Telegram message ({', '.join(kinds) or 'empty'}): not shown]"
        return [ReceiveMessage(self._channel, f"telegram:{chat['id']}", body, provider_message_id=str(update_id),
                               attachments=attachments, customer_name=name,
                               attributes={**self.attributes, "provider": "telegram"}, workflow_id=self.workflow)]

    def _files(self, message: Mapping[str, Any]) -> tuple[tuple[Attachment, ...], list[str]]:
        out, refused = [], []
        photo = message.get("photo")
        if isinstance(photo, list) and photo:
            sizes = [p for p in photo if isinstance(p, Mapping) and isinstance(p.get("file_id"), str)]
            if sizes:
                best = max(sizes, key=lambda p: int(p.get("file_size") or 0))
                out.append(Attachment(str(best.get("file_unique_id") or best["file_id"]), "photo.jpg", "image/jpeg",
                                      int(best.get("file_size") or 0), f"telegram-file:{best['file_id']}"))
        for kind, default_type in _FILES.items():
            f = message.get(kind)
            if not isinstance(f, Mapping) or not isinstance(f.get("file_id"), str):
                continue
            media_type = str(f.get("mime_type") or default_type or "application/octet-stream")
            size = int(f.get("file_size") or 0)
            if "/" not in media_type or not TELEGRAM_CAPABILITIES.accepts_type(media_type) or \
                    size > (TELEGRAM_CAPABILITIES.max_attachment_bytes or 0):
                log.warning("telegram %s refused (%s, %d bytes)", kind, media_type, size)
                refused.append(f"[attachment refused: {media_type}, {size} bytes]")
                continue
            out.append(Attachment(str(f.get("file_unique_id") or f["file_id"]), str(f.get("file_name") or kind)[:255],
                                  media_type, size, f"telegram-file:{f['file_id']}"))
        return tuple(out), refused

    # ------------------------------------------------------------------ outbound

    def deliver(self, message: OutboundMessage) -> str:
        if message.template is not None:
            raise ChannelUnsupported("Telegram has no templates; send the text itself")
        if not message.to or not message.to.startswith("telegram:"):
            raise DeliveryFailed(f"{message.to!r} is not a Telegram chat", retryable=False)
        try:
            chat_id = int(message.to.removeprefix("telegram:"))
        except ValueError:
            raise DeliveryFailed(f"{message.to!r} is not a Telegram chat id", retryable=False) from None
        calls: list[tuple[str, dict[str, Any]]] = []
        caption = message.body
        for a in message.attachments:
            method, field = ("sendPhoto", "photo") if a.media_type.startswith("image/") else ("sendDocument",
                                                                                              "document")
            ref = a.uri.removeprefix("telegram-file:")
            call: dict[str, Any] = {"chat_id": chat_id, field: ref}
            if caption and len(caption) <= 1024:
                call["caption"], caption = caption, ""
            calls.append((method, call))
        if caption:
            calls.insert(0, ("sendMessage", {"chat_id": chat_id, "text": caption}))
        ids = [self._call(method, body) for method, body in calls]
        return f"{chat_id}:{ids[0]}"

    def _call(self, method: str, body: Mapping[str, Any]) -> int:
        resp = http.post(self._http, "telegram", f"{self.base_url}/bot{self.token}/{method}", json=body)
        data = http.json_body(resp)
        if resp.status_code == 200 and data.get("ok") is True and isinstance(data.get("result"), Mapping):
            mid = data["result"].get("message_id")
            if isinstance(mid, int):
                return mid
            raise DeliveryFailed(f"telegram {method} answered without a message_id", retryable=True)
        params = data.get("parameters")
        after = params.get("retry_after") if isinstance(params, Mapping) else None
        raise http.failure("telegram", resp, f"{data.get('error_code')}: {data.get('description') or resp.text[:200]}",
                           retry_after_s=float(after) if isinstance(after, int | float) else None)

    def close(self) -> None:
        self._http.close()
