"""MemoryDialerRepository: the in-memory DialerRepository (records, DNC entries, list imports) for tests."""

from __future__ import annotations

import builtins
import threading
from collections.abc import Iterable, Sequence

from blendcc.dialer.dnc import GLOBAL, DncEntry
from blendcc.dialer.records import DIALLABLE, DialRecord, ListImport

_GROUP = {"callback": 0, "scheduled": 1}


class MemoryDialerRepository:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        # campaign -> record id -> record; dicts keep insertion (import) order
        self._records: dict[str, dict[str, DialRecord]] = {}
        self._dnc: dict[str, dict[str, DncEntry]] = {}
        self._imports: dict[str, list[ListImport]] = {}
        self._states: dict[str, tuple[str, str | None, float]] = {}

    # ------------------------------------------------------------------ records

    def insert_records(self, records: Sequence[DialRecord]) -> int:
        added = 0
        with self._lock:
            for r in records:
                bucket = self._records.setdefault(r.campaign_id, {})
                if r.record_id not in bucket:
                    bucket[r.record_id] = r
                    added += 1
        return added

    def put_records(self, records: Sequence[DialRecord]) -> None:
        with self._lock:
            for r in records:
                self._records.setdefault(r.campaign_id, {})[r.record_id] = r

    def get_record(self, campaign_id: str, record_id: str) -> DialRecord | None:
        with self._lock:
            return self._records.get(campaign_id, {}).get(record_id)

    def records(self, campaign_id: str, *, states: Iterable[str] | None = None, due_by: float | None = None,
                limit: int | None = None, offset: int = 0,
                zones: Iterable[str] | None = None) -> builtins.list[DialRecord]:
        wanted = None if states is None else frozenset(states)
        tzs = None if zones is None else frozenset(zones)
        with self._lock:
            rows = list(self._records.get(campaign_id, {}).values())
        out = [r for r in rows
               if (wanted is None or r.state in wanted) and (tzs is None or r.tz in tzs)
               and (due_by is None or r.next_attempt_at is None or r.next_attempt_at <= due_by)]
        if due_by is not None:  # selection order; sort is stable, so import order breaks ties
            out.sort(key=lambda r: (_GROUP.get(r.state, 2), r.next_attempt_at or 0.0))
        out = out[offset:]
        return out if limit is None else out[:limit]

    def record_counts(self, campaign_id: str) -> dict[str, int]:
        counts: dict[str, int] = {}
        with self._lock:
            for r in self._records.get(campaign_id, {}).values():
                counts[r.state] = counts.get(r.state, 0) + 1
        return counts

    def record_zones(self, campaign_id: str) -> dict[str, int]:
        counts: dict[str, int] = {}
        with self._lock:
            for r in self._records.get(campaign_id, {}).values():
                if r.state in DIALLABLE:
                    counts[r.tz] = counts.get(r.tz, 0) + 1
        return counts

    def delete_records(self, campaign_id: str) -> int:
        with self._lock:
            return len(self._records.pop(campaign_id, {}))

    # ------------------------------------------------------------------ DNC

    def add_dnc(self, entries: Sequence[DncEntry]) -> int:
        added = 0
        with self._lock:
            for e in entries:
                bucket = self._dnc.setdefault(e.scope, {})
                if e.phone not in bucket:
                    bucket[e.phone] = e
                    added += 1
        return added

    def remove_dnc(self, scope: str, phone: str) -> bool:
        with self._lock:
            return self._dnc.get(scope, {}).pop(phone, None) is not None

    def dnc_entries(self, scope: str, limit: int | None = None, offset: int = 0) -> builtins.list[DncEntry]:
        with self._lock:
            rows = sorted(self._dnc.get(scope, {}).values(), key=lambda e: e.phone)
        rows = rows[offset:]
        return rows if limit is None else rows[:limit]

    def dnc_numbers(self, campaign_id: str) -> frozenset[str]:
        with self._lock:
            return frozenset(self._dnc.get(GLOBAL, {})) | frozenset(self._dnc.get(campaign_id, {}))

    # ------------------------------------------------------------------ imports

    def save_import(self, report: ListImport) -> None:
        with self._lock:
            self._imports.setdefault(report.campaign_id, []).append(report)

    def imports(self, campaign_id: str) -> builtins.list[ListImport]:
        with self._lock:
            return sorted(self._imports.get(campaign_id, []), key=lambda r: (r.at, r.import_id))

    # ------------------------------------------------------------------ campaign states

    def set_campaign_state(self, campaign_id: str, state: str, reason: str | None, at: float) -> None:
        with self._lock:
            self._states[campaign_id] = (state, reason, at)

    def campaign_states(self) -> dict[str, tuple[str, str | None, float]]:
        with self._lock:
            return dict(self._states)
