"""One mailbox as a channel instance: inbound mail -> ReceiveMessage (threaded), replies -> the SMTP relay."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formataddr, formatdate, getaddresses
from typing import Any

from blendcc.adapters.channels.base import ChannelBase
from blendcc.adapters.channels.email.mime import (
    TICKET_REF,
    AttachmentRefused,
    AttachmentTooLarge,
    ParsedMail,
    parse_mail,
)
from blendcc.adapters.channels.email.relay import SmtpRelay
from blendcc.domain.conversation import (
    AuthorKind,
    ChannelRef,
    DeliveryFailed,
    MessageDirection,
    OutboundMessage,
    ReceiveMessage,
    UpdateDelivery,
    contact_of_message,
    fold_thread,
)
from blendcc.domain.errors import NotFound, ValidationFailed
from blendcc.ports import AttachmentStore, ChannelCapabilities, EventStore, ReportReader

log = logging.getLogger(__name__)


class MailTooLarge(ValidationFailed):
    code = "too_large"


@dataclass(frozen=True, slots=True)
class MailboxConfig:
    """What one mailbox channel needs (built from ``Settings.email_mailboxes`` by the email stack)."""

    name: str
    address: str
    display_name: str | None = None
    workflow: str | None = None
    acknowledge: bool = False
    acknowledgement: str = "Thank you for your message. Your reference: {ref}"
    domain: str = "blendcc.localhost"
    max_message_bytes: int = 25 * 1024 * 1024
    max_attachment_bytes: int = 10 * 1024 * 1024
    attachment_types: tuple[str, ...] = ()  # empty: DEFAULT_ATTACHMENT_TYPES
    remote_images: bool = False
    signature: str | None = None
    signatures: Mapping[str, str] | None = None


#: what a mailbox accepts and sends unless configured otherwise (no executables or scripts)
DEFAULT_ATTACHMENT_TYPES = ("image/*", "audio/*", "video/*", "text/plain", "text/csv", "text/calendar",
                            "application/pdf", "application/zip", "application/msword", "application/vnd.ms-excel",
                            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                            "application/vnd.openxmlformats-officedocument.presentationml.presentation",
                            "application/vnd.oasis.opendocument.text", "application/vnd.oasis.opendocument.spreadsheet",
                            "message/rfc822")
#: longest reply body sent (characters)
MAX_REPLY_LENGTH = 200_000


def ticket_ref(contact_id: str) -> str:
    return f"[#{contact_id}]"


class EmailChannel(ChannelBase):
    """``ports.ChannelAdapter`` for one mailbox (``ChannelRef("email", <mailbox name>)``).

    ``translate({"raw": bytes, "mail_from": envelope sender})`` parses the mail, drops machine mail
    (auto-replies, bounces, bulk: no command), stores attachments and threads the message: a reference
    to one of our Message-IDs (In-Reply-To, References), then a ``[#<contact id>]`` ticket reference in
    the subject, then the References root. ``deliver`` sends a reply through the relay with threading
    headers, the agent's signature and attachments."""

    def __init__(self, config: MailboxConfig, attachments: AttachmentStore, relay: SmtpRelay | None = None,
                 history: EventStore | None = None, reader: ReportReader | None = None):
        self.config = config
        self.attachments = attachments
        self.relay = relay
        self.history = history
        self.reader = reader
        super().__init__(ChannelRef("email", config.name), ChannelCapabilities(
            realtime=False, text=True, threading=True, html=True, attachments=True,
            max_attachment_bytes=config.max_attachment_bytes,
            attachment_types=config.attachment_types or DEFAULT_ATTACHMENT_TYPES, max_message_length=MAX_REPLY_LENGTH))

    def attach(self, history: EventStore, reader: ReportReader) -> None:
        """Give the channel read access to threads (for threading and reply headers)."""
        self.history, self.reader = history, reader


    # ------------------------------------------------------------------ inbound

    def parse(self, payload: Mapping[str, Any]) -> ParsedMail:
        raw = payload.get("raw")
        if isinstance(raw, str):
            raw = raw.encode("utf-8", "surrogateescape")
        if not isinstance(raw, bytes):
            raise ValidationFailed("email input needs 'raw' (the RFC 5322 message)")
        if len(raw) > self.config.max_message_bytes:
            raise MailTooLarge(f"the message has {len(raw)} bytes; this mailbox accepts at most "
                               f"{self.config.max_message_bytes}")
        mail_from = payload.get("mail_from")
        return parse_mail(raw, envelope_from=mail_from if isinstance(mail_from, str) else None,
                          allow_remote_images=self.config.remote_images)

    def translate(self, payload: Mapping[str, Any]) -> list[ReceiveMessage | UpdateDelivery]:
        mail = self.parse(payload)
        if mail.automatic is not None:
            log.info("mailbox %s: ignored machine mail %s from %s (%s)", self.config.name, mail.message_id,
                     mail.sender or "<>", mail.automatic)
            return []
        return [self.command(mail)]

    def command(self, mail: ParsedMail) -> ReceiveMessage:
        if "@" not in mail.sender:
            raise ValidationFailed("the mail has no sender address (From)")
        stored = []
        for part in mail.attachments:
            if len(part.data) > self.config.max_attachment_bytes:
                raise AttachmentTooLarge(f"attachment {part.name!r} has {len(part.data)} bytes; this mailbox "
                                         f"accepts at most {self.config.max_attachment_bytes}")
            if not self.capabilities.accepts_type(part.media_type):
                raise AttachmentRefused(f"attachment {part.name!r}: {part.media_type} is not accepted")
            stored.append(self.attachments.put(part.name, part.media_type, part.data))
        thread_ref, previous = self._thread(mail)
        attributes: dict[str, Any] = {"mailbox": self.config.name}
        if self.config.workflow:
            attributes["workflow_id"] = self.config.workflow
        if previous is not None:
            attributes["reopens"] = previous["contact_id"]
            if previous.get("agent_id"):
                attributes["preferred_agent_id"] = previous["agent_id"]
        body = mail.text or mail.subject or ("(attachments only)" if stored else "")
        return ReceiveMessage(self._channel, mail.sender, body, provider_message_id=mail.message_id, html=mail.html,
                              attachments=tuple(stored), customer_name=mail.sender_name or None,
                              subject=mail.subject or None, thread_ref=thread_ref, attributes=attributes,
                              cc=self.other_recipients(mail))

    def other_recipients(self, mail: ParsedMail) -> tuple[str, ...]:
        """The mail's To and Cc addresses other than this mailbox and the sender (whom a reply-all copies)."""
        fields = [mail.headers.get(k, "") for k in ("To", "to", "Cc", "cc") if k in mail.headers]
        skip = {self.config.address.lower(), mail.sender.lower()}
        out: list[str] = []
        for _, raw in getaddresses(fields):
            addr = raw.strip()
            if "@" in addr and addr.lower() not in skip and len(out) < 50:
                skip.add(addr.lower())
                out.append(addr)
        return tuple(out)

    def _contact_row(self, contact_id: str | None) -> dict[str, Any] | None:
        if contact_id is None or self.reader is None:
            return None
        row = self.reader.interaction(contact_id)
        return row if row is not None and row.get("channel") == "email" else None

    def _thread(self, mail: ParsedMail) -> tuple[str, dict[str, Any] | None]:
        """(thread key, the earlier contact of this thread when we can name it)."""
        suffix = "@" + self.config.domain
        for ref in (*mail.in_reply_to, *reversed(mail.references)):
            if ref.endswith(suffix):
                local = ref[: -len(suffix)]
                row = self._contact_row(contact_of_message(local) or local)
                if row is not None:
                    return str((row.get("attributes") or {}).get("thread_ref") or row["contact_id"]), row
        for match in TICKET_REF.finditer(mail.subject):
            row = self._contact_row(match.group(1))
            if row is not None:
                return str((row.get("attributes") or {}).get("thread_ref") or row["contact_id"]), row
        root = (mail.references or mail.in_reply_to or (mail.message_id,))[0]
        return root, None

    # ------------------------------------------------------------------ outbound

    def deliver(self, message: OutboundMessage) -> str:
        if self.relay is None:
            raise DeliveryFailed("no SMTP relay is configured (BLENDCC_EMAIL_RELAY_HOST)", retryable=False)
        if not message.to or "@" not in message.to:
            raise DeliveryFailed(f"no email address to reply to ({message.to!r})", retryable=False)
        mail = self.compose(message)
        self.relay.send(mail, self.config.address, [message.to, *message.cc])
        return str(mail["Message-ID"]).strip("<>")

    def compose(self, message: OutboundMessage) -> EmailMessage:
        """The reply as a MIME message: threading headers, subject with the ticket reference, signature,
        plain text (and HTML when given) and attachments."""
        row = self._contact_row(message.contact_id) or {}
        attributes = row.get("attributes") or {}
        subject = str(attributes.get("subject") or "Your message")
        refs: list[str] = []
        root = attributes.get("thread_ref") or message.thread_ref
        if root:
            refs.append(str(root))
        author_kind, author_id, last_inbound = AuthorKind.AGENT.value, None, None
        if self.history is not None:
            thread = fold_thread(message.contact_id, (s.event for s in self.history.contact_events(message.contact_id)))
            for m in thread.messages:
                if m.direction is MessageDirection.INBOUND and m.provider_message_id:
                    refs.append(m.provider_message_id)
                    last_inbound = m.provider_message_id
                elif m.direction is MessageDirection.OUTBOUND and m.id != message.message_id:
                    refs.append(f"{m.id}@{self.config.domain}")
            found = thread.find(message.message_id)
            if found is not None:
                author_kind, author_id = found.author.kind.value, found.author.id
        refs = list(dict.fromkeys(refs))[-20:]
        mail = EmailMessage()
        mail["From"] = formataddr((self.config.display_name or "", self.config.address))
        mail["To"] = message.to or ""
        if message.cc:
            mail["Cc"] = ", ".join(message.cc)
        ref = ticket_ref(message.contact_id)
        if message.mode == "forward":  # "Fwd: <subject without Re:> <ticket>"
            bare = subject[3:].lstrip() if subject.lower().startswith("re:") else subject
            mail["Subject"] = f"Fwd: {bare}" if ref in bare else f"Fwd: {bare} {ref}"
        else:
            mail["Subject"] = subject if ref in subject else \
                f"{'' if subject.lower().startswith('re:') else 'Re: '}{subject} {ref}"
        mail["Date"] = formatdate(localtime=False)
        mail["Message-ID"] = f"<{message.message_id}@{self.config.domain}>"
        in_reply_to = last_inbound or (refs[-1] if refs else None)
        if in_reply_to:
            mail["In-Reply-To"] = f"<{in_reply_to}>"
            mail["References"] = " ".join(f"<{r}>" for r in refs)
        if author_kind != AuthorKind.AGENT.value:
            mail["Auto-Submitted"] = "auto-replied"  # RFC 3834: acknowledgements must not start loops
        body = message.body
        signature = (self.config.signatures or {}).get(author_id or "") or self.config.signature
        if signature and author_kind == AuthorKind.AGENT.value:
            body = f"{body.rstrip()}\n\n-- \n{signature}"
        mail.set_content(body)
        if message.html:
            html = message.html
            if signature and author_kind == AuthorKind.AGENT.value:
                html = f"{html}<p>-- <br>{_escape(signature)}</p>"
            mail.add_alternative(html, subtype="html")
        for a in message.attachments:
            try:
                data = self.attachments.read(a.id)
            except NotFound:
                raise DeliveryFailed(f"attachment {a.name!r} is not in the attachment store", retryable=False) \
                    from None
            maintype, _, subtype = a.media_type.partition("/")
            mail.add_attachment(data, maintype=maintype, subtype=subtype, filename=a.name)
        return mail


def _escape(text: str) -> str:
    import html

    return html.escape(text).replace("\n", "<br>")

