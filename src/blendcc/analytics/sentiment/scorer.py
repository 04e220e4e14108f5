"""The multilingual scorer: detect each text's language, score it with that language's model, label it."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

from blendcc.analytics.sentiment.language import detect
from blendcc.analytics.sentiment.model import Scored, clamp, label_of

#: a language's model: text -> score in [-1, 1]
Model = Callable[[str], float]


class SentimentScorer:
    """Scores text with one model per language (``models``: language code -> model). A text in a language
    without a model scores 0 (neutral) with its language reported; ``language`` forces one."""

    def __init__(self, models: Mapping[str, Model], default_language: str = "en") -> None:
        self.models = dict(models)
        self.default_language = default_language

    @property
    def languages(self) -> list[str]:
        return sorted(self.models)

    def score(self, text: str, language: str | None = None) -> Scored:
        lang = language or detect(text, self.default_language)
        model = self.models.get(lang)
        value = clamp(model(text)) if model is not None and text.strip() else 0.0
        return Scored(value, label_of(value), lang)

    def score_many(self, texts: Iterable[str]) -> list[Scored]:
        return [self.score(t) for t in texts]
