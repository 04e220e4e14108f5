"""Web-chat sessions: the customer's resumable session (token hash, pre-chat answers, its contact, state)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any


class ChatState(StrEnum):
    """Where a web chat is, as the widget shows it."""

    NEW = "new"  # session created, no message yet
    BOT = "bot"  # talking to the instance's bot
    QUEUED = "queued"  # routed, waiting for an agent
    CONNECTED = "connected"  # an agent accepted
    ENDED = "ended"


#: after the conversation ends, the token still resumes the session this long (transcript, CSAT)
RESUME_AFTER_END_S = 24 * 3600.0


def hash_token(token: str) -> str:
    """What is stored of a session token (never the token itself)."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@dataclass(frozen=True, slots=True)
class ChatSession:
    """One customer's web chat on one instance. ``contact_id`` is set when the session's first message
    creates the contact (or, with a bot, when the session starts). ``read_upto``: the customer's messages
    up to this message id were read by the agent; ``rated``: a CSAT answer was stored."""

    id: str
    instance: str
    token_hash: str
    name: str
    email: str | None
    phone: str | None
    topic: str | None
    language: str | None
    created_at: float
    expires_at: float
    contact_id: str | None = None
    state: str = ChatState.NEW.value
    ended_at: float | None = None
    ended_by: str | None = None
    agent_name: str | None = None
    read_upto: str | None = None
    rated: bool = False
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def address(self) -> str:
        """The customer's address on the chat channel: the session id (its ``thread_ref`` too)."""
        return self.id

    def changed(self, **changes: Any) -> ChatSession:
        return replace(self, **changes)

    def matches(self, token: str) -> bool:
        return hashlib.sha256(token.encode("utf-8")).hexdigest() == self.token_hash
