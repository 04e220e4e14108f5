"""One customer's timeline across channels: contacts, messages, notes, calls, recordings and the utterances of
their transcripts, dispositions, surveys and dialer attempts, newest first, by cursor, searchable by text; each
customer or agent message and utterance with its sentiment (scored on read, ADR 0037)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from blendcc.domain.errors import NotFound, ValidationFailed
from blendcc.ports import CustomerHistory, CustomerRepository, ReportReader

_CURSOR = re.compile(r"[0-9]{1,18}")  # a sequence number (ASCII digits; BIGINT range)


def phones_of(customer: dict[str, Any]) -> list[str]:
    """The customer's phone numbers (the dialer's attempts are matched on them)."""
    return [value for kind, value in customer.get("identities", ()) if kind == "phone"]


#: a text's sentiment ({score, label, language}: the analytics scorer)
Score = Callable[[str], dict[str, Any]]


def scored(item: dict[str, Any]) -> bool:
    """Whether sentiment applies: a customer's or agent's message (not a bot's or system's), or an utterance."""
    detail = item["detail"]
    if item["kind"] == "utterance":
        return True
    return bool(item["kind"] == "message"
                and (detail.get("direction") == "inbound" or detail.get("author_kind") == "agent"))


class CustomerTimeline:
    def __init__(self, customers: CustomerRepository, history: CustomerHistory, reader: ReportReader,
                 score: Score | None = None):
        self.customers = customers
        self.history = history
        self.reader = reader
        self.score = score

    def customer(self, customer_id: str) -> dict[str, Any]:
        found = self.customers.get(customer_id)
        if found is None:
            raise NotFound(f"customer {customer_id} does not exist")
        return dict(found)

    def page(self, customer_id: str, cursor: str | None = None, limit: int = 50,
             q: str | None = None) -> dict[str, Any]:
        """``limit`` items older than ``cursor`` (the ``next_cursor`` of the page before; none: the newest),
        and the cursor of the next page (None on the last)."""
        before: int | None = None
        if cursor:
            if not _CURSOR.fullmatch(cursor):
                raise ValidationFailed("cursor: use the next_cursor of the previous page")
            before = int(cursor)
        customer = self.customer(customer_id)
        rows = self.history.timeline(customer_id, phones_of(customer), before, limit + 1, q or None)
        more = len(rows) > limit
        rows = rows[:limit]
        channels: dict[str, str | None] = {}
        items = []
        for r in rows:
            cid = r["contact_id"]
            if cid is not None and cid not in channels:
                row = self.reader.interaction(cid)
                channels[cid] = row["channel"] if row else None
            item = {"seq": r["seq"], "at": r["at"], "kind": r["kind"], "contact_id": cid,
                    "channel": channels.get(cid) if cid else "voice", "text": r["text"], "detail": r["detail"] or {}}
            if self.score is not None and item["text"] and scored(item):
                item["sentiment"] = self.score(item["text"])
            items.append(item)
        return {"customer_id": customer_id, "items": items,
                "next_cursor": str(rows[-1]["seq"]) if more and rows else None}

    def all(self, customer_id: str, page_size: int = 500) -> list[dict[str, Any]]:
        """Every item (the export), newest first."""
        out: list[dict[str, Any]] = []
        cursor: str | None = None
        while True:
            page = self.page(customer_id, cursor, page_size)
            out.extend(page["items"])
            cursor = page["next_cursor"]
            if cursor is None:
                return out
