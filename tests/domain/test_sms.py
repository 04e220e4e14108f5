"""SMS segment counting (GSM-7 with its extension table, UCS-2 in UTF-16 code units) and opt keywords."""

from __future__ import annotations

import pytest

from blendcc.domain.sms import opt_keyword, sms_segments


@pytest.mark.parametrize(("text", "encoding", "units", "segments"), [
    ("", "gsm7", 0, 0),
    ("a" * 160, "gsm7", 160, 1),
    ("a" * 161, "gsm7", 161, 2),
    ("a" * 306, "gsm7", 306, 2),
    ("a" * 307, "gsm7", 307, 3),
    ("Café à 10€ @ £5 ÄÖÑÜ§¿", "gsm7", 23, 1),  # basic set plus one extension character (€: two septets)
    ("€" * 80, "gsm7", 160, 1),
    ("€" * 81, "gsm7", 162, 2),
    ("[]{}" * 40, "gsm7", 320, 3),  # every extension character costs two septets: 320 > 306
    ("a" * 152 + "€" + "a" * 152, "gsm7", 306, 3),  # the escape pair is never split across parts
    ("ç" * 70, "ucs2", 70, 1),  # lower-case c-cedilla is not in the GSM alphabet
    ("ç" * 71, "ucs2", 71, 2),
    ("ç" * 134, "ucs2", 134, 2),
    ("ç" * 135, "ucs2", 135, 3),
    ("Hello 😀", "ucs2", 8, 1),  # an emoji outside the BMP is two UTF-16 code units
    ("😀" * 35, "ucs2", 70, 1),
    ("😀" * 36, "ucs2", 72, 2),
    ("a" * 66 + "😀" + "a" * 67, "ucs2", 135, 3),  # the surrogate pair is never split either
    ("Привет", "ucs2", 6, 1),
])
def test_segments(text: str, encoding: str, units: int, segments: int) -> None:
    got = sms_segments(text)
    assert (got.encoding, got.units, got.segments) == (encoding, units, segments)


@pytest.mark.parametrize(("body", "word"), [
    ("STOP", "stop"), (" stop ", "stop"), ("Stop.", "stop"), ("UNSUBSCRIBE", "stop"), ("cancel", "stop"),
    ("end", "stop"), ("quit!", "stop"), ("STOPALL", "stop"), ("start", "start"), ("Yes", "start"),
    ("UNSTOP", "start"), ("please stop", None), ("stop it now", None), ("", None), ("yes please", None),
])
def test_opt_keywords(body: str, word: str | None) -> None:
    assert opt_keyword(body) == word
