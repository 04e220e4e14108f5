"""The inbound mail pipeline shared by the SMTP listener and the IMAP pollers: mailbox by recipient,
machine mail dropped, the message stored through the conversation inbox, the optional acknowledgement."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable

from blendcc.adapters.channels.email.channel import EmailChannel, ticket_ref
from blendcc.domain.conversation import Received
from blendcc.ports import ConversationInbox

log = logging.getLogger(__name__)

#: (contact id, text) -> stores and sends a system message in the contact's thread
Acknowledge = Callable[[str, str], None]


class EmailInbound:
    """Feeds raw mail to the conversation inbox. ``accept`` returns what was stored, or None for machine
    mail (auto-replies, bounces, bulk: never a conversation, never an answer); it raises
    ``ValidationFailed`` (malformed, too large, refused attachment) before anything is stored."""

    def __init__(self, channels: Iterable[EmailChannel], inbox: ConversationInbox,
                 acknowledge: Acknowledge | None = None, aliases: dict[str, list[str]] | None = None):
        self.channels = {c.config.name: c for c in channels}
        self.inbox = inbox
        self.acknowledge = acknowledge
        self._by_address: dict[str, EmailChannel] = {}
        for c in self.channels.values():
            for address in (c.config.address, *(aliases or {}).get(c.config.name, ())):
                self._by_address[address.strip().lower()] = c

    def mailbox_for(self, address: str) -> EmailChannel | None:
        return self._by_address.get(address.strip().strip("<>").lower())

    def accept(self, channel: EmailChannel, raw: bytes, mail_from: str | None) -> Received | None:
        mail = channel.parse({"raw": raw, "mail_from": mail_from})
        reason = mail.automatic or ("sent by one of our own mailboxes" if self.mailbox_for(mail.sender) else None)
        if reason is not None:
            log.info("mailbox %s: ignored machine mail %s from %s (%s)", channel.config.name, mail.message_id,
                     mail.sender or "<>", reason)
            return None
        command = channel.command(mail)
        received = self.inbox.receive(command)
        if (received.created_contact and not received.duplicate and channel.config.acknowledge
                and self.acknowledge is not None and "reopens" not in command.attributes):
            text = channel.config.acknowledgement.replace("{ref}", ticket_ref(received.contact_id))
            try:
                self.acknowledge(received.contact_id, text)
            except Exception:  # the mail is stored; a failed acknowledgement must not make the sender retry
                log.exception("mailbox %s: acknowledgement of %s failed", channel.config.name, received.contact_id)
        return received
