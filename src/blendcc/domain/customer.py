"""Customer identity kinds (phone, email, chat id, social handle) and their canonical form for matching."""

from __future__ import annotations

import re
from enum import StrEnum


class IdentityKind(StrEnum):
    PHONE = "phone"
    EMAIL = "email"
    CHAT = "chat"
    SOCIAL = "social"


_NON_DIGITS = re.compile(r"[^\d]")


def normalise_identity(kind: IdentityKind, value: str) -> str:
    """Canonical form of an identity so that '+44 20 7946 0000' and '+442079460000' match."""
    value = value.strip()
    if kind is IdentityKind.PHONE:
        digits = _NON_DIGITS.sub("", value)
        if value.startswith("+"):
            return "+" + digits
        if value.startswith("00"):
            return "+" + digits[2:]
        return digits
    if kind is IdentityKind.EMAIL:
        return value.lower()
    return value
