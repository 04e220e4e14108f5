"""Sentiment labels and per-contact figures as ../shared/KPIS.md defines them (mean and end score, shares)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

#: KPIS.md: negative below -0.25, positive above 0.25, neutral between (inclusive)
NEGATIVE_BELOW = -0.25
POSITIVE_ABOVE = 0.25
LABELS = ("negative", "neutral", "positive")


def label_of(score: float) -> str:
    """negative (< -0.25), positive (> 0.25) or neutral."""
    if score < NEGATIVE_BELOW:
        return "negative"
    if score > POSITIVE_ABOVE:
        return "positive"
    return "neutral"


def clamp(score: float) -> float:
    return -1.0 if score < -1.0 else 1.0 if score > 1.0 else score


@dataclass(frozen=True, slots=True)
class Scored:
    """One text's score in [-1, 1], its label and the language it was scored as."""

    score: float
    label: str
    language: str

    def to_dict(self) -> dict[str, Any]:
        return {"score": round(self.score, 4), "label": self.label, "language": self.language}


@dataclass(frozen=True, slots=True)
class ContactSentiment:
    """A contact's messages folded: mean and end (last message) score, label shares, message count."""

    messages: int
    mean: float | None
    end: float | None
    negative: float
    neutral: float
    positive: float

    def to_dict(self) -> dict[str, Any]:
        return {"messages": self.messages,
                "mean": None if self.mean is None else round(self.mean, 4),
                "end": None if self.end is None else round(self.end, 4),
                "mean_label": None if self.mean is None else label_of(self.mean),
                "end_label": None if self.end is None else label_of(self.end),
                "shares": {"negative": round(self.negative, 4), "neutral": round(self.neutral, 4),
                           "positive": round(self.positive, 4)}}


def contact_sentiment(scores: Sequence[float]) -> ContactSentiment:
    """Fold scores given in message order (the end score is the last one's)."""
    n = len(scores)
    if n == 0:
        return ContactSentiment(0, None, None, 0.0, 0.0, 0.0)
    labels = [label_of(s) for s in scores]
    return ContactSentiment(n, sum(scores) / n, scores[-1], labels.count("negative") / n,
                            labels.count("neutral") / n, labels.count("positive") / n)
