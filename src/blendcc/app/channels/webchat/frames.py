"""Web-chat protocol messages (docs/webchat.md) built from stored conversation events."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from blendcc.domain import conversation_events as ce
from blendcc.domain.conversation import Attachment, attachments_of, is_supervisor
from blendcc.ports import StoredEvent

#: delivery statuses of an outbound message as the widget shows them
_OUT_STATUS = {"queued": "sent", "sent": "sent", "delivered": "delivered", "read": "read", "failed": "sent"}
_RANK = {"sent": 0, "delivered": 1, "read": 2}


def client_id_of(provider_id: str | None, session_id: str) -> str | None:
    """The widget's client id of an inbound message (stored as ``<session>:<client id>``)."""
    if provider_id is None:
        return None
    prefix = f"{session_id}:"
    return provider_id[len(prefix):] if provider_id.startswith(prefix) else provider_id


def attachment_view(a: Attachment, session_id: str) -> dict[str, Any]:
    return {"id": a.id, "name": a.name, "media_type": a.media_type, "size": a.size,
            "uri": f"/api/webchat/sessions/{session_id}/attachments/{a.id}"}


def _attachments(e: Mapping[str, Any], session_id: str) -> list[dict[str, Any]]:
    return [attachment_view(a, session_id) for a in attachments_of(e["attachments"])]


def inbound(session_id: str, seq: int, e: Mapping[str, Any], status: str | None) -> dict[str, Any]:
    """A customer's message (``e``: a MessageReceived as a dict or its fields)."""
    return {"id": e["message_id"], "seq": seq, "direction": "inbound", "author": {"kind": "customer", "name": None},
            "body": e["body"], "attachments": _attachments(e, session_id),
            "at": e["at"], "status": status, "client_id": client_id_of(e.get("provider_message_id"), session_id)}


def outbound(session_id: str, seq: int, e: Mapping[str, Any], name: str | None, status: str = "sent") -> dict[str, Any]:
    """An agent's, bot's or the system's message (``e``: a MessageSent as a dict)."""
    kind = str(e["author_kind"])
    author: dict[str, Any] = {"kind": kind, "name": name}
    if is_supervisor(e.get("author_id")):
        author = {"kind": kind, "name": None, "role": "supervisor"}  # the widget says "Supervisor" in its language
    return {"id": e["message_id"], "seq": seq, "direction": "outbound", "author": author,
            "body": e["body"], "attachments": _attachments(e, session_id),
            "at": e["at"], "status": status, "client_id": None}


def thread(session_id: str, events: Iterable[StoredEvent], name_of: Callable[[str, str | None], str | None],
           read_upto: str | None, delivered: bool, after: int = 0) -> tuple[list[dict[str, Any]], int]:
    """The customer-visible messages of a contact after ``after`` (notes are never shown) and the last seq.

    Inbound statuses: read up to ``read_upto``, else delivered when an agent holds the chat, else sent."""
    stored = list(events)
    order: list[tuple[int, ce.MessageEvent]] = []
    status: dict[str, str] = {}
    last = 0
    for s in stored:
        e = s.event
        if isinstance(e, ce.MessageReceived | ce.MessageSent):
            order.append((s.seq, e))
            last = max(last, s.seq)
        elif isinstance(e, ce.MessageDeliveryUpdated):
            mapped = _OUT_STATUS.get(e.status)
            if mapped is not None and _RANK[mapped] >= _RANK.get(status.get(e.message_id, "sent"), 0):
                status[e.message_id] = mapped
    read_ids: set[str] = set()
    if read_upto is not None:
        for _, e in order:
            if isinstance(e, ce.MessageReceived):
                read_ids.add(e.message_id)
            if e.message_id == read_upto:
                break
        else:
            read_ids = set()
    out = []
    for seq, e in order:
        if seq <= after:
            continue
        if isinstance(e, ce.MessageReceived):
            st = "read" if e.message_id in read_ids else ("delivered" if delivered else "sent")
            out.append(inbound(session_id, seq, e.to_dict(), st))
        else:
            assert isinstance(e, ce.MessageSent)
            out.append(outbound(session_id, seq, e.to_dict(), name_of(e.author_kind, e.author_id),
                                status.get(e.message_id, "sent")))
    return out, last
