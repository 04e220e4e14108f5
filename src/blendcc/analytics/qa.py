"""QA score (KPIS.md): sum(weight * points) / sum(weight * max points) over the answered questions of a scorecard,
0 when an auto-fail question is failed; the spread of a calibration session; means per agent, team or queue."""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from blendcc.analytics.qa_scorecard import Loc, Question, Scorecard

#: an answer: "yes" / "no" (yes/no questions), 1..N (scale questions) or "na" where N/A is allowed
Answer = int | str
NA = "na"


@dataclass(frozen=True, slots=True)
class QuestionScore:
    question_id: str
    answer: Answer
    points: float | None  # None: N/A
    max_points: float
    weight: float


@dataclass(frozen=True, slots=True)
class QaScore:
    score: float  # 0..1
    auto_failed: bool
    failed_by: tuple[str, ...]  # the auto-fail questions answered "no"
    points: float  # sum(weight * points) over answered questions
    max_points: float  # sum(weight * max points) over answered questions
    answered: int
    not_applicable: int
    questions: tuple[QuestionScore, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"score": self.score, "auto_failed": self.auto_failed, "failed_by": list(self.failed_by),
                "points": self.points, "max_points": self.max_points, "answered": self.answered,
                "not_applicable": self.not_applicable}


def _points(q: Question, answer: Answer) -> tuple[float | None, str | None]:
    """(points or None for N/A, or an error message)."""
    if answer == NA:
        return (None, None) if q.na_allowed else (None, "N/A is not allowed for this question")
    if q.kind == "yes_no":
        if answer == "yes":
            return 1.0, None
        if answer == "no":
            return 0.0, None
        return None, "answer 'yes' or 'no'" + (" (or 'na')" if q.na_allowed else "")
    top = q.max_points
    if isinstance(answer, bool) or not isinstance(answer, int) or not 1 <= answer <= top:
        return None, f"answer a whole number from 1 to {top}" + (" (or 'na')" if q.na_allowed else "")
    return float(answer), None


def answer_problems(card: Scorecard, answers: Mapping[str, Answer]) -> list[tuple[Loc, str]]:
    """Every question answered once with an answer it accepts, and no answer to a question the card lacks."""
    out: list[tuple[Loc, str]] = []
    known = {q.id: q for q in card.questions()}
    for qid, q in known.items():
        if qid not in answers:
            out.append((["answers", qid], "missing: answer every question" + (" ('na' is allowed here)"
                                                                               if q.na_allowed else "")))
            continue
        _, err = _points(q, answers[qid])
        if err is not None:
            out.append((["answers", qid], err))
    for qid in answers:
        if qid not in known:
            out.append((["answers", qid], f"scorecard {card.id} has no question {qid!r}"))
    if not out and all(answers[q] == NA for q in known):
        out.append((["answers"], "every answer is N/A: at least one question must be answered"))
    return out


def score(card: Scorecard, answers: Mapping[str, Answer]) -> QaScore:
    """The QA score of complete, valid answers (check them with ``answer_problems`` first: ValueError if not)."""
    problems = answer_problems(card, answers)
    if problems:
        raise ValueError("; ".join(f"{'.'.join(map(str, loc))}: {msg}" for loc, msg in problems))
    rows: list[QuestionScore] = []
    got = top = 0.0
    failed: list[str] = []
    for q in card.questions():
        pts, _ = _points(q, answers[q.id])
        rows.append(QuestionScore(q.id, answers[q.id], pts, float(q.max_points), q.weight))
        if pts is None:
            continue
        got += q.weight * pts
        top += q.weight * q.max_points
        if q.auto_fail and pts == 0.0:
            failed.append(q.id)
    answered = sum(1 for r in rows if r.points is not None)
    value = 0.0 if failed else got / top
    return QaScore(value, bool(failed), tuple(failed), got, top, answered, len(rows) - answered, tuple(rows))


def preview(card: Scorecard, answers: Mapping[str, Answer]) -> tuple[QaScore | None, list[str], list[tuple[Loc, str]]]:
    """The QA score of the answers given so far, as an evaluator fills the form in: the same formula as ``score``
    over the questions answered (unanswered ones left out like N/A); (score or None when nothing is scored yet,
    the unanswered question ids, the problems of the answers given)."""
    known = [q.id for q in card.questions()]  # the card's order
    problems = [(loc, msg) for loc, msg in answer_problems(card, answers)
                if not msg.startswith("missing") and loc != ["answers"]]
    missing = [q for q in known if q not in answers]
    if problems:
        return None, missing, problems
    filled = {q: answers.get(q, NA) for q in known}
    if all(a == NA for a in filled.values()):
        return None, missing, []
    lenient = card.model_copy(update={"sections": [
        s.model_copy(update={"questions": [q.model_copy(update={"na_allowed": True}) for q in s.questions]})
        for s in card.sections]})
    return score(lenient, filled), missing, []


@dataclass(frozen=True, slots=True)
class Spread:
    n: int
    min: float | None
    max: float | None
    stdev: float | None  # population standard deviation (the evaluators are the whole session)

    def to_dict(self) -> dict[str, Any]:
        return {"n": self.n, "min": self.min, "max": self.max, "stdev": self.stdev}


def spread(values: Sequence[float]) -> Spread:
    if not values:
        return Spread(0, None, None, None)
    return Spread(len(values), min(values), max(values), statistics.pstdev(values))


def calibration(card: Scorecard, sheets: Sequence[Mapping[str, Answer]]) -> dict[str, Any]:
    """Several evaluators' answers to one contact: per question the spread of its share of max points (N/A
    left out) and the spread of the overall QA scores."""
    per_question: dict[str, list[float]] = {q.id: [] for q in card.questions()}
    scores: list[float] = []
    for answers in sheets:
        result = score(card, answers)
        scores.append(result.score)
        for row in result.questions:
            if row.points is not None:
                per_question[row.question_id].append(row.points / row.max_points)
    return {"evaluations": len(sheets), "overall": spread(scores).to_dict(),
            "questions": [{"question_id": qid, **spread(v).to_dict()} for qid, v in per_question.items()]}


@dataclass(frozen=True, slots=True)
class Scored:
    """One evaluation as the period report sees it."""

    agent_id: str
    team_id: str | None
    queue_id: str | None
    score: float
    at: float = 0.0  # the contact's time


def mean_scores(rows: Iterable[Scored], by: str, start: float = 0.0,
                bucket_s: float | None = None) -> list[dict[str, Any]]:
    """Mean QA score and count per ``by`` ('agent', 'team' or 'queue'; rows without one are left out) and, with
    ``bucket_s``, per bucket of that length from ``start`` (``bucket_start``); sorted by key, then bucket."""
    if by not in ("agent", "team", "queue"):
        raise ValueError("by must be agent, team or queue")
    groups: dict[tuple[str, float], list[float]] = {}
    for r in rows:
        key = r.agent_id if by == "agent" else r.team_id if by == "team" else r.queue_id
        if key is not None:
            bucket = start if bucket_s is None else start + ((r.at - start) // bucket_s) * bucket_s
            groups.setdefault((key, bucket), []).append(r.score)
    return [{"key": k, "bucket_start": b, "evaluations": len(v), "mean_score": sum(v) / len(v)}
            for (k, b), v in sorted(groups.items())]
