"""A lexicon scorer in the style of VADER: word valences, stems for inflected languages, negation,
intensifiers, a contrast word that shifts weight to what follows it, and VADER's normalisation to [-1, 1]."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

#: VADER's normalisation constant: score = sum / sqrt(sum^2 + ALPHA)
ALPHA = 15.0
#: a negator flips and damps the valence of the next ``NEGATION_SPAN`` words (VADER: * -0.74)
NEGATION_FACTOR = -0.74
NEGATION_SPAN = 3
#: before a contrast word ("but"), valences count half; after it, one and a half
BEFORE_CONTRAST, AFTER_CONTRAST = 0.5, 1.5
MIN_STEM = 4

_TOKEN = re.compile(r"[^\W_]+(?:['\u2019][^\W_]+)?|[!,.;:?\u060c\u061b\u061f\uff0c\u3002]")
#: punctuation that ends a clause: a negation does not reach past it
CLAUSE_END = frozenset(",.;:?\u060c\u061b\u061f\uff0c\u3002")
#: one spelling per letter: Arabic yeh and kaf as Persian's, Russian yo as ye; Arabic diacritics, tatweel and
#: the zero-width non-joiner out (Persian writes "بی‌کیفیت" with it, without it or with a space)
_FOLD = str.maketrans({"\u064a": "\u06cc", "\u0649": "\u06cc", "\u0643": "\u06a9", "\u0451": "\u0435",
                       **dict.fromkeys("\u0640\u064b\u064c\u064d\u064e\u064f\u0650\u0651\u0652\u200c")})


@dataclass(frozen=True, slots=True)
class Lexicon:
    """One language's resources. ``words``: exact forms -> valence in [-4, 4]; ``stems``: prefixes of
    inflected forms -> valence (the longest matching prefix of at least ``MIN_STEM`` letters wins);
    ``boosters``: intensifier -> added fraction (0.3 = +30%, negative damps); ``negators`` and ``contrast``."""

    language: str
    words: Mapping[str, float]
    stems: Mapping[str, float] = field(default_factory=dict)
    negators: frozenset[str] = frozenset()
    boosters: Mapping[str, float] = field(default_factory=dict)
    contrast: frozenset[str] = frozenset()
    #: negators that follow what they negate (Persian "خوب نیست"): they flip the valence just before them
    post_negators: frozenset[str] = frozenset()

    def valence(self, token: str) -> float | None:
        v = self.words.get(token)
        if v is not None:
            return v
        if self.stems:
            for n in range(min(len(token), 14), MIN_STEM - 1, -1):
                v = self.stems.get(token[:n])
                if v is not None:
                    return v
        return None


def fold(text: str) -> str:
    """Lower case with one spelling per letter (what lexicon entries and tokens are compared in)."""
    return text.lower().translate(_FOLD)


def tokens(text: str) -> list[str]:
    """Lower-cased words (apostrophes kept inside a word), exclamation marks and clause punctuation."""
    return _TOKEN.findall(fold(text))


def normalise(total: float) -> float:
    return total / math.sqrt(total * total + ALPHA) if total else 0.0


def score_tokens(words: Sequence[str], lex: Lexicon) -> float:
    """Sum of the words' valences with negation (the next words up to the clause's end), boosters and
    contrast, normalised to [-1, 1]; each "!" (up to 3) adds 0.292 in the sum's direction, as VADER does."""
    total = 0.0
    negated_for = 0
    boost = 0.0
    exclaims = 0
    parts: list[float] = []
    last = 0.0  # the valence added by the word just before, for a post-negator
    for w in words:
        if w in CLAUSE_END:
            negated_for = 0
            boost = 0.0
            last = 0.0
            continue
        if w in lex.post_negators:
            total += last * NEGATION_FACTOR - last
            last = 0.0
            continue
        if w == "!":
            exclaims += 1
            continue
        if w in lex.contrast:
            parts.append(total)
            total = 0.0
            negated_for = boost = 0
            continue
        if w in lex.negators:
            negated_for = NEGATION_SPAN
            continue
        b = lex.boosters.get(w)
        if b is not None:
            boost += b
            continue
        v = lex.valence(w)
        if v is not None:
            v *= 1.0 + boost
            if negated_for > 0:
                v *= NEGATION_FACTOR
            total += v
            last = v
            boost = 0.0
            negated_for = 0
        else:
            last = 0.0
            if negated_for > 0:
                negated_for -= 1
    if parts:
        before = sum(parts)
        total = before * BEFORE_CONTRAST + total * AFTER_CONTRAST
    if total:
        total += math.copysign(0.292 * min(exclaims, 3), total)
    return normalise(total)


def score_text(text: str, lex: Lexicon) -> float:
    return score_tokens(tokens(text), lex)
