"""A live centre for the messaging end-to-end tests: the app on a real uvicorn server over SQLite or
PostgreSQL, every messaging provider configured against its real HTTP stand-in, agent a1 logged in and
taking SMS and social conversations, deliveries run when the test says (ManualTimers on the fake clock)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest

from blendcc.testing.fake_channel import ManualTimers
from conftest import Api, close_container, make_settings, seed_centre

from .standins import GraphStandIn, LiveApp, TelegramStandIn, TwilioStandIn

SID, TWILIO_TOKEN, NUMBER = "AC" + "2" * 32, "twilio-secret", "+15005550006"
BILLING_NUMBER = "+15005550007"  # a second number whose contacts the 'sms_billing' workflow routes
WA_PHONE_ID, WA_TOKEN, APP_SECRET, VERIFY = "106540352242922", "wa-token", "meta-app-secret", "verify-me"
PAGE_ID, PAGE_TOKEN = "1234567890", "page-token"
BOT_TOKEN, BOT_SECRET = "110201543:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw", "tg-webhook-secret"


@dataclass
class Live:
    api: Api
    app: LiveApp
    http: httpx.Client
    twilio: TwilioStandIn
    whatsapp: GraphStandIn
    messenger: GraphStandIn
    telegram: TelegramStandIn
    timers: ManualTimers

    # ---------------------------------------------------------------- webhooks, signed as providers sign them

    def twilio_post(self, path: str, params: Mapping[str, str], *, token: str = TWILIO_TOKEN,
                    signature: str | None = None) -> httpx.Response:
        from blendcc.adapters.channels.messaging.twilio_sms import twilio_signature

        url = self.app.url + path
        sig = signature if signature is not None else twilio_signature(token, url, params.items())
        return self.http.post(url, content=urlencode(params), headers={
            "Content-Type": "application/x-www-form-urlencoded", "X-Twilio-Signature": sig})

    def sms(self, sid: str, sender: str, body: str, *, instance: str = "main", to: str = NUMBER,
            **extra: str) -> httpx.Response:
        return self.twilio_post(f"/webhooks/twilio/{instance}/sms", {
            "MessageSid": sid, "SmsSid": sid, "AccountSid": SID, "From": sender, "To": to, "Body": body,
            "NumMedia": "0", "NumSegments": "1", **extra})

    def meta_post(self, provider: str, payload: Any, *, secret: str = APP_SECRET) -> httpx.Response:
        raw = json.dumps(payload).encode()
        sig = "sha256=" + hmac.new(secret.encode(), raw, hashlib.sha256).hexdigest()
        return self.http.post(f"{self.app.url}/webhooks/{provider}", content=raw, headers={
            "Content-Type": "application/json", "X-Hub-Signature-256": sig})

    def telegram_post(self, update: Any, *, secret: str = BOT_SECRET) -> httpx.Response:
        return self.http.post(f"{self.app.url}/webhooks/telegram/telegram", json=update,
                              headers={"X-Telegram-Bot-Api-Secret-Token": secret})

    # ---------------------------------------------------------------- the agent's side

    def thread(self, contact_id: str) -> list[dict[str, Any]]:
        messages: list[dict[str, Any]] = self.api.get(f"/api/contacts/{contact_id}/messages", "sup")["messages"]
        return messages

    def accept(self, contact_id: str) -> None:
        self.api.act("a1", contact_id, "accept")

    def reply(self, contact_id: str, expect: int = 201, **body: Any) -> dict[str, Any]:
        out: dict[str, Any] = self.api.post(f"/api/contacts/{contact_id}/messages", "ann", expect, json=body)
        return out


def basic_auth(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


@pytest.fixture(name="live")
def live_fixture(db_url: str, clock: Any, fast_passwords: None) -> Iterator[Live]:
    from blendcc.api.app import create_app
    from blendcc.bootstrap import build_container

    twilio, wa, ms, tg = (TwilioStandIn(SID, TWILIO_TOKEN), GraphStandIn(WA_TOKEN), GraphStandIn(PAGE_TOKEN),
                          TelegramStandIn(BOT_TOKEN))
    settings = make_settings(
        db_url,
        twilio={"account_sid": SID, "auth_token": TWILIO_TOKEN, "base_url": twilio.url,
                "numbers": {"main": {"id": NUMBER},
                            "billing": {"id": BILLING_NUMBER, "workflow": "sms_billing"}}, "timeout_s": 5},
        whatsapp={"app_secret": APP_SECRET, "verify_token": VERIFY, "access_token": WA_TOKEN, "base_url": wa.url,
                  "numbers": {"whatsapp": {"id": WA_PHONE_ID, "attributes": {"brand": "acme"}}}},
        messenger={"app_secret": APP_SECRET, "verify_token": VERIFY, "base_url": ms.url,
                   "pages": {"messenger": {"id": PAGE_ID}}, "page_tokens": {"messenger": PAGE_TOKEN}},
        telegram={"base_url": tg.url, "bots": {"telegram": {"id": BOT_TOKEN}},
                  "secret_tokens": {"telegram": BOT_SECRET}})
    container = build_container(settings, clock=clock, run_migrations=False)
    timers = ManualTimers(clock)
    container.conversations.later = timers
    app = LiveApp(create_app(container, background=False))
    http = httpx.Client(base_url=app.url, timeout=10)
    api = Api(http, container, clock)
    try:
        seed_centre(api)
        api.put("/api/config/agents/a1", json={"queues": ["sales", "support"], "skills": {"tech": 3},
                                                "capacity": {"limits": {"voice": 1, "sms": 3, "social": 3}}})
        api.agent_login("a1")
        yield Live(api, app, http, twilio, wa, ms, tg, timers)
    finally:
        http.close()
        app.close()
        for s in (twilio, wa, ms, tg):
            s.close()
        close_container(container)
