"""Demo customers on the real digital entry points: mail to the SMTP listener, signed Twilio-shaped SMS webhooks."""

from __future__ import annotations

import asyncio
import smtplib
import uuid
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import make_msgid

import httpx

from blendcc.adapters.channels.messaging.twilio_sms import twilio_signature
from blendcc.demo.providers import DEMO_MAIL_ADDRESS, DEMO_SMS_INSTANCE, DEMO_SMS_NUMBER


@dataclass(frozen=True)
class DigitalEntry:
    """Where demo customers write: ``smtp`` (host, port) of the listener; ``sms_token`` signs SMS webhooks."""

    base_url: str
    smtp: tuple[str, int] | None
    sms_token: str | None

    async def email(self, sender: str, subject: str, text: str) -> bool:
        """Send one mail through the SMTP listener; True when it answered 250 (stored)."""
        if self.smtp is None:
            return False
        msg = EmailMessage()
        msg["From"] = sender
        msg["To"] = DEMO_MAIL_ADDRESS
        msg["Subject"] = subject
        msg["Message-ID"] = make_msgid(domain="demo-customer.example")
        msg.set_content(text)
        host, port = self.smtp

        def send() -> bool:
            try:
                with smtplib.SMTP(host, port, timeout=10) as smtp:
                    smtp.send_message(msg)
            except (OSError, smtplib.SMTPException):
                return False
            return True

        return await asyncio.to_thread(send)

    async def sms(self, http: httpx.AsyncClient, sender: str, text: str) -> bool:
        """Post one inbound SMS as the provider would (signed with the demo number's auth token)."""
        if self.sms_token is None:
            return False
        path = f"/webhooks/twilio/{DEMO_SMS_INSTANCE}/sms"
        params = {"MessageSid": "SM" + uuid.uuid4().hex, "AccountSid": "ACdemo", "From": sender,
                  "To": DEMO_SMS_NUMBER, "Body": text, "NumMedia": "0"}
        signature = twilio_signature(self.sms_token, self.base_url + path, params.items())
        try:
            r = await http.post(path, data=params, headers={"X-Twilio-Signature": signature})
        except httpx.HTTPError:
            return False
        return r.is_success
