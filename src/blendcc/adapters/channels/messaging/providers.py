"""Builds the SMS and social channel instances from the settings and registers them."""

from __future__ import annotations

import logging

from blendcc.adapters.channels.api import ApiChannel
from blendcc.adapters.channels.messaging.meta import MessengerChannel, WhatsAppChannel
from blendcc.adapters.channels.messaging.optout import DncOptOuts
from blendcc.adapters.channels.messaging.telegram import TelegramChannel
from blendcc.adapters.channels.messaging.twilio_sms import TwilioSmsChannel
from blendcc.adapters.channels.registry import ChannelRegistry
from blendcc.config import Settings
from blendcc.outbound_ports import DialerRepository
from blendcc.ports import Clock

log = logging.getLogger(__name__)

#: where the provider webhooks live (public: authenticated by each provider's signature, not a bearer token)
WEBHOOK_PREFIX = "/webhooks"


def register_messaging(channels: ChannelRegistry, settings: Settings, dnc: DialerRepository, clock: Clock) -> int:
    """Register every configured number, page and bot (replacing the generic API channel of an instance
    with the same name); returns how many were registered."""
    made: list[object] = []
    tw = settings.twilio
    if tw is not None:
        optouts = DncOptOuts(dnc, clock, tw.region)
        for instance, number in tw.numbers.items():
            callback = (f"{tw.public_url.rstrip('/')}{WEBHOOK_PREFIX}/twilio/{instance}/status"
                        if tw.public_url else None)
            made.append(TwilioSmsChannel(instance, number.id, tw.account_sid, tw.auth_token, base_url=tw.base_url,
                                         status_callback=callback, optouts=optouts, timeout_s=tw.timeout_s,
                                         attributes=number.attributes, workflow=number.workflow))
    wa = settings.whatsapp
    if wa is not None:
        for instance, number in wa.numbers.items():
            made.append(WhatsAppChannel(instance, number.id, app_secret=wa.app_secret, verify_token=wa.verify_token,
                                        access_token=wa.access_token, base_url=wa.base_url,
                                        api_version=wa.api_version, timeout_s=wa.timeout_s,
                                        attributes=number.attributes, workflow=number.workflow))
    ms = settings.messenger
    if ms is not None:
        for instance, page in ms.pages.items():
            made.append(MessengerChannel(instance, page.id, app_secret=ms.app_secret, verify_token=ms.verify_token,
                                         access_token=ms.page_tokens[instance], base_url=ms.base_url,
                                         api_version=ms.api_version, timeout_s=ms.timeout_s,
                                         attributes=page.attributes, workflow=page.workflow))
    tg = settings.telegram
    if tg is not None:
        for instance, bot in tg.bots.items():
            made.append(TelegramChannel(instance, bot.id, tg.secret_tokens[instance], base_url=tg.base_url,
                                        timeout_s=tg.timeout_s, attributes=bot.attributes, workflow=bot.workflow))
    for adapter in made:
        ref = adapter.channel  # type: ignore[attr-defined]
        existing = channels.adapter(ref)
        if existing is not None and not isinstance(existing, ApiChannel):
            raise ValueError(f"two messaging instances are named {ref}; give each number, page and bot its own name")
        channels.register(adapter, replace=True)  # type: ignore[arg-type]
        log.info("messaging channel %s registered", adapter.channel)  # type: ignore[attr-defined]
    return len(made)
