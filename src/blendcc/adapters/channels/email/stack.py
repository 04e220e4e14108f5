"""The email channel as configured: one EmailChannel per mailbox, the relay, the inbound pipeline, the SMTP
listener and the IMAP pollers (started and stopped with the server)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from blendcc.adapters.channels.attachments import FileAttachmentStore
from blendcc.adapters.channels.email.channel import EmailChannel, MailboxConfig
from blendcc.adapters.channels.email.imap import ImapAccount, ImapPoller
from blendcc.adapters.channels.email.inbound import Acknowledge, EmailInbound
from blendcc.adapters.channels.email.listener import SmtpListener
from blendcc.adapters.channels.email.relay import SmtpRelay
from blendcc.ports import ConversationInbox, EventStore, ReportReader

log = logging.getLogger(__name__)


class EmailStack:
    def __init__(self, settings: Any, inbox: ConversationInbox, history: EventStore, reader: ReportReader,
                 acknowledge: Acknowledge | None = None):
        self.settings = settings
        self.attachments = FileAttachmentStore(settings.email_attachment_dir,
                                               max_bytes=settings.email_max_attachment_bytes)
        self.relay = None if not settings.email_relay_host else SmtpRelay(
            settings.email_relay_host, settings.email_relay_port, settings.email_relay_security,
            settings.email_relay_username, settings.email_relay_password, settings.email_relay_timeout_s)
        self.channels: list[EmailChannel] = []
        for name, box in sorted(settings.email_mailboxes.items()):
            config = MailboxConfig(
                name=name, address=box.address, display_name=box.display_name, workflow=box.workflow,
                acknowledge=box.acknowledge, acknowledgement=box.acknowledgement, domain=settings.email_domain,
                max_message_bytes=settings.email_max_message_bytes,
                max_attachment_bytes=settings.email_max_attachment_bytes,
                attachment_types=tuple(settings.email_attachment_types), remote_images=settings.email_remote_images,
                signature=settings.email_signature, signatures=dict(settings.email_signatures))
            self.channels.append(EmailChannel(config, self.attachments, self.relay, history, reader))
        self.inbound = EmailInbound(self.channels, inbox, acknowledge,
                                    {n: list(b.aliases) for n, b in settings.email_mailboxes.items()})
        self.listener: SmtpListener | None = None
        self.pollers: list[ImapPoller] = []
        for channel in self.channels:
            imap = settings.email_mailboxes[channel.config.name].imap
            if imap is not None:
                self.pollers.append(ImapPoller(channel, ImapAccount(
                    imap.host, imap.port, imap.username, imap.password, imap.security, imap.folder, imap.poll_s,
                    imap.idle, imap.processed_folder), self.inbound))

    def services(self) -> list[tuple[str, Callable[[], None], Callable[[], None]]]:
        """The listeners as (name, start, stop): 'smtp' when enabled, 'imap:<mailbox>' per polled mailbox (the
        API lifespan runs them as leader-only services: on the routing leader only, ADR 0063)."""
        out: list[tuple[str, Callable[[], None], Callable[[], None]]] = []
        if self.settings.email_smtp_enabled:
            out.append(("smtp", self._start_listener, self._stop_listener))
        out.extend((f"imap:{p.channel.config.name}", p.start, p.stop) for p in self.pollers)
        return out

    def start(self) -> None:
        for _, start, _ in self.services():
            start()

    def stop(self) -> None:
        for _, _, stop in reversed(self.services()):
            stop()

    def _start_listener(self) -> None:
        if self.listener is None:
            listener = SmtpListener(self.inbound, self.settings.email_smtp_host, self.settings.email_smtp_port,
                                    self.settings.email_max_message_bytes)
            listener.start()
            self.listener = listener

    def _stop_listener(self) -> None:
        if self.listener is not None:
            self.listener.stop()
            self.listener = None
