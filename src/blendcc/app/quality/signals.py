"""Automatic QA signals of a contact from what the event log already holds (hold time, the thread's messages,
the customer's end sentiment) and the sample of contacts for human evaluation (random per agent per week,
seeded, plus the flagged ones)."""

from __future__ import annotations

import builtins
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from blendcc.analytics.qa_scorecard import Scorecard, Signals
from blendcc.analytics.qa_signals import Candidate, ContactFacts, Said, Signal, sample, signals
from blendcc.app.analytics.sentiment import message_of
from blendcc.app.quality.scorecards import ScorecardService
from blendcc.domain.errors import NotFound, ValidationFailed
from blendcc.ports import Store

MAX_SAMPLE_PERIOD_S = 31 * 86400.0
MAX_SAMPLE_CONTACTS = 20_000


def _applying(cards: builtins.list[tuple[Scorecard, int]], row: dict[str, Any]) -> tuple[str | None, Signals]:
    """The signal settings of the first card (by id) applying to the contact's queue and channel, else defaults."""
    for card, _ in sorted(cards, key=lambda cv: cv[0].id):
        if card.applies_to(row.get("queue_id"), row.get("channel")):
            return card.id, card.signals
    return None, Signals()


class QaSignals:
    def __init__(self, store: Store, scorecards: ScorecardService, sentiment: Callable[[str], float],
                 timezone: str) -> None:
        self.store = store
        self.scorecards = scorecards
        self.sentiment = sentiment  # a text's sentiment score in [-1, 1] (the analytics scorer)
        self.zone = ZoneInfo(timezone)

    def _settings(self, row: dict[str, Any], scorecard_id: str | None) -> tuple[str | None, Signals]:
        if scorecard_id is not None:
            card, _ = self.scorecards.get(scorecard_id)
            return card.id, card.signals
        return _applying(self.scorecards.list(), row)

    def facts(self, contact_id: str, row: dict[str, Any]) -> ContactFacts:
        said = []
        for s in self.store.contact_events(contact_id):
            m = message_of(s.event)  # messages and call utterances
            if m is not None:
                said.append(Said(m.author, m.at, m.body))
        said.sort(key=lambda m: m.at)
        customer = [m for m in said if m.author == "customer"]
        end = self.sentiment(customer[-1].body) if customer else None
        return ContactFacts(float(row.get("hold_s") or 0.0), tuple(said), end)

    def contact(self, contact_id: str, scorecard_id: str | None = None) -> dict[str, Any]:
        row = self.store.interaction(contact_id)
        if row is None:
            raise NotFound(f"contact {contact_id} does not exist")
        card_id, cfg = self._settings(row, scorecard_id)
        return {"contact_id": contact_id, "scorecard_id": card_id, "agent_id": row.get("agent_id"),
                "signals": [s.to_dict() for s in self._signals(contact_id, row, cfg)]}

    def _signals(self, contact_id: str, row: dict[str, Any], cfg: Signals) -> builtins.list[Signal]:
        return signals(self.facts(contact_id, row), cfg)

    def week(self, at: float) -> str:
        year, week, _ = datetime.fromtimestamp(at, UTC).astimezone(self.zone).isocalendar()
        return f"{year}-W{week:02d}"

    def sample(self, start: float, end: float, per_agent_week: int, seed: int) -> builtins.list[dict[str, Any]]:
        """Handled contacts created in [start, end): per agent and week ``per_agent_week`` picked by the seeded
        rule, plus every contact with a signal (each with its signals)."""
        if end <= start:
            raise ValidationFailed("end must be after start")
        if end - start > MAX_SAMPLE_PERIOD_S:
            raise ValidationFailed(f"the period may be at most {int(MAX_SAMPLE_PERIOD_S // 86400)} days")
        rows = [r for r in self.store.interactions(start, end, limit=MAX_SAMPLE_CONTACTS + 1) if r.get("agent_id")]
        if len(rows) > MAX_SAMPLE_CONTACTS:
            raise ValidationFailed(f"more than {MAX_SAMPLE_CONTACTS} contacts in the period: ask for a shorter one")
        found: dict[str, builtins.list[Signal]] = {}
        cards = self.scorecards.list()  # read once for the whole period
        for r in rows:
            _, cfg = _applying(cards, r)
            found[r["contact_id"]] = self._signals(r["contact_id"], r, cfg)
        picks = sample((Candidate(r["contact_id"], r["agent_id"], self.week(float(r["created_at"])),
                                  bool(found[r["contact_id"]])) for r in rows), per_agent_week, seed)
        return [{**p, "signals": [s.to_dict() for s in found[p["contact_id"]]]} for p in picks]
