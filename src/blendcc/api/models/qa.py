"""Quality-management response models."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from blendcc.analytics.qa_scorecard import Scorecard
from blendcc.domain.quality import Calibration, Evaluation


class ScorecardOut(BaseModel):
    version: int
    document: Scorecard


class ScorecardVersion(BaseModel):
    version: int
    at: float
    by: str | None
    deleted: bool
    document: dict[str, Any] | None


class EvaluationOut(BaseModel):
    id: str
    revision: int
    contact_id: str
    agent_id: str
    team_id: str | None
    queue_id: str | None
    channel: str | None
    contact_at: float
    scorecard_id: str
    scorecard_version: int
    evaluator: str
    answers: dict[str, int | str] = Field(description="question id -> 'yes', 'no', 1..N or 'na'")
    comments: dict[str, str]
    comment: str
    score: float = Field(description="QA score 0..1 (KPIS.md); 0 when auto-failed")
    auto_failed: bool
    created_at: float
    calibration_id: str | None
    status: str = Field(description="open | acknowledged | disputed (this revision, for the agent)")
    response: str | None = Field(description="the agent's dispute reason or acknowledgement note")
    responded_by: str | None
    responded_at: float | None
    reply: str | None = Field(description="the evaluator's answer to the previous revision's dispute")

    @classmethod
    def of(cls, e: Evaluation) -> EvaluationOut:
        return cls.model_validate(e, from_attributes=True)


class CalibrationOut(BaseModel):
    id: str
    contact_id: str
    scorecard_id: str
    scorecard_version: int
    created_by: str
    created_at: float

    @classmethod
    def of(cls, c: Calibration) -> CalibrationOut:
        return cls.model_validate(c, from_attributes=True)


class SpreadOut(BaseModel):
    n: int = Field(description="scores taken into account (N/A answers left out)")
    min: float | None
    max: float | None
    stdev: float | None = Field(description="population standard deviation")


class QuestionSpread(SpreadOut):
    question_id: str


class EvaluatorScore(BaseModel):
    evaluator: str
    evaluation_id: str
    score: float
    auto_failed: bool


class CalibrationReport(BaseModel):
    session: CalibrationOut
    evaluations: int
    scores: list[EvaluatorScore]
    overall: SpreadOut = Field(description="spread of the evaluators' QA scores")
    questions: list[QuestionSpread] = Field(description="per question, the spread of the share of max points")


class CalibrationSummary(BaseModel):
    session: CalibrationOut
    evaluations: int = Field(description="evaluators who have scored the contact in this session")
    evaluators: list[str] = Field(description="who scored, in the order they did")
    overall: SpreadOut = Field(description="spread of the evaluators' QA scores (as the session's report)")


class MeanScore(BaseModel):
    key: str
    bucket_start: float = Field(description="the bucket's start (the period's start without buckets)")
    evaluations: int
    mean_score: float


class ScoresOut(BaseModel):
    by: str
    start: float
    end: float
    rows: list[MeanScore]


class SignalOut(BaseModel):
    kind: str = Field(description="long_hold | long_silence | negative_sentiment | required_phrase_missing | "
                                  "prohibited_phrase")
    detail: str
    value: float | str | None


class ContactSignals(BaseModel):
    contact_id: str
    scorecard_id: str | None = Field(description="the scorecard whose signal settings were used (None: defaults)")
    agent_id: str | None
    signals: list[SignalOut]


class SamplePick(BaseModel):
    contact_id: str
    agent_id: str
    week: str
    reasons: list[str] = Field(description="random and/or flagged")
    signals: list[SignalOut]


class PreviewOut(BaseModel):
    scorecard_id: str
    scorecard_version: int
    score: float | None = Field(description="QA score 0..1 of the questions answered so far (None: none scored)")
    auto_failed: bool
    failed_by: list[str] = Field(description="the auto-fail questions answered 'no'")
    points: float
    max_points: float
    answered: int
    not_applicable: int
    missing: list[str] = Field(description="questions not answered yet (left out of the score like N/A)")
    complete: bool = Field(description="every question is answered: the evaluation can be saved")
