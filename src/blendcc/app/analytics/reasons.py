"""Contact reasons over a period: each contact tagged with its disposition and its topics (TF-IDF over its
customer messages and call utterances, per language), the Pareto of either (of one queue's contacts, if asked), the
top reasons' counts per day or week, and the contacts behind one reason."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from blendcc.analytics.pareto import CUT, pareto
from blendcc.analytics.sentiment.language import detect
from blendcc.analytics.topics import TopicSettings, contact_topics, terms
from blendcc.app.analytics.sentiment import check_period
from blendcc.domain.conversation_events import MessageReceived
from blendcc.domain.errors import ValidationFailed
from blendcc.domain.transcript import UtteranceTranscribed
from blendcc.ports import Store

PAGE = 5000
MAX_CONTACTS = 200_000
SOURCES = ("disposition", "topic")
MAX_BUCKETS = 400


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
        topics come from the customer messages written (and call utterances transcribed) from ``start`` on."""
        check_period(start, end)
        contacts = {r["contact_id"]: r for r in self._contacts(start, end)}
        texts: dict[str, list[str]] = {}
        for s in self.store.events_of_type(("MessageReceived", "UtteranceTranscribed"), start, None):
            e = s.event
            if isinstance(e, MessageReceived) and e.contact_id in contacts:
                texts.setdefault(e.contact_id, []).append(e.body)
            elif isinstance(e, UtteranceTranscribed) and e.speaker == "customer" and e.contact_id in contacts:
                texts.setdefault(e.contact_id, []).append(e.text)
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

    def _tags(self, start: float, end: float, source: str, queue_id: str | None) -> dict[str, dict[str, Any]]:
        """``tags``, only the contacts of ``queue_id`` when given."""
        if source not in SOURCES:
            raise ValidationFailed(f"source must be one of {', '.join(SOURCES)}")
        tags = self.tags(start, end)
        if queue_id is None:
            return tags
        return {cid: t for cid, t in tags.items() if t["row"].get("queue_id") == queue_id}

    def pareto(self, start: float, end: float, source: str = "disposition", queue_id: str | None = None
               ) -> dict[str, Any]:
        tags = self._tags(start, end, source, queue_id)
        reasons = {cid: self.reason_of(t, source) for cid, t in tags.items()}
        rows = pareto(reasons)
        tagged = sum(r.count for r in rows)
        return {"start": start, "end": end, "source": source, "contacts": len(tags), "tagged": tagged,
                "untagged": len(tags) - tagged, "cut": CUT, "rows": [r.to_dict() for r in rows]}

    def trend(self, start: float, end: float, source: str = "disposition", bucket_s: float = 86400.0,
              top: int = 5, queue_id: str | None = None) -> dict[str, Any]:
        """Contacts per bucket of ``bucket_s`` from ``start`` (by creation) of the period's ``top`` reasons (the
        Pareto's first rows), one series each, zeros included."""
        if not 0 < (end - start) / bucket_s <= MAX_BUCKETS:
            raise ValidationFailed(f"at most {MAX_BUCKETS} buckets: use a longer bucket or a shorter period")
        tags = self._tags(start, end, source, queue_id)
        reasons = {cid: self.reason_of(t, source) for cid, t in tags.items()}
        names = [r.reason for r in pareto(reasons)[:top]]
        buckets = math.ceil((end - start) / bucket_s)
        counts = {name: [0] * buckets for name in names}
        for cid, reason in reasons.items():
            if reason in counts:
                counts[reason][min(buckets - 1, int((float(tags[cid]["row"]["created_at"]) - start) // bucket_s))] += 1
        return {"start": start, "end": end, "source": source, "bucket_s": bucket_s, "queue_id": queue_id,
                "buckets": [start + i * bucket_s for i in range(buckets)],
                "series": [{"reason": name, "counts": counts[name], "total": sum(counts[name])} for name in names]}

    def contacts(self, start: float, end: float, source: str, reason: str, limit: int = 100,
                 offset: int = 0, queue_id: str | None = None) -> dict[str, Any]:
        """The drill-down: contacts whose reason (by ``source``) is ``reason``, newest first."""
        tags = self._tags(start, end, source, queue_id)
        hits = [t for t in tags.values() if self.reason_of(t, source) == reason]
        hits.sort(key=lambda t: (-float(t["row"]["created_at"]), t["row"]["contact_id"]))
        page = hits[offset:offset + limit]
        keys = ("contact_id", "channel", "queue_id", "agent_id", "created_at", "state")
        return {"source": source, "reason": reason, "total": len(hits),
                "contacts": [{**{k: t["row"].get(k) for k in keys}, "disposition": t["disposition"],
                              "topics": t["topics"]} for t in page]}
