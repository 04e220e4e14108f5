"""Outbound ports: placing and controlling calls (`Telephony`) and the dialer's lists (`DialerRepository`)."""

from __future__ import annotations

import builtins
from collections.abc import Callable, Iterable, Sequence
from typing import Protocol

from blendcc.dialer.amd import AmdSettings
from blendcc.dialer.dnc import DncEntry
from blendcc.dialer.records import DialRecord, ListImport
from blendcc.domain.telephony import TelephonyEvent


class Telephony(Protocol):
    """Places and controls outbound calls; reports progress as TelephonyEvents to the handler set
    with ``on_event`` (the SIP adapter, the simulator and the fake implement it)."""

    def place_call(self, call_id: str, to: str, caller_id: str, ring_timeout_s: float,
                   amd: AmdSettings | None = None) -> None:
        """``amd``: classify the answer (human / machine) with these settings before reporting it."""
        ...

    def hangup(self, call_id: str) -> None: ...
    def play(self, call_id: str, prompt: str) -> None: ...
    def on_event(self, handler: Callable[[TelephonyEvent], None]) -> None: ...


class DialerRepository(Protocol):
    """Campaign contact lists (dial records), DNC entries, list-import reports and campaign states."""

    def insert_records(self, records: Sequence[DialRecord]) -> int:
        """Add records whose (campaign_id, record_id) is new; existing ones are left alone. Returns
        how many were added."""
        ...

    def put_records(self, records: Sequence[DialRecord]) -> None:
        """Create or replace records (state changes after attempts and dispositions)."""
        ...

    def get_record(self, campaign_id: str, record_id: str) -> DialRecord | None: ...

    def records(self, campaign_id: str, *, states: Iterable[str] | None = None, due_by: float | None = None,
                limit: int | None = None, offset: int = 0,
                zones: Iterable[str] | None = None) -> builtins.list[DialRecord]:
        """Records of a campaign; ``states`` filters by state, ``zones`` by callee time zone.

        Without ``due_by``: in import order. With ``due_by`` (the candidates for selection): only
        records whose ``next_attempt_at`` is unset or <= due_by, in selection order (callbacks, then
        scheduled retries by due time, then the rest in import order), so a ``limit`` keeps the best.
        """
        ...

    def record_counts(self, campaign_id: str) -> dict[str, int]:
        """Number of records per state."""
        ...

    def record_zones(self, campaign_id: str) -> dict[str, int]:
        """Number of diallable (pending, scheduled, callback) records per callee time zone."""
        ...

    def delete_records(self, campaign_id: str) -> int: ...

    def add_dnc(self, entries: Sequence[DncEntry]) -> int:
        """Add DNC entries (scope '*' global or a campaign id); existing (scope, phone) pairs are kept.
        Returns how many were new."""
        ...

    def remove_dnc(self, scope: str, phone: str) -> bool: ...
    def dnc_entries(self, scope: str, limit: int | None = None, offset: int = 0) -> builtins.list[DncEntry]: ...

    def dnc_numbers(self, campaign_id: str) -> frozenset[str]:
        """The global list plus the campaign's own list."""
        ...

    def save_import(self, report: ListImport) -> None: ...
    def imports(self, campaign_id: str) -> builtins.list[ListImport]: ...

    def set_campaign_state(self, campaign_id: str, state: str, reason: str | None, at: float) -> None:
        """Record the campaign's current state (projection of CampaignStateChanged)."""
        ...

    def campaign_states(self) -> dict[str, tuple[str, str | None, float]]:
        """campaign id -> (state, reason, since)."""
        ...
