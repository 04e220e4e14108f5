"""SMS text encoding and segment counting: GSM 03.38 (7-bit, with its extension table) or UCS-2."""

from __future__ import annotations

from dataclasses import dataclass

#: the GSM 03.38 basic character set (each costs one 7-bit septet)
GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà")
#: the extension table: reached through the escape septet, so each costs two septets
GSM7_EXTENSION = frozenset("^{}\\[~]|€\f")

GSM7_SINGLE, GSM7_PART = 160, 153  # septets in one message / in each part of a concatenated message
UCS2_SINGLE, UCS2_PART = 70, 67  # UTF-16 code units likewise


@dataclass(frozen=True, slots=True)
class Segments:
    """How a text goes over SMS: ``encoding`` gsm7 or ucs2, ``units`` (septets or UTF-16 code units),
    and the number of ``segments`` (parts of a concatenated message; 0 for an empty text)."""

    encoding: str
    units: int
    segments: int


def is_gsm7(text: str) -> bool:
    return all(ch in GSM7_BASIC or ch in GSM7_EXTENSION for ch in text)


def sms_segments(text: str) -> Segments:
    """Segments of ``text``: GSM-7 when every character is in the GSM alphabet (extension characters
    count two septets and an escape pair is never split across parts), else UCS-2 counted in UTF-16
    code units (an emoji outside the BMP is two units, and a surrogate pair is never split)."""
    if is_gsm7(text):
        units = [2 if ch in GSM7_EXTENSION else 1 for ch in text]
        return Segments("gsm7", sum(units), _count(units, GSM7_SINGLE, GSM7_PART))
    units = [2 if ord(ch) > 0xFFFF else 1 for ch in text]
    return Segments("ucs2", sum(units), _count(units, UCS2_SINGLE, UCS2_PART))


def _count(units: list[int], single: int, part: int) -> int:
    """Parts needed when characters of ``units`` each must stay whole within a part."""
    total = sum(units)
    if total == 0:
        return 0
    if total <= single:
        return 1
    parts, used = 1, 0
    for u in units:
        if used + u > part:
            parts += 1
            used = 0
        used += u
    return parts


#: the standard opt-out and opt-in keywords (carriers and Twilio's Advanced Opt-Out honour these)
STOP_KEYWORDS = frozenset({"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT"})
START_KEYWORDS = frozenset({"START", "YES", "UNSTOP"})


def opt_keyword(body: str) -> str | None:
    """'stop' or 'start' when the whole message is one of the standard keywords (any case, surrounding
    blanks and a final punctuation mark ignored), else None: 'please stop calling me' is a message."""
    word = body.strip().rstrip(".!").strip().upper()
    if word in STOP_KEYWORDS:
        return "stop"
    if word in START_KEYWORDS:
        return "start"
    return None
