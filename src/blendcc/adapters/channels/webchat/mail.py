"""Web-chat transcripts by email: a plain-text mail handed to the email channel's SMTP relay."""

from __future__ import annotations

from collections.abc import Callable
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from blendcc.adapters.channels.email.relay import SmtpRelay


def relay_mailer(relay: SmtpRelay, sender: str, domain: str) -> Callable[[str, str, str], None]:
    """``(to, subject, text)`` -> one mail through ``relay`` (raises ``DeliveryFailed``)."""

    def send(to: str, subject: str, text: str) -> None:
        mail = EmailMessage()
        mail["From"] = sender
        mail["To"] = to
        mail["Subject"] = subject
        mail["Date"] = formatdate(localtime=False, usegmt=True)
        mail["Message-ID"] = make_msgid(domain=domain)
        mail["Auto-Submitted"] = "auto-generated"  # RFC 3834: no auto-answer to it
        mail.set_content(text)
        relay.send(mail, sender, [to])

    return send
