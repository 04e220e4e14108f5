"""Outbound mail through an SMTP relay (smtplib): STARTTLS or TLS, optional login; failures classified
as temporary (4xx, connection trouble: retry) or permanent (5xx: failed)."""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage

from blendcc.domain.conversation import DeliveryFailed


@dataclass(frozen=True, slots=True)
class SmtpRelay:
    host: str
    port: int = 587
    security: str = "starttls"  # starttls | ssl | none
    username: str | None = None
    password: str | None = None
    timeout_s: float = 30.0
    context: ssl.SSLContext | None = None

    def send(self, mail: EmailMessage, sender: str, recipients: list[str]) -> None:
        """Hand ``mail`` to the relay; ``DeliveryFailed`` (retryable on 4xx and network errors)."""
        try:
            if self.security == "ssl":
                smtp: smtplib.SMTP = smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout_s,
                                                      context=self.context or ssl.create_default_context())
            else:
                smtp = smtplib.SMTP(self.host, self.port, timeout=self.timeout_s)
            with smtp:
                smtp.ehlo()
                if self.security == "starttls":
                    smtp.starttls(context=self.context or ssl.create_default_context())
                    smtp.ehlo()
                if self.username:
                    smtp.login(self.username, self.password or "")
                refused = smtp.send_message(mail, from_addr=sender, to_addrs=recipients)
        except smtplib.SMTPRecipientsRefused as exc:
            code, text = next(iter(exc.recipients.values()))
            raise _failure(code, text) from None
        except smtplib.SMTPResponseException as exc:
            raise _failure(exc.smtp_code, exc.smtp_error) from None
        except (smtplib.SMTPException, OSError) as exc:
            raise DeliveryFailed(f"SMTP relay {self.host}:{self.port} unreachable: {exc}", retryable=True) from None
        if refused:
            code, text = next(iter(refused.values()))
            raise _failure(code, text)


def _failure(code: int, text: bytes | str) -> DeliveryFailed:
    message = text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)
    return DeliveryFailed(f"SMTP {code} {message}".strip(), retryable=400 <= code < 500)
