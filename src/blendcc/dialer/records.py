"""Dial records: one callee of a campaign's contact list and where it stands (state, attempts, retry); CSV export."""

from __future__ import annotations

import csv
import dataclasses
import io
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

from blendcc.domain.csv_safe import safe_row

RecordState = Literal["pending", "scheduled", "callback", "dialing", "done", "bad"]
STATES: tuple[RecordState, ...] = ("pending", "scheduled", "callback", "dialing", "done", "bad")
#: states a record may be selected from (if every other rule allows it)
DIALLABLE: frozenset[str] = frozenset({"pending", "scheduled", "callback"})


@dataclass(frozen=True, slots=True, kw_only=True)
class DialRecord:
    """A callee. ``phone`` is E.164, ``tz`` the callee's IANA zone (calling windows are local to it).

    ``attempts`` counts every call placed; ``attempts_today`` counts those placed on ``attempts_day``
    (the callee's local date of the last attempt). ``next_attempt_at`` (UTC epoch s) is when a
    scheduled retry or a callback falls due; ``callback_agent_id`` makes a callback personal.
    ``fields`` are the list's extra columns (screen pop). ``final_reason`` says why a record is
    done or bad (e.g. 'sale', 'max_attempts', 'invalid', 'dnc').

    ``record_id`` is opaque and random for imported records (never the phone number, which anyone could
    guess); ``external_id`` is the list's own id column (a CRM key), if it had one. Records stored before
    opaque ids keep their old ids.
    """

    campaign_id: str
    record_id: str
    phone: str
    tz: str
    fields: Mapping[str, str] = field(default_factory=dict)
    state: RecordState = "pending"
    attempts: int = 0
    attempts_today: int = 0
    attempts_day: str | None = None
    next_attempt_at: float | None = None
    last_outcome: str | None = None
    callback_agent_id: str | None = None
    final_reason: str | None = None
    external_id: str | None = None

    @property
    def natural_key(self) -> str:
        """What identifies the callee across imports: the list's own id, else the number."""
        return self.external_id or self.phone

    def replace(self, **changes: Any) -> DialRecord:
        return dataclasses.replace(self, **changes)

    def attempts_on(self, day: str | None) -> int:
        """Attempts already placed on the callee's local date ``day``."""
        return self.attempts_today if day is not None and day == self.attempts_day else 0

    def to_dict(self) -> dict[str, Any]:
        d = dataclasses.asdict(self)
        d["fields"] = dict(self.fields)
        return d

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> DialRecord:
        kwargs = dict(data)
        kwargs["fields"] = dict(kwargs.get("fields") or {})
        return cls(**kwargs)


#: The column a refused row's reason is about (the importer's own messages, canonical column names).
_REASON_COLUMNS = (
    (re.compile(r"^(missing phone number|not a phone number|not a valid number|duplicate phone number|\+?\S+ is "
                r"already in the campaign)"), "phone"),
    (re.compile(r"^(record id longer|duplicate record id)"), "record_id"),
    (re.compile(r"^(unknown time zone|cannot tell the callee's time zone)"), "tz"),
    (re.compile(r"^unknown region"), "region"),
)
_FIELD_REASON = re.compile(r"^column '([^']+)' longer than")


def error_column(reason: str) -> str | None:
    """The column a row error is about (phone, record_id, tz, region or the list's own column); None when it
    is about the row as a whole (a wrong number of cells)."""
    m = _FIELD_REASON.match(reason)
    if m:
        return m.group(1)
    return next((column for pattern, column in _REASON_COLUMNS if pattern.match(reason)), None)


@dataclass(frozen=True, slots=True, kw_only=True)
class ListImport:
    """What one contact-list import did: rows read, kept, refused (line number and reason)."""

    import_id: str
    campaign_id: str
    at: float
    source: str
    total: int
    accepted: int
    rejected: int
    duplicates: int
    errors: tuple[tuple[int, str], ...] = ()

    def to_dict(self) -> dict[str, Any]:
        d = dataclasses.asdict(self)
        d["errors"] = [{"line": line, "column": error_column(reason), "reason": reason} for line, reason in self.errors]
        return d


EXPORT_COLUMNS = ("record_id", "external_id", "phone", "tz", "state", "attempts", "last_outcome", "final_reason",
                  "next_attempt_at", "callback_agent_id")


def records_csv(records: Iterable[DialRecord]) -> str:
    """The records as CSV: status columns (``next_attempt_at`` in ISO 8601 UTC), then the list's own
    columns (``fields``) in the order they first appear."""
    rows = list(records)
    extra: dict[str, None] = {}
    for r in rows:
        for k in r.fields:
            if k not in EXPORT_COLUMNS:
                extra.setdefault(k, None)
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(safe_row([*EXPORT_COLUMNS, *extra]))
    for r in rows:
        due = "" if r.next_attempt_at is None else datetime.fromtimestamp(r.next_attempt_at, UTC).isoformat()
        writer.writerow(safe_row([r.record_id, r.external_id or "", r.phone, r.tz, r.state, r.attempts,
                                  r.last_outcome or "", r.final_reason or "", due, r.callback_agent_id or "",
                                  *(r.fields.get(k, "") for k in extra)]))
    return buf.getvalue()
