"""The built-in SMTP listener (aiosmtpd) for mail routed to the centre: recipients must be configured
mailboxes (550), the SIZE limit is enforced (552), malformed mail is refused with its reason (550), and
250 is answered only after the message is stored."""

from __future__ import annotations

import logging
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

from blendcc.adapters.channels.email.channel import EmailChannel, MailTooLarge
from blendcc.adapters.channels.email.inbound import EmailInbound
from blendcc.adapters.channels.email.mime import AttachmentTooLarge
from blendcc.domain.errors import ValidationFailed

log = logging.getLogger(__name__)


class _Handler:
    def __init__(self, inbound: EmailInbound):
        self.inbound = inbound

    async def handle_RCPT(  # noqa: N802 (aiosmtpd's hook names)
            self, server: SMTP, session: Session, envelope: Envelope, address: str, rcpt_options: list[str]) -> str:
        if self.inbound.mailbox_for(address) is None:
            log.info("SMTP: refused recipient %s from %s", address, session.peer)
            return f"550 5.1.1 <{address}>: no such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(  # noqa: N802
            self, server: SMTP, session: Session, envelope: Envelope) -> str:
        raw = envelope.original_content or envelope.content or b""
        if isinstance(raw, str):
            raw = raw.encode("utf-8", "surrogateescape")
        mailboxes: dict[str, EmailChannel] = {}
        for rcpt in envelope.rcpt_tos:
            channel = self.inbound.mailbox_for(rcpt)
            if channel is not None:
                mailboxes.setdefault(channel.config.name, channel)
        stored = []
        for channel in mailboxes.values():
            try:
                received = self.inbound.accept(channel, raw, envelope.mail_from)
            except (MailTooLarge, AttachmentTooLarge) as exc:
                log.warning("SMTP: refused mail from %s to %s: %s", envelope.mail_from, channel.config.name, exc)
                return f"552 5.3.4 {_line(str(exc))}"
            except ValidationFailed as exc:
                log.warning("SMTP: refused mail from %s to %s: %s", envelope.mail_from, channel.config.name, exc)
                return f"550 5.6.0 {_line(str(exc))}"
            except Exception:
                log.exception("SMTP: could not store mail from %s", envelope.mail_from)
                return "451 4.3.0 temporary failure storing the message; try again later"
            if received is not None:
                stored.append(received.contact_id)
        return "250 2.0.0 OK stored" + (f" [#{stored[0]}]" if stored else "")


def _line(text: str) -> str:
    return " ".join(text.split())[:400]


class SmtpListener:
    """Runs the SMTP server on its own thread (aiosmtpd's Controller)."""

    def __init__(self, inbound: EmailInbound, host: str, port: int, max_message_bytes: int,
                 hostname: str | None = None):
        self.controller = Controller(_Handler(inbound), hostname=host, port=port, server_hostname=hostname,
                                     data_size_limit=max_message_bytes, decode_data=False)

    @property
    def address(self) -> tuple[str, int]:
        return str(self.controller.hostname), int(self.controller.port)

    def start(self) -> None:
        self.controller.start()
        log.info("SMTP listener on %s:%d", *self.address)

    def stop(self) -> None:
        self.controller.stop()

    def __enter__(self) -> SmtpListener:
        self.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.stop()
