"""Evaluations of a contact against a scorecard version: scored by the pure QA score, seen by the agent, who
acknowledges or disputes; the evaluator answers a dispute by re-scoring (a new revision). Calibration sessions
and the QA score per agent, team or queue over a period."""

from __future__ import annotations

import builtins
import uuid
from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any

from blendcc.analytics.qa import Answer, Scored, answer_problems, calibration, mean_scores, preview, score, spread
from blendcc.analytics.qa_scorecard import Scorecard
from blendcc.app.admin.auth import Principal
from blendcc.app.admin.config_errors import InvalidDocument
from blendcc.app.quality.scorecards import ScorecardService
from blendcc.content_ports import QaStore
from blendcc.domain.errors import Forbidden, InvalidState, NotFound, ValidationFailed
from blendcc.domain.quality import Calibration, Evaluation
from blendcc.ports import Clock, ReportReader

MAX_PERIOD_S = 366 * 86400.0


def _check(card: Scorecard, answers: Mapping[str, Answer], comments: Mapping[str, str]) -> None:
    found = answer_problems(card, answers)
    known = {q.id for q in card.questions()}
    found += [(["comments", qid], f"scorecard {card.id} has no question {qid!r}") for qid in comments
              if qid not in known]
    if found:
        message = "; ".join(f"{'.'.join(map(str, loc))}: {msg}" for loc, msg in found)
        raise InvalidDocument(message, [{"loc": loc, "msg": msg} for loc, msg in found])


class QualityService:
    def __init__(self, repo: QaStore, scorecards: ScorecardService, contacts: ReportReader, clock: Clock,
                 team_of: Callable[[str], str | None], is_agent: Callable[[str], bool]) -> None:
        self.repo = repo
        self.scorecards = scorecards
        self.contacts = contacts
        self.clock = clock
        self.team_of = team_of  # an agent's team (from the agents' configuration)
        self.is_agent = is_agent  # the agent is configured

    # ------------------------------------------------------------------ evaluations

    def evaluate(self, contact_id: str, scorecard_id: str, version: int | None, answers: Mapping[str, Answer],
                 comments: Mapping[str, str], comment: str, by: str, agent_id: str | None = None,
                 calibration_id: str | None = None) -> Evaluation:
        row = self.contacts.interaction(contact_id)
        if row is None:
            raise NotFound(f"contact {contact_id} does not exist")
        if calibration_id is not None:
            session = self.calibration(calibration_id)
            if session.contact_id != contact_id or session.scorecard_id != scorecard_id or (
                    version is not None and version != session.scorecard_version):
                raise ValidationFailed(f"calibration {calibration_id} scores contact {session.contact_id} with "
                                       f"scorecard {session.scorecard_id} version {session.scorecard_version}")
            version = session.scorecard_version
            if any(e.evaluator == by for e in self.repo.find(calibration_id=calibration_id)):
                raise InvalidState(f"you have already scored calibration {calibration_id}")
        card, card_version = self.scorecards.get(scorecard_id, version)
        if not card.applies_to(row.get("queue_id"), row.get("channel")):
            raise ValidationFailed(f"scorecard {scorecard_id} does not apply to contact {contact_id} (queue "
                                   f"{row.get('queue_id')}, channel {row.get('channel')}); it applies to queues "
                                   f"{card.queues or 'any'} and channels {[c.value for c in card.channels] or 'any'}")
        agent = agent_id or row.get("agent_id")
        if not agent:
            raise ValidationFailed(f"contact {contact_id} was not handled by an agent: name agent_id")
        if agent_id is not None and not self.is_agent(agent_id):
            raise ValidationFailed(f"agent_id: no agent {agent_id!r} is configured")
        _check(card, answers, comments)
        result = score(card, answers)
        evaluation = Evaluation(
            id=uuid.uuid4().hex, revision=1, contact_id=contact_id, agent_id=agent, team_id=self.team_of(agent),
            queue_id=row.get("queue_id"), channel=row.get("channel"), contact_at=float(row["created_at"]),
            scorecard_id=scorecard_id, scorecard_version=card_version, evaluator=by, answers=dict(answers),
            comments=dict(comments), comment=comment, score=result.score, auto_failed=result.auto_failed,
            created_at=self.clock.now(), calibration_id=calibration_id)
        self.repo.add(evaluation)
        return evaluation

    def preview(self, scorecard_id: str, version: int | None, answers: Mapping[str, Answer]) -> dict[str, Any]:
        """The score of a form being filled in (the answers so far), computed as an evaluation would be."""
        card, card_version = self.scorecards.get(scorecard_id, version)
        result, missing, found = preview(card, answers)
        if found:
            message = "; ".join(f"{'.'.join(map(str, loc))}: {msg}" for loc, msg in found)
            raise InvalidDocument(message, [{"loc": loc, "msg": msg} for loc, msg in found])
        return {"scorecard_id": scorecard_id, "scorecard_version": card_version, "missing": missing,
                "complete": not missing, **(result.to_dict() if result else {"score": None, "auto_failed": False,
                                                                               "failed_by": [], "points": 0.0,
                                                                               "max_points": 0.0, "answered": 0,
                                                                               "not_applicable": 0})}

    def rescore(self, evaluation_id: str, answers: Mapping[str, Answer], comments: Mapping[str, str],
                comment: str, reply: str | None, by: str) -> Evaluation:
        """A new revision (the same scorecard version), open again for the agent; not once acknowledged."""
        current = self._get(evaluation_id)
        if current.status == "acknowledged":
            raise InvalidState(f"evaluation {evaluation_id} was acknowledged by the agent: it is final")
        card, _ = self.scorecards.get(current.scorecard_id, current.scorecard_version)
        _check(card, answers, comments)
        result = score(card, answers)
        revised = replace(current, revision=current.revision + 1, evaluator=by, answers=dict(answers),
                          comments=dict(comments), comment=comment, score=result.score,
                          auto_failed=result.auto_failed, created_at=self.clock.now(), status="open",
                          response=None, responded_by=None, responded_at=None, reply=reply)
        if not self.repo.revise(revised):
            raise InvalidState(f"evaluation {evaluation_id} changed meanwhile; read it again")
        return revised

    def acknowledge(self, evaluation_id: str, p: Principal, note: str | None = None) -> Evaluation:
        return self._respond(evaluation_id, p, "acknowledged", note)

    def dispute(self, evaluation_id: str, p: Principal, reason: str) -> Evaluation:
        if not reason.strip():
            raise ValidationFailed("a dispute needs a reason")
        return self._respond(evaluation_id, p, "disputed", reason)

    def _respond(self, evaluation_id: str, p: Principal, status: str, text: str | None) -> Evaluation:
        current = self.get(evaluation_id, p)
        if p.agent_id is None or current.agent_id != p.agent_id:
            raise Forbidden("only the evaluated agent acknowledges or disputes an evaluation")
        if current.status != "open":
            raise InvalidState(f"revision {current.revision} of evaluation {evaluation_id} is already "
                               f"{current.status}")
        if not self.repo.respond(evaluation_id, current.revision, status, text, p.username, self.clock.now()):
            raise InvalidState(f"evaluation {evaluation_id} changed meanwhile; read it again")
        return self._get(evaluation_id)

    def _get(self, evaluation_id: str) -> Evaluation:
        found = self.repo.get(evaluation_id)
        if found is None:
            raise NotFound(f"evaluation {evaluation_id} does not exist")
        return found

    def get(self, evaluation_id: str, p: Principal) -> Evaluation:
        """Supervisors see every evaluation; an agent its own (not calibration scores)."""
        found = self._get(evaluation_id)
        if not p.at_least("supervisor") and (found.agent_id != p.agent_id or found.calibration_id is not None):
            raise NotFound(f"evaluation {evaluation_id} does not exist")
        return found

    def revisions(self, evaluation_id: str, p: Principal) -> builtins.list[Evaluation]:
        self.get(evaluation_id, p)
        return self.repo.revisions(evaluation_id)

    def list(self, p: Principal, *, agent_id: str | None = None, contact_id: str | None = None,
             start: float | None = None, end: float | None = None, status: str | None = None,
             limit: int = 200) -> builtins.list[Evaluation]:
        if not p.at_least("supervisor"):
            if p.agent_id is None:
                raise Forbidden("only agents and supervisors read evaluations")
            if agent_id not in (None, p.agent_id):
                raise Forbidden("agents read their own evaluations only")
            agent_id = p.agent_id
        return self.repo.find(agent_id=agent_id, contact_id=contact_id, start=start, end=end, status=status,
                              limit=limit)

    # ------------------------------------------------------------------ calibration

    def start_calibration(self, contact_id: str, scorecard_id: str, version: int | None, by: str) -> Calibration:
        row = self.contacts.interaction(contact_id)
        if row is None:
            raise NotFound(f"contact {contact_id} does not exist")
        _, card_version = self.scorecards.get(scorecard_id, version)
        session = Calibration(uuid.uuid4().hex, contact_id, scorecard_id, card_version, by, self.clock.now())
        self.repo.add_calibration(session)
        return session

    def calibration(self, calibration_id: str) -> Calibration:
        found = self.repo.calibration(calibration_id)
        if found is None:
            raise NotFound(f"calibration {calibration_id} does not exist")
        return found

    def calibrations(self, *, contact_id: str | None = None, start: float | None = None, end: float | None = None,
                     limit: int = 200) -> builtins.list[dict[str, Any]]:
        """Sessions opened in [start, end), newest first, each with its evaluators and the spread of their QA
        scores (the scores stored at write time against the session's scorecard version, as the report's)."""
        if start is not None and end is not None and end <= start:
            raise ValidationFailed("end must be after start")
        sessions = self.repo.calibrations(contact_id=contact_id, start=start, end=end, limit=limit)
        sheets: dict[str, builtins.list[Evaluation]] = {}
        for e in self.repo.calibration_sheets([s.id for s in sessions]):
            sheets.setdefault(e.calibration_id or "", []).append(e)
        out = []
        for s in sessions:
            mine = sheets.get(s.id, [])
            out.append({"session": s, "evaluations": len(mine), "evaluators": [e.evaluator for e in mine],
                        "overall": spread([e.score for e in mine]).to_dict()})
        return out

    def calibration_report(self, calibration_id: str) -> dict[str, Any]:
        """The session, each evaluator's score, and per question and overall the spread (min, max, stdev)."""
        session = self.calibration(calibration_id)
        card, _ = self.scorecards.get(session.scorecard_id, session.scorecard_version)
        sheets = self.repo.find(calibration_id=calibration_id)
        return {"session": session, "scores": [{"evaluator": e.evaluator, "evaluation_id": e.id, "score": e.score,
                                                "auto_failed": e.auto_failed} for e in sheets],
                **calibration(card, [e.answers for e in sheets])}

    # ------------------------------------------------------------------ period scores

    def scores(self, by: str, start: float, end: float,
               bucket_s: float | None = None) -> builtins.list[dict[str, Any]]:
        """Mean QA score and count per agent, team or queue (and per bucket of ``bucket_s`` from ``start``) over
        contacts created in [start, end) (current revisions; calibration scores left out)."""
        if end <= start:
            raise ValidationFailed("end must be after start")
        if end - start > MAX_PERIOD_S:
            raise ValidationFailed(f"the period may be at most {int(MAX_PERIOD_S // 86400)} days")
        rows = self.repo.find(start=start, end=end, limit=1_000_000)
        return mean_scores((Scored(e.agent_id, e.team_id, e.queue_id, e.score, e.contact_at) for e in rows), by,
                           start, bucket_s)
