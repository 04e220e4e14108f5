"""Language of a message from its script (Han, Cyrillic, Arabic/Persian) and, for Latin text, Polish cues."""

from __future__ import annotations

import re

LANGUAGES = ("en", "pl", "ru", "zh", "fa")

_POLISH_LETTERS = frozenset("ąćęłńóśźżĄĆĘŁŃÓŚŹŻ")
#: frequent Polish function words with no English homograph (decide unaccented Latin text)
_POLISH_WORDS = frozenset((
    "nie", "jest", "się", "że", "czy", "jak", "ale", "już", "mam", "mnie", "może", "jestem", "był", "była",
    "było", "tak", "tylko", "bardzo", "dla", "przez", "oraz", "albo", "jeszcze", "kiedy", "gdzie", "dlaczego",
    "proszę", "dziękuję", "dzień", "dobry", "witam", "pan", "pani", "państwo", "mój", "moja", "moje", "wasz",
    "wasza", "nic", "nigdy", "zawsze", "teraz", "tutaj", "też", "żeby", "więc", "bo", "ten", "tego", "tej"))
_WORD = re.compile(r"[^\W\d_]+")


def detect(text: str, default: str = "en") -> str:
    """en, pl, ru, zh or fa: the script with most letters wins; Latin is Polish with a Polish letter or
    more Polish than other words among the first 40 (an unaccented short text defaults to ``default``)."""
    han = cyr = arab = latin = 0
    polish_letter = False
    for ch in text:
        o = ord(ch)
        if 0x4E00 <= o <= 0x9FFF or 0x3400 <= o <= 0x4DBF:
            han += 1
        elif 0x0400 <= o <= 0x04FF:
            cyr += 1
        elif 0x0600 <= o <= 0x06FF or 0xFB50 <= o <= 0xFDFF or 0xFE70 <= o <= 0xFEFF:
            arab += 1
        elif ch.isalpha() and o < 0x0250:
            latin += 1
            if ch in _POLISH_LETTERS:
                polish_letter = True
    best = max(han, cyr, arab, latin)
    if best == 0:
        return default
    if han == best:
        return "zh"
    if cyr == best:
        return "ru"
    if arab == best:
        return "fa"
    if polish_letter:
        return "pl"
    words = _WORD.findall(text.lower())[:40]
    polish = sum(w in _POLISH_WORDS for w in words)
    return "pl" if polish >= 2 and polish * 4 >= len(words) else default
