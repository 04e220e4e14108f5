"""Survey KPIs (KPIS.md): CSAT top-two-box, NPS (promoters minus detractors), CES mean, and response rates."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from blendcc.domain.conversation_events import SurveyAnswered, SurveyInvited
from blendcc.domain.events import Event

#: each survey's scale: (lowest, highest) answer
SCALES = {"csat": (1, 5), "nps": (0, 10), "ces": (1, 7)}


def is_low(survey: str, score: int) -> bool:
    """An answer that calls for a follow-up: CSAT 1-2, an NPS detractor (0-6), CES 5-7 (hard to get help)."""
    if survey == "csat":
        return score <= 2
    if survey == "nps":
        return score <= 6
    return score >= 5


@dataclass
class SurveyFigures:
    invited: int = 0
    answers: int = 0
    total: float = 0.0
    top: int = 0  # CSAT 4-5; NPS promoters (9-10)
    bottom: int = 0  # NPS detractors (0-6); CSAT 1-2; CES 5-7
    low: int = 0

    def add(self, survey: str, score: int) -> None:
        self.answers += 1
        self.total += score
        if (survey == "csat" and score >= 4) or (survey == "nps" and score >= 9):
            self.top += 1
        if (survey == "nps" and score <= 6) or (survey != "nps" and is_low(survey, score)):
            self.bottom += 1
        self.low += is_low(survey, score)

    def row(self, survey: str) -> dict[str, float | int | None]:
        n = self.answers
        out: dict[str, float | int | None] = {
            "invited": self.invited, "answers": n, "low_answers": self.low,
            "response_rate": self.answers / self.invited if self.invited else None,
            "mean": self.total / n if n else None}
        if survey == "csat":
            out["csat"] = self.top / n if n else None  # top-two-box share
        elif survey == "nps":
            out["nps"] = 100.0 * (self.top - self.bottom) / n if n else None
        return out


@dataclass
class SurveyTable:
    """Figures per (survey, group key): the group is a queue, an agent, a channel or everything (``all``)."""

    by: dict[tuple[str, str], SurveyFigures] = field(default_factory=dict)

    def at(self, survey: str, key: str) -> SurveyFigures:
        return self.by.setdefault((survey, key), SurveyFigures())


def fold(events: Iterable[Event], group: Callable[[SurveyAnswered | SurveyInvited], str | None]) -> SurveyTable:
    """Invitations and answers into figures per survey and group (``group`` None: the event is left out)."""
    table = SurveyTable()
    for e in events:
        if isinstance(e, SurveyInvited | SurveyAnswered):
            key = group(e)
            if key is None:
                continue
            figures = table.at(e.survey, key)
            if isinstance(e, SurveyInvited):
                figures.invited += 1
            else:
                figures.add(e.survey, e.score)
    return table
