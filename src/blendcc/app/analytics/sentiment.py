"""Sentiment of conversations, computed on read from the message events and call transcripts (ADR 0037): one
contact's messages and utterances with the customer's and agent's mean and end score, and a trend per queue or
agent over a period."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from blendcc.analytics.sentiment import SentimentScorer, contact_sentiment
from blendcc.domain.conversation_events import MessageReceived, MessageSent
from blendcc.domain.errors import NotFound, ValidationFailed
from blendcc.domain.events import Event
from blendcc.domain.transcript import SPEAKERS, UtteranceTranscribed
from blendcc.ports import Store

MESSAGE_TYPES = ("MessageReceived", "MessageSent", "UtteranceTranscribed")
MAX_PERIOD_S = 92 * 86400.0
MAX_TEXT = 20_000
TRANSCRIPT_LAG_S = 86400.0  # how long after the call its transcript is looked for
#: trend groups: the interactions column each one reads
GROUP_COLUMN = {"queue": "queue_id", "agent": "agent_id", "disposition": "disposition"}


@dataclass(frozen=True, slots=True)
class Message:
    """A customer's or agent's message, or a call's utterance (``kind``), as sentiment sees it (bot and system
    messages are not scored)."""

    contact_id: str
    message_id: str
    at: float
    author: str  # customer | agent
    author_id: str | None
    body: str
    kind: str = "message"  # message | utterance


def message_of(event: Event) -> Message | None:
    """The message (or utterance: at the time it was said, the speaker its author) an event carries, if any."""
    if isinstance(event, MessageReceived):
        return Message(event.contact_id, event.message_id, event.at, "customer", None, event.body)
    if isinstance(event, MessageSent) and event.author_kind == "agent":
        return Message(event.contact_id, event.message_id, event.at, "agent", event.author_id, event.body)
    if isinstance(event, UtteranceTranscribed) and event.speaker in SPEAKERS:
        return Message(event.contact_id, f"{event.recording_id}@{event.start_s:.2f}/{event.speaker}", event.said_at,
                       event.speaker, None, event.text, "utterance")
    return None


def check_period(start: float, end: float) -> None:
    if end <= start:
        raise ValidationFailed("end must be after start")
    if end - start > MAX_PERIOD_S:
        raise ValidationFailed(f"the period may be at most {int(MAX_PERIOD_S // 86400)} days")


class SentimentService:
    def __init__(self, store: Store, scorer: SentimentScorer) -> None:
        self.store = store
        self.scorer = scorer

    def score_text(self, text: str, language: str | None = None) -> dict[str, Any]:
        if len(text) > MAX_TEXT:
            raise ValidationFailed(f"text is longer than {MAX_TEXT} characters")
        if language is not None and language not in self.scorer.models:
            raise ValidationFailed(f"language must be one of {', '.join(self.scorer.languages)}")
        return self.scorer.score(text, language).to_dict()

    def conversation(self, contact_id: str) -> dict[str, Any]:
        """Every customer and agent message and call utterance scored (in the order said), and per side the mean,
        end score and label shares."""
        events = self.store.contact_events(contact_id)
        if not events and self.store.interaction(contact_id) is None:
            raise NotFound(f"no contact {contact_id}")
        rows: list[dict[str, Any]] = []
        by_side: dict[str, list[float]] = {"customer": [], "agent": []}
        said = [m for s in events if (m := message_of(s.event)) is not None]
        for m in sorted(said, key=lambda m: m.at):
            scored = self.scorer.score(m.body)
            by_side[m.author].append(scored.score)
            rows.append({"message_id": m.message_id, "at": m.at, "author": m.author, "author_id": m.author_id,
                         "kind": m.kind, "text": m.body, **scored.to_dict()})
        return {"contact_id": contact_id, "messages": rows,
                "customer": contact_sentiment(by_side["customer"]).to_dict(),
                "agent": contact_sentiment(by_side["agent"]).to_dict()}

    def messages(self, start: float, end: float) -> Iterable[Message]:
        """The messages and utterances said in [start, end) (a call is transcribed after it ends: up to
        ``TRANSCRIPT_LAG_S`` later)."""
        for s in self.store.events_of_type(MESSAGE_TYPES, start, end + TRANSCRIPT_LAG_S):
            m = message_of(s.event)
            if m is not None and start <= m.at < end:
                yield m

    def trend(self, start: float, end: float, by: str = "queue", bucket_s: float = 86400.0,
              author: str = "customer", queue_id: str | None = None, agent_id: str | None = None
              ) -> dict[str, Any]:
        """Mean score and label shares per ``by`` (the contact's queue, agent or disposition: its reason) and
        bucket of ``bucket_s`` from ``start``, over the messages of ``author`` (customer, agent or all) sent in
        [start, end)."""
        check_period(start, end)
        if by not in GROUP_COLUMN:
            raise ValidationFailed(f"by must be one of {', '.join(GROUP_COLUMN)}")
        if (end - start) / bucket_s > 2000:
            raise ValidationFailed("too many buckets: use a longer bucket or a shorter period")
        contacts: dict[str, dict[str, Any] | None] = {}
        cells: dict[tuple[str, int], list[float]] = {}
        for m in self.messages(start, end):
            if author not in ("all", m.author):
                continue
            if m.contact_id not in contacts:
                contacts[m.contact_id] = self.store.interaction(m.contact_id)
            row = contacts[m.contact_id] or {}
            if queue_id is not None and row.get("queue_id") != queue_id:
                continue
            if agent_id is not None and row.get("agent_id") != agent_id:
                continue
            group = row.get(GROUP_COLUMN[by]) or "(none)"
            bucket = int((m.at - start) // bucket_s)
            cells.setdefault((group, bucket), []).append(self.scorer.score(m.body).score)
        rows = []
        for (group, bucket), scores in sorted(cells.items()):
            c = contact_sentiment(scores).to_dict()
            rows.append({by: group, "bucket_start": start + bucket * bucket_s, "messages": c["messages"],
                         "mean": c["mean"], "shares": c["shares"]})
        return {"start": start, "end": end, "by": by, "bucket_s": bucket_s, "author": author, "rows": rows}
