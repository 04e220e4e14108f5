"""Email reply modes of an agent's message: reply (the customer), reply-all (and the other recipients of the
customer's latest mail), forward (a message's text and attachments to a new recipient), extra copies."""

from __future__ import annotations

import html as html_lib
import re
from dataclasses import replace
from datetime import UTC, datetime

from blendcc.domain.conversation import Message, MessageDirection, SendMessage, Thread
from blendcc.domain.errors import NotFound, ValidationFailed

MODES = ("reply", "reply_all", "forward")
MAX_COPIES = 20
#: one plain address: no display name, no list separators, no header-breaking characters
_ADDRESS = re.compile(r"^[^@\s,;<>\"'()\[\]\\]+@[^@\s,;<>\"'()\[\]\\]+\.[^@\s,;<>\"'()\[\]\\]+$")


def address(value: str) -> str:
    text = value.strip()
    if not _ADDRESS.match(text) or len(text) > 254:
        raise ValidationFailed(f"{value[:80]!r} is not an email address")
    return text


def _unique(addresses: list[str], without: set[str]) -> tuple[str, ...]:
    out: list[str] = []
    seen = {a.lower() for a in without}
    for a in addresses:
        if a.lower() not in seen:
            seen.add(a.lower())
            out.append(a)
    return tuple(out)


def _forwarded(command: SendMessage, original: Message) -> SendMessage:
    when = datetime.fromtimestamp(original.at, UTC).strftime("%Y-%m-%d %H:%M UTC")
    sender = original.address if original.direction is MessageDirection.INBOUND else (original.author.id or "agent")
    header = f"---------- Forwarded message ----------\nFrom: {sender}\nDate: {when}\n\n"
    body = f"{command.body.rstrip()}\n\n{header}{original.body}".lstrip()
    markup = command.html
    if markup is not None:
        quoted = original.html or html_lib.escape(original.body).replace("\n", "<br>")
        markup = f"{markup}<p>{html_lib.escape(header).replace(chr(10), '<br>')}</p><blockquote>{quoted}</blockquote>"
    known = {a.id for a in command.attachments}
    attachments = command.attachments + tuple(a for a in original.attachments if a.id not in known)
    return replace(command, body=body, html=markup, attachments=attachments)


def recipients(command: SendMessage, thread: Thread, customer: str | None,
               channel_kind: str) -> tuple[str | None, SendMessage]:
    """(the To address, the command as it will be sent: copies resolved, a forward's text and attachments)."""
    if command.mode not in MODES:
        raise ValidationFailed(f"mode must be one of {', '.join(MODES)}")
    if channel_kind != "email":
        if command.mode != "reply" or command.cc or command.to or command.forward_of:
            raise ValidationFailed("reply-all, forward and copies are for email conversations")
        return customer, command
    if len(command.cc) > MAX_COPIES:
        raise ValidationFailed(f"at most {MAX_COPIES} copies")
    copies = [address(a) for a in command.cc]
    if command.mode == "forward":
        if not command.to:
            raise ValidationFailed("a forward needs a recipient (to)")
        to = address(command.to)
        inbound = [m for m in thread.messages if m.direction is MessageDirection.INBOUND]
        original = thread.find(command.forward_of) if command.forward_of else (inbound[-1] if inbound else None)
        if original is None or original.direction is MessageDirection.NOTE:
            raise NotFound(f"message {command.forward_of or '(latest inbound)'} is not in this conversation")
        return to, replace(_forwarded(command, original), cc=_unique(copies, {to}))
    if command.to or command.forward_of:
        raise ValidationFailed("to and forward_of are for forwards; a reply goes to the customer")
    if command.mode == "reply_all":
        latest = next((m for m in reversed(thread.messages) if m.direction is MessageDirection.INBOUND), None)
        copies = list(latest.cc if latest is not None else ()) + copies
    return customer, replace(command, cc=_unique(copies, {customer} if customer else set()))
