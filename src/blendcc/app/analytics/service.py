"""The analytics use cases the API is handed: sentiment and contact reasons over one store."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from blendcc.analytics.sentiment import SentimentScorer
from blendcc.app.analytics.reasons import ReasonService
from blendcc.app.analytics.sentiment import SentimentService
from blendcc.ports import Store


@dataclass(frozen=True, slots=True)
class Analytics:
    sentiment: SentimentService
    reasons: ReasonService

    @classmethod
    def build(cls, store: Store, scorer: SentimentScorer, stop_words: Mapping[str, frozenset[str]]) -> Analytics:
        return cls(SentimentService(store, scorer), ReasonService(store, stop_words))
