"""Username normalisation and validation, and the password policy."""

from __future__ import annotations

import pytest

from blendcc.app.admin.passwords import check_password
from blendcc.domain.errors import ValidationFailed
from blendcc.domain.usernames import USERNAME_MAX, username_key, validate_new


def test_lookalikes_share_one_key() -> None:
    fullwidth = "\uff41\uff44\uff4d\uff49\uff4e"
    assert {username_key(x) for x in ("admin", "ADMIN", "Admin", fullwidth)} == {"admin"}
    assert username_key("Stra\u00dfe") == username_key("STRASSE")  # full case folding
    assert username_key("\ufb01le") == "file"  # the fi ligature


@pytest.mark.parametrize("bad, why", [
    ("admin ", "whitespace"), (" admin", "whitespace"), ("ad min", "U+0020"), ("ad\u202emin", "U+202E"),
    ("ad\u200bmin", "U+200B"), ("ad\x07min", "U+0007"), ("a/b", "U+002F"), ("", "empty"),
    ("x" * (USERNAME_MAX + 1), "at most"), ("a\u2066b", "U+2066"),
])
def test_bad_new_usernames_are_refused_with_the_reason(bad: str, why: str) -> None:
    with pytest.raises(ValidationFailed, match=why.replace("+", r"\+")):
        validate_new(bad)


def test_good_new_usernames_are_normalised() -> None:
    assert validate_new("ann.smith@example.com") == "ann.smith@example.com"
    assert validate_new("\u0417\u043e\u044f_2") == "\u0417\u043e\u044f_2"  # Cyrillic letters are letters
    assert validate_new("\uff41nn") == "ann"  # NFKC
    assert validate_new("x" * USERNAME_MAX) == "x" * USERNAME_MAX


@pytest.mark.parametrize("password, why", [
    ("short1", "at least 8"), ("Password1", "common"), ("qwertyuiop", "common"), ("ANN.SMITH", "username"),
    ("x" * 201, "at most"),
])
def test_password_policy(password: str, why: str) -> None:
    with pytest.raises(ValidationFailed, match=why):
        check_password(password, "ann.smith", 8)


def test_the_test_and_example_passwords_meet_the_policy() -> None:
    for password, user in (("pass-1234", "sup"), ("admin-secret", "admin"), ("agent-pw", "a1"),
                           ("brand-new-pw", "sup")):
        check_password(password, user, 8)
