"""Usernames: NFKC normalisation, the case-insensitive lookup key, and the rules a new username must meet."""

from __future__ import annotations

import unicodedata

from blendcc.domain.errors import ValidationFailed

#: The longest username, after normalisation; the same limit applies when creating and when logging in.
USERNAME_MAX = 100

#: Punctuation a username may contain besides letters, marks and digits.
_PUNCTUATION = frozenset("._-@+")


def normalise(username: str) -> str:
    """The stored form of a username: NFKC (fullwidth, ligatures and compatibility forms folded)."""
    return unicodedata.normalize("NFKC", username)


def username_key(username: str) -> str:
    """The uniqueness and lookup key: NFKC, case-folded, NFKC again ('ADMIN' and fullwidth 'admin' -> 'admin')."""
    return unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", username).casefold())


def validate_new(username: str) -> str:
    """The normalised form of a username for a new user, or ValidationFailed naming the problem.

    Refused: empty or longer than USERNAME_MAX, leading or trailing whitespace, and any character that is
    not a letter, mark, digit or one of ``. _ - @ +`` (so no whitespace, control, format or bidi characters
    such as U+202E RIGHT-TO-LEFT OVERRIDE, no path separators).
    """
    if username != username.strip():
        raise ValidationFailed("username must not start or end with whitespace")
    name = normalise(username)
    if not name:
        raise ValidationFailed("username must not be empty")
    if len(name) > USERNAME_MAX:
        raise ValidationFailed(f"username must have at most {USERNAME_MAX} characters")
    for ch in name:
        category = unicodedata.category(ch)
        if category[0] in "LMN" or ch in _PUNCTUATION:
            continue
        raise ValidationFailed(f"username must not contain U+{ord(ch):04X} ({unicodedata.name(ch, category)}); "
                               f"use letters, digits and . _ - @ +")
    return name
