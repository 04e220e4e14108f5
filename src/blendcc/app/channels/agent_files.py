"""The agent's side of conversation files in any channel: upload one to send (web chat, email), read any file of a
thread."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from blendcc.app.channels.messaging.conversations import INSTANCE_ATTRIBUTE
from blendcc.app.channels.webchat.aftercare import TooLarge, UnsupportedType
from blendcc.app.channels.webchat.service import WebchatService
from blendcc.domain.conversation import ChannelRef, ChannelUnsupported
from blendcc.domain.errors import InvalidState, NotFound
from blendcc.ports import AttachmentStore, ChannelDirectory, EventStore


def _view(contact_id: str, a: dict[str, Any]) -> dict[str, Any]:
    return {"id": a["id"], "name": a["name"], "media_type": a["media_type"], "size": a["size"],
            "uri": f"/api/contacts/{contact_id}/attachments/{a['id']}"}


def _base(media_type: str) -> str:
    return media_type.split(";", 1)[0].strip().lower() or "application/octet-stream"


def _accepted(base: str, types: Sequence[str]) -> bool:
    return not types or base in types or f"{base.split('/', 1)[0]}/*" in types


def _limits(size: int, max_bytes: int | None, base: str, types: Sequence[str]) -> None:
    if max_bytes is not None and size > max_bytes:
        raise TooLarge(f"the file has {size} bytes; at most {max_bytes} are accepted")
    if not _accepted(base, types):
        raise UnsupportedType(f"files of type {base!r} are not accepted (accepted: {', '.join(types)})")


def webchat_attach(service: WebchatService | None, contact_id: str, name: str, media_type: str,
                   data: bytes) -> dict[str, Any] | None:
    """Store a file for the web chat of ``contact_id`` (the instance's size and type limits apply, as for the
    customer's files); None when the contact is no web chat."""
    session = service.sessions.by_contact(contact_id) if service is not None else None
    if service is None or session is None:
        return None
    if service.attachments is None:
        raise InvalidState("attachments are not stored by this server")
    inst = service.instance(session.instance)
    base = _base(media_type)
    _limits(len(data), inst.max_attachment_bytes, base, inst.attachment_types)
    return _view(contact_id, service.attachments.put(name[:200] or "file", base, data).to_dict())


def agent_attach(contact_id: str, row: dict[str, Any], webchat: WebchatService | None,
                 channels: ChannelDirectory | None, name: str, media_type: str, data: bytes) -> dict[str, Any]:
    """Store a file the agent will send in the contact ``row`` (its interaction): in a web chat's store, or
    in the store of the contact's channel adapter (email: the mailbox's attachment store) with that channel's
    size and type limits. The answer goes into the reply's ``attachments``, which the channel then sends (an
    email: as a MIME part)."""
    chat = webchat_attach(webchat, contact_id, name, media_type, data)
    if chat is not None:
        return chat
    ref = ChannelRef(str(row.get("channel") or ""),
                     str((row.get("attributes") or {}).get(INSTANCE_ATTRIBUTE, "default")))
    adapter = channels.adapter(ref) if channels is not None else None
    store: AttachmentStore | None = getattr(adapter, "attachments", None)
    if adapter is None or store is None or not adapter.capabilities.attachments:
        raise ChannelUnsupported(f"files can be sent in web chats and emails only; contact {contact_id} is a "
                                 f"{ref.kind or 'contact'} without a file store")
    caps = adapter.capabilities
    base = _base(media_type)
    _limits(len(data), caps.max_attachment_bytes, base, caps.attachment_types)
    return _view(contact_id, store.put(name[:200] or "file", base, data).to_dict())


def agent_file(store: EventStore, files: Sequence[AttachmentStore | None], contact_id: str,
               attachment_id: str) -> tuple[dict[str, Any], bytes]:
    """A file of one of the contact's messages (the customer's or an agent's, web chat or email): its
    description and bytes, from the first channel store that has it."""
    for s in store.contact_events(contact_id):
        for a in getattr(s.event, "attachments", ()) or ():
            if a.id == attachment_id:
                for files_of_channel in files:
                    if files_of_channel is None:
                        continue
                    try:
                        return a.to_dict(), files_of_channel.read(attachment_id)
                    except NotFound:
                        continue
    raise NotFound(f"attachment {attachment_id} is not in contact {contact_id}")
