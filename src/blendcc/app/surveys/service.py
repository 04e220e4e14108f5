"""Survey links signed for one contact, answers stored once as ``SurveyAnswered``, figures per period and group."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from blendcc.analytics.surveys import SCALES, fold, is_low
from blendcc.app.acd.runtime import Runtime
from blendcc.domain import conversation_events as ce
from blendcc.domain.errors import InvalidState, NotFound, ValidationFailed
from blendcc.ports import Clock, EventBus, EventStore, ReportReader

LINK_TTL_S = 14 * 86_400  # a survey link can be answered for two weeks
MAX_COMMENT = 2_000
GROUPS = ("all", "queue", "agent", "channel")


class SurveyLinkInvalid(NotFound):
    """A survey link that was not made here, was changed, or has expired (a 404 to whoever holds it)."""


@dataclass(frozen=True)
class Invitation:
    token: str
    contact_id: str
    survey: str
    expires_at: float


class SurveyService:
    def __init__(self, runtime: Runtime, store: EventStore, reader: ReportReader, clock: Clock, secret: str,
                 bus: EventBus | None = None) -> None:
        self.runtime = runtime
        self.store = store
        self.reader = reader
        self.clock = clock
        self.bus = bus
        self._signer = URLSafeTimedSerializer(secret, salt="blendcc-survey")

    def invite(self, contact_id: str, survey: str, via: str = "link") -> Invitation:
        """A link for the contact's customer to answer ``survey``; the invitation counts for the response rate."""
        token = self.token(contact_id, survey)
        self.offered(contact_id, survey, via)
        return Invitation(token, contact_id, survey, self.clock.now() + LINK_TTL_S)

    def token(self, contact_id: str, survey: str) -> str:
        """The signed link token of ``survey`` for the contact (nothing is stored: see ``offered``)."""
        if survey not in SCALES:
            raise ValidationFailed(f"survey is one of {', '.join(SCALES)}")
        return str(self._signer.dumps({"c": contact_id, "s": survey}))

    def offered(self, contact_id: str, survey: str, via: str) -> ce.SurveyInvited:
        """The customer was asked (a link sent, the post-call survey started): ``SurveyInvited``, the base of
        the response rate."""
        if survey not in SCALES:
            raise ValidationFailed(f"survey is one of {', '.join(SCALES)}")
        row = self._row(contact_id)
        done = self.runtime.execute(lambda eng, now: [ce.SurveyInvited(
            contact_id=contact_id, survey=survey, via=via, agent_id=row.get("agent_id"), queue_id=row.get("queue_id"),
            channel=row.get("channel"), at=now)])
        return next(e for e in done if isinstance(e, ce.SurveyInvited))

    def was_offered(self, contact_id: str, survey: str) -> bool:
        return any(isinstance(s.event, ce.SurveyInvited) and s.event.survey == survey
                   for s in self.store.contact_events(contact_id))

    def opened(self, token: str) -> tuple[str, str, bool]:
        """(contact id, survey, already answered) of a link; SurveyLinkInvalid when it is not a valid link."""
        contact_id, survey = self._read(token)
        return contact_id, survey, self._answered(contact_id, survey)

    def answer(self, token: str, score: int, comment: str | None) -> ce.SurveyAnswered:
        contact_id, survey = self._read(token)
        return self.record(contact_id, survey, score, comment)

    def record(self, contact_id: str, survey: str, score: int, comment: str | None = None) -> ce.SurveyAnswered:
        """Store the customer's answer once (the link's page, the post-call survey's DTMF): ``SurveyAnswered``
        with the contact's agent, queue and channel; a low score goes out on the bus as an alert."""
        if survey not in SCALES:
            raise ValidationFailed(f"survey is one of {', '.join(SCALES)}")
        low, high = SCALES[survey]
        if not low <= score <= high:
            raise ValidationFailed(f"the {survey.upper()} score is {low} to {high}")
        comment = (comment or "").strip() or None
        if comment is not None and len(comment) > MAX_COMMENT:
            raise ValidationFailed(f"the comment has at most {MAX_COMMENT} characters")
        if self._answered(contact_id, survey):
            raise InvalidState("this survey was already answered: thank you")
        row = self._row(contact_id)
        answered = self.runtime.execute(lambda eng, now: [ce.SurveyAnswered(
            contact_id=contact_id, survey=survey, score=score, scale_max=high, comment=comment,
            agent_id=row.get("agent_id"), queue_id=row.get("queue_id"), channel=row.get("channel"), at=now)])
        event = next(e for e in answered if isinstance(e, ce.SurveyAnswered))
        if self.bus is not None and is_low(survey, score):  # a low score raises an alert for a follow-up
            self.bus.publish("survey", {"type": "low_score", "contact_id": contact_id, "survey": survey,
                                        "score": score, "agent_id": event.agent_id, "queue_id": event.queue_id,
                                        "comment": comment, "at": event.at})
        return event

    def figures(self, start: float, end: float, group: str = "all") -> list[dict[str, Any]]:
        """Per survey and group: invitations, answers, response rate, mean, CSAT top-two-box or NPS, low answers."""
        if group not in GROUPS:
            raise ValidationFailed(f"group is one of {', '.join(GROUPS)}")
        if end <= start:
            raise ValidationFailed("end must be after start")
        events = (s.event for s in self.store.events_of_type(["SurveyInvited", "SurveyAnswered"], start, end))

        def key(e: ce.SurveyAnswered | ce.SurveyInvited) -> str | None:
            value = "all" if group == "all" else getattr(e, f"{group}_id" if group != "channel" else "channel")
            return None if value is None else str(value)

        table = fold(events, key)
        return [{"survey": survey, group: k, **figures.row(survey)}
                for (survey, k), figures in sorted(table.by.items())]

    def _read(self, token: str) -> tuple[str, str]:
        try:
            data = self._signer.loads(token, max_age=LINK_TTL_S)
        except SignatureExpired as exc:
            raise SurveyLinkInvalid("this survey link has expired") from exc
        except BadSignature as exc:
            raise SurveyLinkInvalid("this is not a survey link of ours") from exc
        if not isinstance(data, dict) or data.get("s") not in SCALES or not isinstance(data.get("c"), str):
            raise SurveyLinkInvalid("this is not a survey link of ours")
        return data["c"], data["s"]

    def _row(self, contact_id: str) -> dict[str, Any]:
        row = self.reader.interaction(contact_id)
        if row is None:
            raise NotFound(f"contact {contact_id} does not exist")
        return row

    def _answered(self, contact_id: str, survey: str) -> bool:
        return any(isinstance(s.event, ce.SurveyAnswered) and s.event.survey == survey
                   for s in self.store.contact_events(contact_id))
