"""Quality management: scorecards (supervisors write, versioned), evaluations (supervisors score; agents read
their own, acknowledge or dispute), calibration sessions, QA scores per agent/team/queue, signals and sampling."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Path, Query
from pydantic import BaseModel, ConfigDict, Field, StrictInt, StrictStr

from blendcc.api.deps import C, P, audit, may_see_contact
from blendcc.api.models import qa as out
from blendcc.api.models.common import Deleted
from blendcc.app.quality.service import Quality
from blendcc.domain.errors import InvalidState
from blendcc.domain.queue import ID_PATTERN

router = APIRouter(prefix="/api/qa", tags=["quality"])

Id = Annotated[str, Path(min_length=1, max_length=64, pattern=ID_PATTERN)]
HexId = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_\-]+$")]
Time = Annotated[float, Query(allow_inf_nan=False)]
BUCKETS: dict[str, float | None] = {"all": None, "day": 86400.0, "week": 7 * 86400.0}
QId = Annotated[str, Field(min_length=1, max_length=64, pattern=ID_PATTERN)]
AnswerIn = StrictInt | StrictStr
Answers = Annotated[dict[QId, AnswerIn], Field(max_length=500,
                                               description="question id -> 'yes' / 'no', 1..N, or 'na'")]
Comments = Annotated[dict[QId, Annotated[str, Field(max_length=2000)]], Field(max_length=500)]


def _qa(c: C) -> Quality:
    if c.quality is None:
        raise InvalidState("quality management is not wired in this server")
    q: Quality = c.quality
    return q


# ---------------------------------------------------------------------------------------------- scorecards

@router.get("/scorecards", summary="Scorecards (current versions)")
def list_scorecards(c: C, p: P) -> list[out.ScorecardOut]:
    return [out.ScorecardOut(version=v, document=card) for card, v in _qa(c).scorecards.list()]


@router.put("/scorecards/{card_id}", summary="Create or replace a scorecard: a new version (supervisors)")
def put_scorecard(card_id: Id, c: C, p: P, body: dict[str, Any] = Body(
        description="a scorecard: name, sections of questions, queues, channels, signals")) -> out.ScorecardOut:
    p.require("supervisor")
    card, version = _qa(c).scorecards.put(card_id, body, p.username)
    audit(c, p, "config_changed", f"scorecards/{card_id}", version=version)
    return out.ScorecardOut(version=version, document=card)


@router.post("/scorecards/{card_id}/check", summary="Validate a scorecard without saving it (supervisors)")
def check_scorecard(card_id: Id, c: C, p: P, body: dict[str, Any] = Body()) -> out.ScorecardOut:
    p.require("supervisor")
    return out.ScorecardOut(version=0, document=_qa(c).scorecards.check(card_id, body))


@router.get("/scorecards/{card_id}", summary="A scorecard; an older one with ?version=")
def get_scorecard(card_id: Id, c: C, p: P,
                  version: int | None = Query(None, ge=1, le=1_000_000)) -> out.ScorecardOut:
    card, v = _qa(c).scorecards.get(card_id, version)
    return out.ScorecardOut(version=v, document=card)


@router.get("/scorecards/{card_id}/history", summary="Every version of a scorecard (supervisors)")
def scorecard_history(card_id: Id, c: C, p: P) -> list[out.ScorecardVersion]:
    p.require("supervisor")
    return [out.ScorecardVersion(version=d.version, at=d.at, by=d.by, deleted=d.deleted,
                                 document=dict(d.body) if d.body is not None else None)
            for d in _qa(c).scorecards.history(card_id)]


@router.delete("/scorecards/{card_id}", summary="Delete a scorecard (its versions stay for old evaluations)")
def delete_scorecard(card_id: Id, c: C, p: P) -> Deleted:
    p.require("supervisor")
    _qa(c).scorecards.delete(card_id, p.username)
    audit(c, p, "config_deleted", f"scorecards/{card_id}")
    return Deleted(deleted=card_id)


# ---------------------------------------------------------------------------------------------- evaluations

class EvaluationIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    contact_id: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.\-]+$")
    scorecard_id: QId
    scorecard_version: int | None = Field(None, ge=1, le=1_000_000, description="default: the current version")
    agent_id: QId | None = Field(None, description="default: the contact's (last) agent")
    calibration_id: str | None = Field(None, max_length=64, pattern=r"^[A-Za-z0-9_\-]+$")
    answers: Answers
    comments: Comments = Field(default_factory=dict)
    comment: str = Field("", max_length=5000)


class RescoreIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    answers: Answers
    comments: Comments = Field(default_factory=dict)
    comment: str = Field("", max_length=5000)
    reply: str | None = Field(None, max_length=5000, description="the answer to the agent's dispute")


class AcknowledgeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    note: str | None = Field(None, max_length=2000)


class DisputeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: str = Field(min_length=1, max_length=5000)


@router.post("/evaluations", summary="Evaluate a contact against a scorecard version (supervisors)")
def create_evaluation(body: EvaluationIn, c: C, p: P) -> out.EvaluationOut:
    p.require("supervisor")
    e = _qa(c).evaluations.evaluate(body.contact_id, body.scorecard_id, body.scorecard_version, body.answers,
                                    body.comments, body.comment, p.username, body.agent_id, body.calibration_id)
    return out.EvaluationOut.of(e)


class PreviewIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    scorecard_version: int | None = Field(None, ge=1, le=1_000_000, description="default: the current version")
    answers: Answers


@router.post("/scorecards/{card_id}/preview",
             summary="The QA score of the answers so far (a form being filled in; nothing is stored; supervisors)")
def preview_score(card_id: Id, body: PreviewIn, c: C, p: P) -> out.PreviewOut:
    p.require("supervisor")
    return out.PreviewOut.model_validate(_qa(c).evaluations.preview(card_id, body.scorecard_version, body.answers))


@router.get("/evaluations", summary="Evaluations (current revisions): supervisors all, agents their own")
def list_evaluations(c: C, p: P, agent_id: str | None = Query(None, max_length=64),
                     contact_id: str | None = Query(None, max_length=64), start: Time | None = None,
                     end: Time | None = None, limit: int = Query(200, ge=1, le=1000),
                     status: Literal["open", "acknowledged", "disputed"] | None = None) -> list[out.EvaluationOut]:
    found = _qa(c).evaluations.list(p, agent_id=agent_id, contact_id=contact_id, start=start, end=end,
                                    status=status, limit=limit)
    return [out.EvaluationOut.of(e) for e in found]


@router.get("/evaluations/{evaluation_id}", summary="An evaluation (its current revision)")
def get_evaluation(evaluation_id: HexId, c: C, p: P) -> out.EvaluationOut:
    return out.EvaluationOut.of(_qa(c).evaluations.get(evaluation_id, p))


@router.get("/evaluations/{evaluation_id}/revisions", summary="Every revision of an evaluation with its response")
def evaluation_revisions(evaluation_id: HexId, c: C, p: P) -> list[out.EvaluationOut]:
    return [out.EvaluationOut.of(e) for e in _qa(c).evaluations.revisions(evaluation_id, p)]


@router.post("/evaluations/{evaluation_id}/rescore", summary="Re-score: a new revision (supervisors)")
def rescore_evaluation(evaluation_id: HexId, body: RescoreIn, c: C, p: P) -> out.EvaluationOut:
    p.require("supervisor")
    e = _qa(c).evaluations.rescore(evaluation_id, body.answers, body.comments, body.comment, body.reply, p.username)
    return out.EvaluationOut.of(e)


@router.post("/evaluations/{evaluation_id}/acknowledge", summary="The evaluated agent acknowledges it")
def acknowledge_evaluation(evaluation_id: HexId, c: C, p: P,
                           body: AcknowledgeIn | None = None) -> out.EvaluationOut:
    return out.EvaluationOut.of(_qa(c).evaluations.acknowledge(evaluation_id, p, body.note if body else None))


@router.post("/evaluations/{evaluation_id}/dispute", summary="The evaluated agent disputes it, with a reason")
def dispute_evaluation(evaluation_id: HexId, body: DisputeIn, c: C, p: P) -> out.EvaluationOut:
    return out.EvaluationOut.of(_qa(c).evaluations.dispute(evaluation_id, p, body.reason))


# ---------------------------------------------------------------------------------------------- calibration

class CalibrationIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    contact_id: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.\-]+$")
    scorecard_id: QId
    scorecard_version: int | None = Field(None, ge=1, le=1_000_000)


@router.post("/calibrations", summary="Open a calibration session on a contact (supervisors)")
def create_calibration(body: CalibrationIn, c: C, p: P) -> out.CalibrationOut:
    p.require("supervisor")
    session = _qa(c).evaluations.start_calibration(body.contact_id, body.scorecard_id, body.scorecard_version,
                                                   p.username)
    return out.CalibrationOut.of(session)


@router.get("/calibrations", summary="Calibration sessions, newest first, with their evaluators and overall spread")
def list_calibrations(c: C, p: P, start: Time | None = None, end: Time | None = None,
                      contact_id: str | None = Query(None, max_length=64, pattern=r"^[A-Za-z0-9_.\-]+$"),
                      limit: int = Query(200, ge=1, le=1000)) -> list[out.CalibrationSummary]:
    p.require("supervisor")
    rows = _qa(c).evaluations.calibrations(contact_id=contact_id, start=start, end=end, limit=limit)
    return [out.CalibrationSummary.model_validate({**r, "session": out.CalibrationOut.of(r["session"])}) for r in rows]


@router.get("/calibrations/{calibration_id}", summary="A calibration's scores and spread per question and overall")
def calibration_report(calibration_id: HexId, c: C, p: P) -> out.CalibrationReport:
    p.require("supervisor")
    report = _qa(c).evaluations.calibration_report(calibration_id)
    return out.CalibrationReport.model_validate({**report, "session": out.CalibrationOut.of(report["session"])})


# ---------------------------------------------------------------------------------------------- figures

@router.get("/scores", summary="Mean QA score and count per agent, team or queue over contacts of a period")
def qa_scores(c: C, p: P, start: Time, end: Time, by: Literal["agent", "team", "queue"] = "agent",
              bucket: Literal["all", "day", "week"] = "all") -> out.ScoresOut:
    p.require("supervisor")
    rows = _qa(c).evaluations.scores(by, start, end, BUCKETS[bucket])
    return out.ScoresOut(by=by, start=start, end=end, rows=[out.MeanScore(**r) for r in rows])


@router.get("/signals/{contact_id}", summary="Automatic QA signals of a contact")
def contact_signals(contact_id: Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.\-]+$")],
                    c: C, p: P, scorecard_id: str | None = Query(None, max_length=64, pattern=ID_PATTERN),
                    ) -> out.ContactSignals:
    p.require("supervisor")
    may_see_contact(c, p, contact_id)
    return out.ContactSignals.model_validate(_qa(c).signals.contact(contact_id, scorecard_id))


@router.get("/sample", summary="Contacts to evaluate: N random per agent per week (seeded) plus flagged ones")
def qa_sample(c: C, p: P, start: Time, end: Time, per_agent: int = Query(2, ge=0, le=100),
              seed: int = Query(0, ge=0, le=2**62)) -> list[out.SamplePick]:
    p.require("supervisor")
    return [out.SamplePick.model_validate(x) for x in _qa(c).signals.sample(start, end, per_agent, seed)]
