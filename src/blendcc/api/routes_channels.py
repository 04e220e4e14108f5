"""Channels endpoint: the mailboxes, SMS/WhatsApp numbers, social pages, bots and chat widgets as the server's
settings configure them (read-only; secrets are never shown)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from blendcc.api.deps import C, P
from blendcc.api.models import channels as out
from blendcc.config import Settings

router = APIRouter(prefix="/api", tags=["channels"])

#: kind -> the environment variable holding it (JSON), read when the server starts
SETTINGS = {"email": "BLENDCC_EMAIL_MAILBOXES", "sms": "BLENDCC_TWILIO", "whatsapp": "BLENDCC_WHATSAPP",
            "messenger": "BLENDCC_MESSENGER", "telegram": "BLENDCC_TELEGRAM", "webchat": "BLENDCC_WEBCHAT"}


def channel_list(s: Settings) -> list[dict[str, Any]]:
    """Every configured channel instance, without passwords, tokens or bot ids."""
    rows: list[dict[str, Any]] = []
    for name, box in sorted(s.email_mailboxes.items()):
        rows.append({"kind": "email", "name": name, "address": box.address, "workflow": box.workflow,
                     "detail": {"display_name": box.display_name, "aliases": list(box.aliases),
                                "imap": box.imap.host if box.imap else None, "acknowledge": box.acknowledge}})
    if s.twilio is not None:
        for name, inst in sorted(s.twilio.numbers.items()):
            rows.append({"kind": "sms", "name": name, "address": inst.id, "workflow": inst.workflow,
                         "detail": {"provider": "twilio", "region": s.twilio.region}})
    if s.whatsapp is not None:
        for name, inst in sorted(s.whatsapp.numbers.items()):
            rows.append({"kind": "whatsapp", "name": name, "address": inst.id, "workflow": inst.workflow,
                         "detail": {"api_version": s.whatsapp.api_version}})
    if s.messenger is not None:
        for name, inst in sorted(s.messenger.pages.items()):
            rows.append({"kind": "messenger", "name": name, "address": inst.id, "workflow": inst.workflow,
                         "detail": {"api_version": s.messenger.api_version}})
    if s.telegram is not None:
        for name, inst in sorted(s.telegram.bots.items()):  # the id is the bot token: never shown
            rows.append({"kind": "telegram", "name": name, "address": None, "workflow": inst.workflow, "detail": {}})
    for name, chat in sorted(s.webchat.items()):
        rows.append({"kind": "webchat", "name": name, "address": None, "workflow": chat.workflow,
                     "detail": {"centre_name": chat.centre_name, "primary_colour": chat.primary_colour,
                                "text_colour": chat.text_colour, "language": chat.language,
                                "languages": list(chat.languages), "topics": [t.label for t in chat.topics],
                                "calendar": chat.calendar, "bot_flow": chat.bot_flow}})
    return rows


@router.get("/channels", response_model=out.ChannelsOut,
            summary="The centre's channels (mailboxes, numbers, pages, bots, chat widgets) from the settings")
def channels(c: C, p: P) -> dict[str, Any]:
    p.require("admin")
    return {"source": "settings", "settings": SETTINGS, "channels": channel_list(c.settings)}
