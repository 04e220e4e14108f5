"""Messaging settings and registration: one instance per number, page and bot, signatures as documented."""

from __future__ import annotations

import base64
import hashlib
import hmac

import pytest
from pydantic import ValidationError

from blendcc.adapters.channels.api import ApiChannel
from blendcc.adapters.channels.messaging.meta import hub_signature
from blendcc.adapters.channels.messaging.providers import register_messaging
from blendcc.adapters.channels.messaging.twilio_sms import TwilioSmsChannel, twilio_signature
from blendcc.adapters.channels.registry import ChannelRegistry
from blendcc.api.routes_webhooks import PUBLIC_PREFIX, PUBLIC_ROUTES, router
from blendcc.config import Settings
from blendcc.domain.conversation import ChannelRef
from blendcc.testing import FakeClock


def test_twilio_signature_is_hmac_sha1_of_the_url_and_sorted_params() -> None:
    url = "https://mycompany.com/myapp.php?foo=1&bar=2"
    params = {"Digits": "1234", "To": "+18005551212", "From": "+14158675310", "Caller": "+14158675310",
              "CallSid": "CA1234567890ABCDE"}
    data = url + "CallSidCA1234567890ABCDE" + "Caller+14158675310" + "Digits1234" + "From+14158675310" \
        + "To+18005551212"
    expected = base64.b64encode(hmac.new(b"12345", data.encode(), hashlib.sha1).digest()).decode()
    assert twilio_signature("12345", url, params.items()) == expected
    channel = TwilioSmsChannel("main", "+15005550006", "AC1", "12345")
    assert channel.verify(url, params.items(), expected)
    assert not channel.verify(url + "&x=1", params.items(), expected) and not channel.verify(url, params.items(), None)


def test_hub_signature_is_hmac_sha256_of_the_raw_body() -> None:
    body = b'{"object":"page","entry":[]}'
    assert hub_signature("s3cret", body) == "sha256=" + hmac.new(b"s3cret", body, hashlib.sha256).hexdigest()


def test_settings_need_a_secret_per_bot_and_a_token_per_page() -> None:
    with pytest.raises(ValidationError, match="secret token"):
        Settings(telegram={"bots": {"t": {"id": "1:abc"}}})
    with pytest.raises(ValidationError, match="page access token"):
        Settings(messenger={"app_secret": "a", "verify_token": "v", "pages": {"p": {"id": "1"}}})


def test_instances_are_registered_and_replace_the_generic_api_channel_but_never_each_other() -> None:
    registry = ChannelRegistry()
    registry.register(ApiChannel("sms"))  # instance 'default'
    settings = Settings(twilio={"account_sid": "AC1", "auth_token": "t", "numbers": {"default": {"id": "+15005550006"}},
                                "public_url": "https://cc.example.com/"},
                        telegram={"bots": {"bot": {"id": "1:abc"}}, "secret_tokens": {"bot": "s"}})
    assert register_messaging(registry, settings, None, FakeClock(0.0)) == 2
    sms = registry.get(ChannelRef("sms", "default"))
    assert isinstance(sms, TwilioSmsChannel)
    assert sms.status_callback == "https://cc.example.com/webhooks/twilio/default/status"
    clash = Settings(whatsapp={"app_secret": "a", "verify_token": "v", "numbers": {"bot": {"id": "1"}}})
    with pytest.raises(ValueError, match="two messaging instances"):
        register_messaging(registry, clash, None, FakeClock(0.0))


def test_every_webhook_route_is_public_listed_and_outside_api() -> None:
    routes = {(m, r.path) for r in router.routes for m in r.methods}
    assert routes == set(PUBLIC_ROUTES)
    assert PUBLIC_PREFIX == "/webhooks" and all(p.startswith("/webhooks/") for _, p in PUBLIC_ROUTES)
