"""Scorecards as versioned configuration documents (kind ``scorecards`` in the configuration store): validated
with field paths, every save a new version, old versions readable (evaluations name the version they used)."""

from __future__ import annotations

import builtins
from collections.abc import Callable, Collection, Mapping
from typing import Any

from pydantic import ValidationError

from blendcc.analytics.qa_scorecard import Scorecard, problems
from blendcc.app.admin.config_errors import InvalidDocument, from_pydantic
from blendcc.app.admin.configuration import non_finite
from blendcc.domain.errors import InvalidState, NotFound
from blendcc.ports import Clock, ConfigDocument, ConfigRepository

KIND = "scorecards"


class ScorecardService:
    def __init__(self, repo: ConfigRepository, clock: Clock, queues: Callable[[], Collection[str]]) -> None:
        self.repo = repo
        self.clock = clock
        self.queues = queues  # the configured queue ids (a scorecard may only name these)

    def check(self, card_id: str, body: Mapping[str, Any]) -> Scorecard:
        """The card as ``put`` would store it; InvalidDocument (each problem with its field path) if not."""
        data = dict(body)
        if data.get("id", card_id) != card_id:
            msg = f"body id {data.get('id')!r} does not match the path id {card_id!r}"
            raise InvalidDocument(msg, [{"loc": ["id"], "msg": msg}])
        data["id"] = card_id
        bad = non_finite(data)
        if bad is not None:
            msg = f"{bad}: must be a finite number (NaN and Infinity are not allowed)"
            raise InvalidDocument(msg, [{"loc": bad.split("."), "msg": msg}])
        try:
            card = Scorecard.model_validate(data)
        except ValidationError as exc:
            raise from_pydantic(exc, f"scorecard {card_id}: ") from None
        found = problems(card, set(self.queues()))
        if found:
            errors = [{"loc": loc, "msg": msg} for loc, msg in found]
            message = "; ".join(f"{'.'.join(map(str, loc))}: {msg}" for loc, msg in found)
            raise InvalidDocument(f"scorecard {card_id}: {message}", errors)
        return card

    def put(self, card_id: str, body: Mapping[str, Any], by: str | None) -> tuple[Scorecard, int]:
        card = self.check(card_id, body)
        stored = self.repo.put(KIND, card_id, card.model_dump(mode="json"), self.clock.now(), by)
        return card, stored.version

    def get(self, card_id: str, version: int | None = None) -> tuple[Scorecard, int]:
        """The current card (or that version) and its version number."""
        if version is None:
            doc = self.repo.get(KIND, card_id)
            if doc is None or doc.deleted:
                raise NotFound(f"scorecard {card_id!r} does not exist")
        else:
            doc = next((d for d in self.repo.history(KIND, card_id) if d.version == version), None)
            if doc is None or doc.deleted:
                raise NotFound(f"scorecard {card_id!r} has no version {version}")
        return Scorecard.model_validate(dict(doc.body)), doc.version

    def list(self) -> builtins.list[tuple[Scorecard, int]]:
        return [(Scorecard.model_validate(dict(d.body)), d.version) for d in self.repo.list(KIND) if not d.deleted]

    def history(self, card_id: str) -> builtins.list[ConfigDocument]:
        found = self.repo.history(KIND, card_id)
        if not found:
            raise NotFound(f"scorecard {card_id!r} does not exist")
        return found

    def delete(self, card_id: str, by: str | None) -> None:
        self.get(card_id)
        self.repo.delete(KIND, card_id, self.clock.now(), by)

    def for_contact(self, queue_id: str | None, channel: str | None) -> tuple[Scorecard, int] | None:
        """The first card (by id) that applies to a contact of this queue and channel."""
        cards = sorted(self.list(), key=lambda cv: cv[0].id)
        return next((cv for cv in cards if cv[0].applies_to(queue_id, channel)), None)

    def guard_queue_delete(self, kind: str, doc_id: str) -> None:
        """A configuration delete guard: a queue a scorecard names cannot be deleted."""
        if kind != "queues":
            return
        users = [c.id for c, _ in self.list() if doc_id in c.queues]
        if users:
            raise InvalidState(f"queue {doc_id!r} is used by scorecard(s) {', '.join(sorted(users))}; "
                                   "change them first")
