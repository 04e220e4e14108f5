"""Contact reasons over a period: each contact tagged with its disposition and its topics (TF-IDF over its
customer messages, per language), the Pareto of either, and the contacts behind one reason."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from blendcc.analytics.pareto import CUT, pareto
from blendcc.analytics.sentiment.language import detect
from blendcc.analytics.topics import TopicSettings, contact_topics, terms
from blendcc.app.analytics.sentiment import check_period
from blendcc.domain.conversation_events import MessageReceived
from blendcc.domain.errors import ValidationFailed
from blendcc.ports import Store

PAGE = 5000
MAX_CONTACTS = 200_000
SOURCES = ("disposition", "topic")


class ReasonService:
    def __init__(self, store: Store, stop_words: Mapping[str, frozenset[str]],
                 settings: TopicSettings = TopicSettings()) -> None:
        self.store = store
        self.stop_words = stop_words
        self.settings = settings

    def _contacts(self, start: float, end: float) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = []
        while True:
            page = self.store.interactions(start, end, limit=PAGE, offset=len(rows))
            rows += page
            if len(page) < PAGE:
                return rows
            if len(rows) >= MAX_CONTACTS:
                raise ValidationFailed(f"more than {MAX_CONTACTS} contacts in the period: shorten it")

    def tags(self, start: float, end: float) -> dict[str, dict[str, Any]]:
        """contact id -> {row: its interaction row, disposition, topics} for contacts created in [start, end);
        topics come from the customer messages written from ``start`` on."""
        check_period(start, end)
        contacts = {r["contact_id"]: r for r in self._contacts(start, end)}
        texts: dict[str, list[str]] = {}
        for s in self.store.events_of_type(("MessageReceived",), start, None):
            e = s.event
            if isinstance(e, MessageReceived) and e.contact_id in contacts:
                texts.setdefault(e.contact_id, []).append(e.body)
        docs = {}
        for cid, parts in texts.items():
            text = "\n".join(parts)
            lang = detect(text)
            docs[cid] = terms(text, lang, self.stop_words.get(lang, frozenset()), self.settings)
        topics = contact_topics(docs, self.settings)
        return {cid: {"row": row, "disposition": row.get("disposition") or None, "topics": topics.get(cid, [])}
                for cid, row in contacts.items()}

    @staticmethod
    def reason_of(tag: Mapping[str, Any], source: str) -> str | None:
        if source == "disposition":
            value = tag["disposition"]
            return str(value) if value else None
        return tag["topics"][0] if tag["topics"] else None

    def pareto(self, start: float, end: float, source: str = "disposition") -> dict[str, Any]:
        if source not in SOURCES:
            raise ValidationFailed(f"source must be one of {', '.join(SOURCES)}")
        tags = self.tags(start, end)
        reasons = {cid: self.reason_of(t, source) for cid, t in tags.items()}
        rows = pareto(reasons)
        tagged = sum(r.count for r in rows)
        return {"start": start, "end": end, "source": source, "contacts": len(tags), "tagged": tagged,
                "untagged": len(tags) - tagged, "cut": CUT, "rows": [r.to_dict() for r in rows]}

    def contacts(self, start: float, end: float, source: str, reason: str, limit: int = 100,
                 offset: int = 0) -> dict[str, Any]:
        """The drill-down: contacts whose reason (by ``source``) is ``reason``, newest first."""
        if source not in SOURCES:
            raise ValidationFailed(f"source must be one of {', '.join(SOURCES)}")
        tags = self.tags(start, end)
        hits = [t for t in tags.values() if self.reason_of(t, source) == reason]
        hits.sort(key=lambda t: (-float(t["row"]["created_at"]), t["row"]["contact_id"]))
        page = hits[offset:offset + limit]
        keys = ("contact_id", "channel", "queue_id", "agent_id", "created_at", "state")
        return {"source": source, "reason": reason, "total": len(hits),
                "contacts": [{**{k: t["row"].get(k) for k in keys}, "disposition": t["disposition"],
                              "topics": t["topics"]} for t in page]}
