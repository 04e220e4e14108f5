"""Public provider webhooks (SMS, WhatsApp, Messenger, Telegram) under ``/webhooks``: each is authenticated
by its provider's signature or secret token (not by a bearer token), and every inbound message is stored
before the provider gets its answer (a provider re-delivers what was not acknowledged)."""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping, Sequence
from typing import Any, TypeVar
from urllib.parse import parse_qsl

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from starlette.concurrency import run_in_threadpool

from blendcc.adapters.channels.messaging.http import MAX_WEBHOOK_BYTES
from blendcc.adapters.channels.messaging.meta import MessengerChannel, WhatsAppChannel, _GraphChannel
from blendcc.adapters.channels.messaging.providers import WEBHOOK_PREFIX
from blendcc.adapters.channels.messaging.telegram import TelegramChannel
from blendcc.adapters.channels.messaging.twilio_sms import TwilioSmsChannel
from blendcc.adapters.channels.registry import ChannelRegistry
from blendcc.api.models.common import media
from blendcc.api.models.webhooks import WebhookCounts
from blendcc.app.container import Container
from blendcc.domain.conversation import ChannelRef, Received, ReceiveMessage
from blendcc.domain.errors import DomainError, Forbidden, InvalidState, NotFound, ValidationFailed
from blendcc.ports import ChannelAdapter

log = logging.getLogger(__name__)

#: every public route of this module (method, path): the API's authentication lets exactly these through
PUBLIC_PREFIX = WEBHOOK_PREFIX
PUBLIC_ROUTES: tuple[tuple[str, str], ...] = (
    ("POST", f"{PUBLIC_PREFIX}/twilio/{{instance}}/sms"),
    ("POST", f"{PUBLIC_PREFIX}/twilio/{{instance}}/status"),
    ("GET", f"{PUBLIC_PREFIX}/whatsapp"),
    ("POST", f"{PUBLIC_PREFIX}/whatsapp"),
    ("GET", f"{PUBLIC_PREFIX}/messenger"),
    ("POST", f"{PUBLIC_PREFIX}/messenger"),
    ("POST", f"{PUBLIC_PREFIX}/telegram/{{instance}}"),
)
EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'

router = APIRouter(prefix=PUBLIC_PREFIX, tags=["webhooks"])
A = TypeVar("A")


class TooLarge(Exception):
    pass


def _container(request: Request) -> Container:
    container: Container = request.app.state.container
    if container.conversations is None or container.channels is None:
        raise InvalidState("conversations are not wired in this server")
    return container


def _adapter(c: Container, ref: ChannelRef, cls: type[A]) -> A:
    found = c.channels.adapter(ref) if c.channels is not None else None
    if not isinstance(found, cls):
        raise NotFound(f"no {cls.__name__} instance {ref.instance!r} is configured")
    return found


def _all(c: Container, cls: type[A]) -> list[A]:
    registry = c.channels
    kinds = registry.of_kind("social") if isinstance(registry, ChannelRegistry) else []
    found: list[A] = [a for a in kinds if isinstance(a, cls)]
    if not found:
        raise NotFound(f"no {cls.__name__} instance is configured")
    return found


async def _body(request: Request) -> bytes:
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > MAX_WEBHOOK_BYTES:
        raise TooLarge
    body = await request.body()
    if len(body) > MAX_WEBHOOK_BYTES:
        raise TooLarge
    return body


def _too_large(where: str) -> Response:
    log.warning("%s: body larger than %d bytes refused", where, MAX_WEBHOOK_BYTES)
    return JSONResponse({"error": "too_large", "detail": f"a webhook body has at most {MAX_WEBHOOK_BYTES} bytes"},
                        status_code=413)


def _json(body: bytes, where: str) -> Mapping[str, Any]:
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise ValidationFailed(f"{where}: the body is not JSON") from None
    if not isinstance(data, dict):
        raise ValidationFailed(f"{where}: the body must be a JSON object")
    return data


def _feed(c: Container, adapters: Sequence[ChannelAdapter], payload: Mapping[str, Any], where: str) -> dict[str, int]:
    """Translate ``payload`` by each adapter and hand the commands to the inbox (stored before we answer)."""
    assert c.conversations is not None
    counts = {"received": 0, "duplicates": 0, "receipts": 0}
    try:
        for adapter in adapters:
            for command in adapter.translate(payload):
                if isinstance(command, ReceiveMessage):
                    got: Received = c.conversations.receive(command)
                    counts["duplicates" if got.duplicate else "received"] += 1
                    if isinstance(adapter, TwilioSmsChannel) and not got.duplicate:
                        adapter.keyword(command)  # STOP / START: the opt-out list (the dialer's DNC)
                else:
                    counts["receipts"] += int(c.conversations.update_delivery(command))
    except DomainError as exc:
        log.warning("%s refused: %s", where, exc.message)
        raise
    return counts


def _public_url(c: Container, request: Request) -> str:
    """The URL Twilio signed: our public base URL (behind a proxy) with the request's path and query."""
    base = c.settings.twilio.public_url if c.settings.twilio is not None else None
    if not base:
        return str(request.url)
    query = request.url.query
    return base.rstrip("/") + request.url.path + (f"?{query}" if query else "")


async def _twilio(request: Request, instance: str, where: str, extra: dict[str, str]) -> Response:
    c = _container(request)
    adapter = _adapter(c, ChannelRef("sms", instance), TwilioSmsChannel)
    try:
        body = await _body(request)
    except TooLarge:
        return _too_large(where)
    try:
        params = parse_qsl(body.decode("utf-8"), keep_blank_values=True, strict_parsing=bool(body))
    except (UnicodeDecodeError, ValueError):
        log.warning("%s: the body is not form-encoded", where)
        raise ValidationFailed(f"{where}: the body is not application/x-www-form-urlencoded") from None
    if not adapter.verify(_public_url(c, request), params, request.headers.get("x-twilio-signature")):
        log.warning("%s: invalid X-Twilio-Signature from %s", where, request.client.host if request.client else "?")
        raise Forbidden("invalid X-Twilio-Signature")
    await run_in_threadpool(_feed, c, [adapter], {**dict(params), **extra}, where)
    return Response(EMPTY_TWIML, media_type="text/xml")


@router.post("/twilio/{instance}/sms", response_class=Response,
             responses=media("an empty TwiML answer", "text/xml", binary=False),
             summary="Twilio-shaped inbound SMS (signed form POST)")
async def twilio_sms(instance: str, request: Request) -> Response:
    return await _twilio(request, instance, f"sms webhook {instance}", {})


@router.post("/twilio/{instance}/status", response_class=Response,
             responses=media("an empty TwiML answer", "text/xml", binary=False),
             summary="Twilio-shaped delivery-status callback")
async def twilio_status(instance: str, request: Request) -> Response:
    ours = request.query_params.get("message_id")
    return await _twilio(request, instance, f"sms status webhook {instance}", {"message_id": ours} if ours else {})


def _challenge(request: Request, adapters: Sequence[_GraphChannel]) -> Response:
    q = request.query_params
    if not adapters[0].challenge(q.get("hub.mode"), q.get("hub.verify_token")):
        log.warning("webhook verification with a wrong hub.verify_token or mode refused")
        raise Forbidden("hub.verify_token does not match or hub.mode is not subscribe")
    return PlainTextResponse(q.get("hub.challenge", ""))


async def _graph(request: Request, adapters: Sequence[WhatsAppChannel] | Sequence[MessengerChannel],
                 where: str) -> Response:
    c = _container(request)
    try:
        body = await _body(request)
    except TooLarge:
        return _too_large(where)
    if not adapters[0].verify(body, request.headers.get("x-hub-signature-256")):
        log.warning("%s: invalid X-Hub-Signature-256 from %s", where, request.client.host if request.client else "?")
        raise Forbidden("invalid X-Hub-Signature-256")
    payload = _json(body, where)
    counts = await run_in_threadpool(_feed, c, adapters, payload, where)
    return JSONResponse(counts)


@router.get("/whatsapp", response_class=PlainTextResponse,
            responses=media("the hub.challenge, echoed", "text/plain", binary=False),
            summary="WhatsApp webhook verification (hub.challenge)")
def whatsapp_verify(request: Request) -> Response:
    return _challenge(request, list(_all(_container(request), WhatsAppChannel)))


@router.post("/whatsapp", response_model=WebhookCounts, summary="WhatsApp Cloud API webhook (X-Hub-Signature-256)")
async def whatsapp(request: Request) -> Response:
    return await _graph(request, list(_all(_container(request), WhatsAppChannel)), "whatsapp webhook")


@router.get("/messenger", response_class=PlainTextResponse,
            responses=media("the hub.challenge, echoed", "text/plain", binary=False),
            summary="Messenger webhook verification (hub.challenge)")
def messenger_verify(request: Request) -> Response:
    return _challenge(request, list(_all(_container(request), MessengerChannel)))


@router.post("/messenger", response_model=WebhookCounts, summary="Messenger webhook (X-Hub-Signature-256)")
async def messenger(request: Request) -> Response:
    return await _graph(request, list(_all(_container(request), MessengerChannel)), "messenger webhook")


@router.post("/telegram/{instance}", response_model=WebhookCounts,
             summary="Telegram Bot API webhook (X-Telegram-Bot-Api-Secret-Token)")
async def telegram(instance: str, request: Request) -> Response:
    c = _container(request)
    adapter = _adapter(c, ChannelRef("social", instance), TelegramChannel)
    where = f"telegram webhook {instance}"
    try:
        body = await _body(request)
    except TooLarge:
        return _too_large(where)
    if not adapter.verify(request.headers.get("x-telegram-bot-api-secret-token")):
        log.warning("%s: invalid secret token from %s", where, request.client.host if request.client else "?")
        raise Forbidden("invalid X-Telegram-Bot-Api-Secret-Token")
    counts = await run_in_threadpool(_feed, c, [adapter], _json(body, where), where)
    return JSONResponse(counts)
