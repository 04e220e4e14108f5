"""Canned responses: per team (a queue or a skill group) or personal, with placeholders filled at use."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from blendcc.domain.errors import ValidationFailed

ID_PATTERN = r"^[A-Za-z0-9_.\-]+$"
#: ``{customer.name}``, ``{customer.fields.plan}``...; ``{{`` and ``}}`` are literal braces
_PLACEHOLDER = re.compile(r"\{\{|\}\}|\{([A-Za-z]+(?:\.[A-Za-z0-9_\-]+)+)\}")
#: the fixed placeholders; ``customer.fields.<name>`` reads the customer's custom fields
KNOWN = frozenset({"customer.name", "customer.email", "customer.phone", "customer.tier", "customer.id",
                   "agent.name", "agent.id", "contact.id", "contact.channel", "contact.subject", "contact.queue"})
FIELDS_PREFIX = "customer.fields."

Scope = Literal["personal", "queue", "skill"]


class CannedResponse(BaseModel):
    """A reusable reply. ``scope`` personal: ``owner`` is the agent who uses it; queue or skill: ``owner``
    is the queue (or skill) whose agents share it. ``shortcut`` is what the agent types after ``/``."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(min_length=1, max_length=64, pattern=ID_PATTERN)
    scope: Scope
    owner: str = Field(min_length=1, max_length=64, pattern=ID_PATTERN)
    shortcut: str = Field(min_length=1, max_length=32, pattern=r"^[a-z0-9][a-z0-9_\-]*$")
    title: str = Field(default="", max_length=200)
    body: str = Field(min_length=1, max_length=10_000)
    updated_at: float = 0.0
    updated_by: str | None = None

    @field_validator("body")
    @classmethod
    def _placeholders(cls, v: str) -> str:
        unknown = [p for p in placeholders(v) if p not in KNOWN and not p.startswith(FIELDS_PREFIX)]
        if unknown:
            raise ValueError(f"unknown placeholder(s) {', '.join('{' + p + '}' for p in unknown)}; "
                             f"known: {', '.join(sorted(KNOWN))} and customer.fields.<name>")
        return v


def placeholders(body: str) -> list[str]:
    """The placeholders of ``body`` in order of appearance (each once)."""
    seen: dict[str, None] = {}
    for m in _PLACEHOLDER.finditer(body):
        if m.group(1):
            seen.setdefault(m.group(1), None)
    return list(seen)


def render(body: str, values: Mapping[str, str]) -> tuple[str, list[str]]:
    """``body`` with its placeholders filled from ``values``; a placeholder without a value becomes empty and
    is listed (second item) so the agent can fill it in."""
    missing: dict[str, None] = {}

    def fill(m: re.Match[str]) -> str:
        token = m.group(0)
        if token == "{{":
            return "{"
        if token == "}}":
            return "}"
        value = values.get(m.group(1))
        if value is None or value == "":
            missing.setdefault(m.group(1), None)
            return ""
        return value

    return _PLACEHOLDER.sub(fill, body), list(missing)


def search(responses: Iterable[CannedResponse], query: str, limit: int = 20) -> list[CannedResponse]:
    """Responses matching ``query`` (case-insensitive): shortcut prefix first, then shortcut, title or body
    containing it; ties by shortcut. An empty query lists them all."""
    q = query.strip().casefold()

    def rank(r: CannedResponse) -> int | None:
        if not q or r.shortcut.startswith(q):
            return 0
        if q in r.shortcut or q in r.title.casefold():
            return 1
        if q in r.body.casefold():
            return 2
        return None

    ranked = [(k, r.shortcut, r.id, r) for r in responses if (k := rank(r)) is not None]
    return [r for *_, r in sorted(ranked, key=lambda x: x[:3])][:limit]


def check_unique(existing: Iterable[CannedResponse], new: CannedResponse) -> None:
    """One shortcut per scope and owner (another response with it is refused)."""
    for r in existing:
        if r.id != new.id and (r.scope, r.owner, r.shortcut) == (new.scope, new.owner, new.shortcut):
            raise ValidationFailed(f"/{new.shortcut} is already canned response {r.id} of {new.scope} {new.owner}")
