"""Contact topics by TF-IDF over word n-grams: per-language tokens without stop words (Chinese as character
bigrams of Han runs), phrases kept when several contacts share them, each contact tagged with its best."""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

_WORD = re.compile(r"[^\W\d_]{2,}")
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]+")


@dataclass(frozen=True, slots=True)
class TopicSettings:
    """``min_df``: a phrase must occur in at least this many contacts; ``max_df``: and in at most this share
    (a phrase in most contacts says nothing); ``per_contact``: tags kept per contact; ``min_len``: letters."""

    min_df: int = 2
    max_df: float = 0.5
    per_contact: int = 3
    min_len: int = 3
    max_n: int = 2


def terms(text: str, language: str, stop: frozenset[str], settings: TopicSettings = TopicSettings()) -> list[str]:
    """The text's candidate phrases: n-grams (1..max_n) of consecutive kept words; a stop word, a short word
    or a digit breaks a phrase. Chinese: bigrams of each Han run whose characters are not stop words."""
    out: list[str] = []
    if language == "zh":
        for han in _HAN.findall(text):
            chars = [c for c in han if c not in stop]
            out += [chars[i] + chars[i + 1] for i in range(len(chars) - 1)]
        return out
    run: list[str] = []
    for m in re.finditer(r"\S+", text.lower()):
        words = _WORD.findall(m.group())
        word = words[0] if len(words) == 1 and len(words[0]) >= settings.min_len else None
        if word is None or word in stop:
            run = []
            continue
        run.append(word)
        for n in range(1, min(settings.max_n, len(run)) + 1):
            out.append(" ".join(run[-n:]))
    return out


def contact_topics(docs: Mapping[str, Sequence[str]], settings: TopicSettings = TopicSettings()
                   ) -> dict[str, list[str]]:
    """``docs``: contact id -> its terms. Returns contact id -> up to ``per_contact`` topics, best first:
    tf * idf (idf = ln(N / df)) over the phrases shared by at least ``min_df`` contacts and at most
    ``max_df`` of them; a two-word phrase scores double (it names a topic better than its words), and a
    word already inside a chosen phrase is not repeated. Ties go to the longer phrase, the more frequent,
    then alphabetical."""
    n = len(docs)
    if n == 0:
        return {}
    df: Counter[str] = Counter()
    for ts in docs.values():
        df.update(set(ts))
    most = max(settings.min_df, int(settings.max_df * n))
    idf = {t: math.log(n / d) for t, d in df.items() if settings.min_df <= d <= most}
    out: dict[str, list[str]] = {}
    for cid, ts in docs.items():
        tf = Counter(t for t in ts if t in idf)
        ranked = sorted(tf, key=lambda t: (-round(tf[t] * idf[t] * (1 + t.count(" ")), 9), -t.count(" "), -df[t], t))
        chosen: list[str] = []
        for t in ranked:
            if any(t in c.split(" ") for c in chosen) or any(c in t.split(" ") for c in chosen):
                continue
            chosen.append(t)
            if len(chosen) == settings.per_contact:
                break
        out[cid] = chosen
    return out


def topic_counts(tags: Mapping[str, Iterable[str]]) -> Counter[str]:
    return Counter(t for ts in tags.values() for t in ts)
