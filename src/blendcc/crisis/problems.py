"""Problem records, pure: the matching rules (dispositions, phrases, queue/channel filter, start time), whether a
contact matches them, the allowed status changes and the count of linked contacts over time."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from blendcc.domain.queue import ID_PATTERN

#: status -> the statuses a supervisor may move it to (resolve and close are their own commands)
MOVES: dict[str, frozenset[str]] = {
    "open": frozenset({"known_error", "resolved"}),
    "known_error": frozenset({"open", "resolved"}),
    "resolved": frozenset({"open", "closed"}),  # reopened when it comes back
    "closed": frozenset(),
}
BUCKETS = {"interval": 900, "hour": 3600, "day": 86400}
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")
MAX_TERMS = 50


class ProblemRules(BaseModel):
    """A contact matches when it is at or after ``since`` (if set), in one of ``queues`` and ``channels`` (if
    set), and its disposition is one of ``dispositions`` or its customer's words contain one of ``phrases``
    (case-insensitive, whole words; Chinese phrases anywhere in the text). At least one disposition or phrase."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    dispositions: tuple[str, ...] = Field(default=(), max_length=MAX_TERMS)
    phrases: tuple[str, ...] = Field(default=(), max_length=MAX_TERMS)
    queues: tuple[str, ...] = Field(default=(), max_length=MAX_TERMS)
    channels: tuple[str, ...] = Field(default=(), max_length=MAX_TERMS)
    since: float | None = Field(default=None, ge=0, le=4e9)

    @field_validator("dispositions", "phrases")
    @classmethod
    def _terms(cls, values: tuple[str, ...]) -> tuple[str, ...]:
        out = []
        for raw in values:
            v = " ".join(raw.split())
            if not v or len(v) > 100:
                raise ValueError("each entry must have 1 to 100 characters")
            out.append(v)
        return tuple(dict.fromkeys(out))

    @field_validator("queues", "channels")
    @classmethod
    def _ids(cls, values: tuple[str, ...]) -> tuple[str, ...]:
        for v in values:
            if not re.fullmatch(ID_PATTERN, v) or len(v) > 64:
                raise ValueError(f"{v!r} is not an id")
        return values

    @model_validator(mode="after")
    def _something(self) -> ProblemRules:
        if not self.dispositions and not self.phrases:
            raise ValueError("a problem needs at least one disposition or phrase to match")
        return self


@dataclass(frozen=True, slots=True)
class ContactFacts:
    """What matching looks at: the contact's time, queue, channel, disposition and customer text."""

    contact_id: str
    at: float
    queue_id: str | None = None
    channel: str | None = None
    disposition: str | None = None
    text: str = ""


def _fold(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def phrase_in(phrase: str, text: str) -> bool:
    """``phrase`` occurs in ``text`` as whole words (case and width folded); with Han characters, anywhere."""
    p, t = _fold(phrase), _fold(text)
    if not p:
        return False
    if _HAN.search(p):
        return p in t
    return re.search(rf"(?<!\w){re.escape(p)}(?!\w)", t) is not None


def match(rules: ProblemRules, contact: ContactFacts) -> str | None:
    """Why ``contact`` belongs to the problem (``disposition:<d>`` or ``phrase:<p>``), or None."""
    if rules.since is not None and contact.at < rules.since:
        return None
    if rules.queues and contact.queue_id not in rules.queues:
        return None
    if rules.channels and contact.channel not in rules.channels:
        return None
    if contact.disposition:
        d = _fold(contact.disposition)
        for wanted in rules.dispositions:
            if _fold(wanted) == d:
                return f"disposition:{wanted}"
    if contact.text:
        for phrase in rules.phrases:
            if phrase_in(phrase, contact.text):
                return f"phrase:{phrase}"
    return None


def check_move(status: str, to: str) -> bool:
    return to == status or to in MOVES.get(status, frozenset())


def counts_over_time(times: Iterable[float], start: float, end: float, bucket: str, tz: str = "UTC"
                     ) -> list[dict[str, float | int]]:
    """Linked contacts per bucket (``interval``: 15 minutes, ``hour``, ``day`` on ``tz``'s calendar) from the
    bucket holding ``start`` to the one holding ``end`` (exclusive), zeros included: the chart's data."""
    zone = ZoneInfo(tz)

    def floor(at: float) -> float:
        if bucket == "day":
            d = datetime.fromtimestamp(at, zone)
            return datetime(d.year, d.month, d.day, tzinfo=zone).timestamp()
        size = BUCKETS[bucket]
        return at - at % size

    def step(at: float) -> float:
        if bucket == "day":
            d = datetime.fromtimestamp(at + 86400 + 7200, zone)  # past a 23-25 hour day, then to its midnight
            return datetime(d.year, d.month, d.day, tzinfo=zone).timestamp()
        return at + BUCKETS[bucket]

    counted = Counter(floor(t) for t in times if start <= t < end)
    out: list[dict[str, float | int]] = []
    at = floor(start)
    while at < end:
        out.append({"start": at, "contacts": counted.get(at, 0)})
        at = step(at)
    return out


def distinct_customers(links: Sequence[Mapping[str, object]]) -> list[tuple[str, int, float]]:
    """(customer id, linked contacts, last contact time) for every customer among ``links``, most contacts first."""
    seen: dict[str, tuple[int, float]] = {}
    for row in links:
        cid = row.get("customer_id")
        if not isinstance(cid, str) or not cid:
            continue
        n, last = seen.get(cid, (0, 0.0))
        at = row.get("contact_at")
        seen[cid] = (n + 1, max(last, float(at) if isinstance(at, int | float) else 0.0))
    return sorted(((c, n, last) for c, (n, last) in seen.items()), key=lambda r: (-r[1], -r[2], r[0]))
