"""QA scorecards (a configuration kind, versioned): sections of yes/no and 1..N scale questions, weights,
auto-fail questions, the queues and channels a card applies to, and the settings of the automatic signals."""

from __future__ import annotations

from collections.abc import Collection
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from blendcc.domain.channels import Channel
from blendcc.domain.queue import ID_PATTERN

Phrase = str
MAX_SCALE = 10


class Question(BaseModel):
    """One question. ``yes_no``: yes scores 1 of 1, no 0; ``scale``: an answer 1..``scale_max`` scores its
    value of ``scale_max``. ``auto_fail`` (yes/no only): a "no" makes the whole evaluation score 0."""

    model_config = ConfigDict(extra="forbid")
    id: str = Field(min_length=1, max_length=64, pattern=ID_PATTERN)
    text: str = Field(min_length=1, max_length=500)
    kind: Literal["yes_no", "scale"] = "yes_no"
    scale_max: int | None = Field(None, ge=2, le=MAX_SCALE, description="scale questions: the top of 1..N")
    weight: float = Field(1.0, gt=0, le=1000)
    na_allowed: bool = Field(False, description="the evaluator may answer 'na' (left out of the score)")
    auto_fail: bool = False

    @model_validator(mode="after")
    def _shape(self) -> Question:
        if self.kind == "scale" and self.scale_max is None:
            raise ValueError("a scale question needs scale_max (the top of its 1..N scale, 2 to 10)")
        if self.kind == "yes_no" and self.scale_max is not None:
            raise ValueError("scale_max is for scale questions only")
        if self.auto_fail and self.kind != "yes_no":
            raise ValueError("only a yes/no question can be auto-fail (a 'no' fails the evaluation)")
        return self

    @property
    def max_points(self) -> int:
        return self.scale_max if self.kind == "scale" and self.scale_max is not None else 1


class Section(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str = Field(min_length=1, max_length=64, pattern=ID_PATTERN)
    title: str = Field(min_length=1, max_length=200)
    questions: list[Question] = Field(min_length=1, max_length=100)


class RequiredPhrase(BaseModel):
    """Something the agent must say in a chat or email thread (a greeting, a disclosure): any of ``phrases``."""

    model_config = ConfigDict(extra="forbid")
    id: str = Field(min_length=1, max_length=64, pattern=ID_PATTERN)
    phrases: list[Phrase] = Field(min_length=1, max_length=50)


class Signals(BaseModel):
    """Thresholds of the automatic QA signals (``analytics.qa_signals``)."""

    model_config = ConfigDict(extra="forbid")
    long_hold_s: float = Field(120.0, gt=0, le=86400, description="flag total hold above this")
    long_silence_s: float = Field(300.0, gt=0, le=7 * 86400,
                                  description="flag a customer message left this long without an agent reply")
    negative_end_below: float = Field(-0.25, ge=-1, le=1, description="flag a customer end sentiment below this")
    required: list[RequiredPhrase] = Field(default_factory=list, max_length=50)
    prohibited: list[Phrase] = Field(default_factory=list, max_length=200)

    @model_validator(mode="after")
    def _phrases(self) -> Signals:
        for p in [*self.prohibited, *(x for r in self.required for x in r.phrases)]:
            if not p.strip() or len(p) > 200:
                raise ValueError("a phrase must have 1 to 200 characters and not be blank")
        return self


class Scorecard(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str = Field(min_length=1, max_length=64, pattern=ID_PATTERN)
    name: str = Field(min_length=1, max_length=200)
    sections: list[Section] = Field(min_length=1, max_length=50)
    queues: list[str] = Field(default_factory=list, max_length=200,
                              description="the queues it applies to (none: every queue)")
    channels: list[Channel] = Field(default_factory=list, description="the channels it applies to (none: all)")
    signals: Signals = Field(default_factory=Signals)

    def questions(self) -> list[Question]:
        return [q for s in self.sections for q in s.questions]

    def applies_to(self, queue_id: str | None, channel: str | None) -> bool:
        return ((not self.queues or queue_id in self.queues)
                and (not self.channels or channel in {c.value for c in self.channels}))


Loc = list[str | int]


def problems(card: Scorecard, known_queues: Collection[str]) -> list[tuple[Loc, str]]:
    """What is wrong with a card beyond its fields, each at its field path: ids used twice (questions are
    unique across sections, as answers name them), queues that are not configured."""
    out: list[tuple[Loc, str]] = []
    sections: set[str] = set()
    questions: set[str] = set()
    for i, s in enumerate(card.sections):
        if s.id in sections:
            out.append((["sections", i, "id"], f"section id {s.id!r} is used twice"))
        sections.add(s.id)
        for j, q in enumerate(s.questions):
            if q.id in questions:
                out.append((["sections", i, "questions", j, "id"],
                            f"question id {q.id!r} is used twice (question ids are unique across sections)"))
            questions.add(q.id)
    for i, queue in enumerate(card.queues):
        if queue not in known_queues:
            out.append((["queues", i], f"unknown queue {queue!r}; define it under /config/queues first"))
    required: set[str] = set()
    for i, r in enumerate(card.signals.required):
        if r.id in required:
            out.append((["signals", "required", i, "id"], f"required phrase id {r.id!r} is used twice"))
        required.add(r.id)
    return out
