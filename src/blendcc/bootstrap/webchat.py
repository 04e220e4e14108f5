"""Wires the web-chat channel: one adapter per configured instance, the session repository, the
attachment store, the transcript mailer and the use case (``container.webchat``)."""

from __future__ import annotations

import logging
from typing import Any

from blendcc.adapters.channels.api import ApiChannel
from blendcc.adapters.channels.attachments import FileAttachmentStore
from blendcc.adapters.channels.base import TimerThread
from blendcc.adapters.channels.registry import ChannelRegistry
from blendcc.adapters.channels.webchat.channel import WebchatChannel
from blendcc.app.channels.webchat.service import WebchatService
from blendcc.app.container import Container
from blendcc.config import Settings
from blendcc.domain.conversation import ChannelRef, DeliveryStatus, OutboundMessage, UpdateDelivery
from blendcc.domain.errors import DomainError
from blendcc.ivr.flow import IvrFlow
from blendcc.ports import WebchatSessionRepository

log = logging.getLogger(__name__)


def wire_webchat(container: Container, settings: Settings, sessions: WebchatSessionRepository) -> WebchatService:
    registry, conversations = container.channels, container.conversations
    assert isinstance(registry, ChannelRegistry) and conversations is not None
    later = TimerThread("webchat")
    mailer = None
    if settings.email_relay_host:
        from blendcc.adapters.channels.email.relay import SmtpRelay
        from blendcc.adapters.channels.webchat.mail import relay_mailer

        relay = SmtpRelay(settings.email_relay_host, settings.email_relay_port, settings.email_relay_security,
                          settings.email_relay_username, settings.email_relay_password,
                          settings.email_relay_timeout_s)
        mailer = relay_mailer(relay, f"no-reply@{settings.email_domain}", settings.email_domain)
    limit = max([i.max_attachment_bytes for i in settings.webchat.values()] or [1])

    def flow_of(flow_id: str) -> IvrFlow | None:
        try:
            flow: Any = container.config.get("ivr_flows", flow_id)
        except DomainError:
            return None
        return flow if isinstance(flow, IvrFlow) else None

    service = WebchatService(settings.webchat, sessions, conversations, container.contacts, container.runtime,
                             container.bus, container.store, container.store, registry, container.clock, later,
                             FileAttachmentStore(settings.webchat_attachment_dir, max_bytes=limit), mailer, flow_of,
                             container.stats.queues_today)

    def delivered(message: OutboundMessage) -> None:
        def report() -> None:
            conversations.update_delivery(UpdateDelivery(message.channel, DeliveryStatus.DELIVERED,
                                                         message_id=message.message_id))

        later.call_later(0.0, report)

    for name, inst in settings.webchat.items():
        registry.register(WebchatChannel(name, inst.max_attachment_bytes, tuple(inst.attachment_types),
                                         service.hub.live, delivered), replace=True)
        mailbox = ChannelRef("email", inst.offline_mailbox or "webchat-offline")
        if registry.adapter(mailbox) is None:  # no such mailbox: replies are kept in the thread only
            registry.register(ApiChannel("email", mailbox.instance))
    return service
