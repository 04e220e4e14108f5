"""Reading inbound mail: MIME parsing, threading headers, loop/noise detection and HTML sanitising."""

from __future__ import annotations

import email
import email.policy
import hashlib
import html as html_lib
import re
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import parseaddr

import nh3

from blendcc.domain.errors import ValidationFailed

_MSGID = re.compile(r"<([^<>\s]+)>")
#: a ticket reference in a subject: "[#<contact id>]"
TICKET_REF = re.compile(r"\[#([A-Za-z0-9_-]{1,64})\]")
_BOUNCE_LOCALPARTS = {"mailer-daemon", "postmaster"}
_BULK_PRECEDENCE = {"bulk", "junk", "list"}
#: tags and attributes kept in stored HTML (everything else, scripts, handlers, iframes, forms, goes)
_TAGS = {"a", "b", "blockquote", "br", "code", "div", "em", "font", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i",
         "img", "li", "ol", "p", "pre", "s", "small", "span", "strong", "sub", "sup", "table", "tbody", "td",
         "tfoot", "th", "thead", "tr", "u", "ul"}
_ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt", "width", "height"}, "td": {"colspan", "rowspan"},
               "th": {"colspan", "rowspan"}, "font": {"color"}}


class MalformedMail(ValidationFailed):
    """The message is not parseable MIME (or lacks what a customer's mail must have)."""

    code = "malformed_mail"


class AttachmentTooLarge(ValidationFailed):
    code = "attachment_too_large"


class AttachmentRefused(ValidationFailed):
    code = "attachment_refused"


@dataclass(frozen=True, slots=True)
class MailPart:
    """An attachment as read from the mail (bytes; the channel stores them and keeps a reference)."""

    name: str
    media_type: str
    data: bytes


@dataclass(frozen=True, slots=True)
class ParsedMail:
    message_id: str  # without angle brackets; a digest of the raw bytes when the mail has none
    sender: str  # the From address, lower-cased domain
    sender_name: str
    subject: str
    text: str
    html: str | None  # sanitised
    in_reply_to: tuple[str, ...]
    references: tuple[str, ...]
    attachments: tuple[MailPart, ...] = ()
    automatic: str | None = None  # why this is an auto-reply, a bounce or bulk mail (None: a person wrote it)
    headers: dict[str, str] = field(default_factory=dict)


def message_ids(value: str | None) -> tuple[str, ...]:
    """The ids of a Message-ID / In-Reply-To / References header, in order, without angle brackets."""
    return tuple(_MSGID.findall(value or ""))


def sanitise_html(markup: str, *, allow_remote_images: bool = False) -> str:
    """HTML safe to show an agent: no scripts, event handlers, iframes, forms or styles; remote images
    are removed unless allowed (they are tracking beacons); links open without a referrer."""

    def attribute_filter(tag: str, attr: str, value: str) -> str | None:
        if tag == "img" and attr == "src":
            if value.startswith(("cid:", "data:image/")):
                return value
            return value if allow_remote_images and value.startswith("https://") else None
        return value

    return nh3.clean(markup, tags=_TAGS, attributes=_ATTRIBUTES, url_schemes={"http", "https", "mailto", "cid", "data"},
                     link_rel="noopener noreferrer nofollow", attribute_filter=attribute_filter)


def html_to_text(markup: str) -> str:
    """A plain-text fallback of an HTML body (tags out, block ends as new lines, entities decoded)."""
    text = re.sub(r"(?is)<(script|style)\b.*?</\1>", "", markup)
    text = re.sub(r"(?i)<br\s*/?>|</(p|div|tr|li|h[1-6])>", "\n", text)
    text = re.sub(r"<[^>]+>", "", text)
    text = html_lib.unescape(text)
    return re.sub(r"\n{3,}", "\n\n", "\n".join(line.strip() for line in text.splitlines())).strip()


def automatic_reason(msg: EmailMessage, envelope_from: str | None) -> str | None:
    """Why a mail is machine-generated (RFC 3834 auto-reply, bounce, bulk or list mail), else None."""
    auto = str(msg.get("Auto-Submitted", "")).strip().lower()
    if auto and auto.split(";")[0].strip() != "no":
        return f"Auto-Submitted: {auto}"
    precedence = str(msg.get("Precedence", "")).strip().lower()
    if precedence in _BULK_PRECEDENCE:
        return f"Precedence: {precedence}"
    for header in ("X-Autoreply", "X-Autorespond"):
        if header in msg:
            return f"{header} header"
    if msg.get_content_type() == "multipart/report":
        return f"delivery report ({msg.get_param('report-type') or 'multipart/report'})"
    if envelope_from is not None and envelope_from.strip() in ("", "<>"):
        return "empty envelope sender (a bounce)"
    local = parseaddr(str(msg.get("From", "")))[1].split("@", 1)[0].lower()
    if local in _BOUNCE_LOCALPARTS:
        return f"sender {local} (a bounce)"
    return None


def parse_mail(raw: bytes, *, envelope_from: str | None = None, allow_remote_images: bool = False) -> ParsedMail:
    """Parse one RFC 5322 message; ``MalformedMail`` when it is not a usable mail."""
    if not raw.strip():
        raise MalformedMail("the message is empty")
    try:
        msg = email.message_from_bytes(raw, policy=email.policy.default)
        assert isinstance(msg, EmailMessage)
        defects = [d for d in msg.defects if type(d).__name__ in ("MissingHeaderBodySeparatorDefect",
                                                                   "NoBoundaryInMultipartDefect",
                                                                   "StartBoundaryNotFoundDefect")]
        if defects:
            raise MalformedMail(f"malformed MIME: {type(defects[0]).__name__}")
        if not any(k.lower() in ("from", "to", "subject", "message-id", "date") for k in msg):
            raise MalformedMail("malformed mail: no RFC 5322 header (From, To, Subject, Message-ID or Date)")
        sender_name, sender = parseaddr(str(msg.get("From", "")))
        if not sender and envelope_from and envelope_from not in ("", "<>"):
            sender = envelope_from
        subject = " ".join(str(msg.get("Subject", "")).split())
        text_body, html_body, parts = _bodies(msg)
    except (LookupError, ValueError, TypeError, UnicodeError) as exc:
        if isinstance(exc, ValidationFailed):
            raise
        raise MalformedMail(f"malformed MIME: {exc}") from None
    ids = message_ids(str(msg.get("Message-ID", "")))
    message_id = ids[0] if ids else "sha256-" + hashlib.sha256(raw).hexdigest()[:40] + "@blendcc.invalid"
    clean_html = sanitise_html(html_body, allow_remote_images=allow_remote_images) if html_body else None
    text = text_body if text_body.strip() else (html_to_text(clean_html) if clean_html else "")
    if "@" in sender:
        local, _, domain = sender.rpartition("@")
        sender = f"{local}@{domain.lower()}"
    return ParsedMail(message_id=message_id, sender=sender, sender_name=sender_name, subject=subject,
                      text=text.strip(), html=clean_html, in_reply_to=message_ids(str(msg.get("In-Reply-To", ""))),
                      references=message_ids(str(msg.get("References", ""))), attachments=tuple(parts),
                      automatic=automatic_reason(msg, envelope_from),
                      headers={k: str(v) for k, v in msg.items() if k.lower() in ("to", "cc", "date")})


def _bodies(msg: EmailMessage) -> tuple[str, str, list[MailPart]]:
    text, html = "", ""
    parts: list[MailPart] = []
    for part in msg.walk():
        if part.is_multipart():
            continue
        disposition = part.get_content_disposition()
        ctype = part.get_content_type()
        if disposition != "attachment" and ctype == "text/plain" and not text:
            text = str(part.get_content())
        elif disposition != "attachment" and ctype == "text/html" and not html:
            html = str(part.get_content())
        elif disposition in ("attachment", "inline") or part.get_filename():
            data = part.get_payload(decode=True)
            if not isinstance(data, bytes):
                data = str(part.get_payload()).encode()
            parts.append(MailPart(_safe_name(part.get_filename() or "attachment"), ctype, data))
    return text, html, parts


def _safe_name(name: str) -> str:
    """A file name for display: no directories, no control characters, at most 200 characters."""
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if ch.isprintable()).strip() or "attachment"
    return name[:200]

