"""A two-class naive Bayes sentiment table over words (the shape of snownlp's Chinese model) with a forward
maximum-matching segmenter over the table's own vocabulary: score = P(positive) * 2 - 1."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class BayesTable:
    """Word counts per class as snownlp stores them (add-one: a seen word's count already has its one, an
    unseen word counts 1)."""

    pos: Mapping[str, float]
    neg: Mapping[str, float]
    pos_total: float
    neg_total: float
    stop: frozenset[str] = frozenset()
    max_word: int = 4
    _logs: dict[str, float] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        """Pre-compute log P(w|pos) - log P(w|neg) for every known word and the prior's log ratio."""
        for w in set(self.pos) | set(self.neg):
            self._logs[w] = (math.log(self.pos.get(w, 1.0) / self.pos_total)
                             - math.log(self.neg.get(w, 1.0) / self.neg_total))
        self._logs[""] = math.log(self.pos_total) - math.log(self.neg_total)
        self._logs["\0unknown"] = math.log(1.0 / self.pos_total) - math.log(1.0 / self.neg_total)

    def segment(self, text: str) -> list[str]:
        """Forward maximum matching: at each position the longest known word (up to ``max_word`` characters),
        else one character; spaces split."""
        out: list[str] = []
        logs = self._logs
        for chunk in text.split():
            i, n = 0, len(chunk)
            while i < n:
                for j in range(min(n, i + self.max_word), i, -1):
                    if j - i == 1 or chunk[i:j] in logs:
                        out.append(chunk[i:j])
                        i = j
                        break
        return out

    def score_words(self, words: Iterable[str]) -> float:
        """P(pos | words) * 2 - 1 (stop words skipped; an unknown word counts as unseen in both classes)."""
        logs = self._logs
        unknown = logs["\0unknown"]
        x = logs[""]
        for w in words:
            if w in self.stop:
                continue
            x += logs.get(w, unknown)
        if x > 60:
            return 1.0
        if x < -60:
            return -1.0
        p = 1.0 / (1.0 + math.exp(-x))
        return p * 2.0 - 1.0

    def score_text(self, text: str) -> float:
        return self.score_words(self.segment(text))
