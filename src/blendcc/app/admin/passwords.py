"""The password policy: a minimum length, not the username, not one of the most common passwords."""

from __future__ import annotations

from blendcc.domain.errors import ValidationFailed
from blendcc.domain.usernames import username_key

PASSWORD_MAX = 200

#: The most common passwords of public breach corpora (top lists of NCSC / SecLists), at least 8 long.
COMMON = frozenset({
    "password", "password1", "password12", "password123", "password1234", "passw0rd", "p@ssw0rd", "p@ssword",
    "12345678", "123456789", "1234567890", "12345678910", "123123123", "11111111", "111111111", "00000000",
    "000000000", "87654321", "987654321", "11223344", "12341234", "qwertyui", "qwertyuiop", "qwerty123",
    "qwerty12", "qwerty1234", "1q2w3e4r", "1q2w3e4r5t", "1qaz2wsx", "zaq12wsx", "q1w2e3r4", "q1w2e3r4t5",
    "asdfghjk", "asdfghjkl", "zxcvbnm1", "iloveyou", "iloveyou1", "sunshine", "princess1", "football",
    "baseball", "basketball", "superman", "batman123", "starwars", "trustno1", "whatever1", "letmein1",
    "letmein123", "welcome1", "welcome123", "monkey123", "dragon123", "master123", "michelle", "jennifer",
    "jordan23", "computer", "internet", "abc12345", "abcd1234", "abcdefgh", "aa123456", "a1b2c3d4", "changeme",
    "changeme1", "administrator", "admin123", "admin1234", "adminadmin", "rootroot", "secret123", "default1",
    "football1", "shadow123", "1234qwer", "qwer1234", "asdf1234", "zxcv1234", "11111111a", "123456789a",
    "123456abc", "123qweasd", "qweasdzxc", "password!",
})


def check_password(password: str, username: str, min_length: int) -> None:
    """Raise ValidationFailed naming the rule ``password`` breaks (for user ``username``)."""
    if len(password) < min_length:
        raise ValidationFailed(f"password must have at least {min_length} characters")
    if len(password) > PASSWORD_MAX:
        raise ValidationFailed(f"password must have at most {PASSWORD_MAX} characters")
    if username_key(password) == username_key(username):
        raise ValidationFailed("password must not be the username")
    if password.casefold() in COMMON:
        raise ValidationFailed("password is one of the most common passwords; choose another")
