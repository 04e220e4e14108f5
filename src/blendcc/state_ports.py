"""Ports of state kept across restarts beside the event log: agent phones' SIP registrations and snapshots of
the routing engine's live state."""

from __future__ import annotations

import builtins
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True, slots=True)
class PhoneBinding:
    """An agent phone's registration: its Contact URI, the address the REGISTER came from, when it lapses."""

    user: str
    contact: str
    host: str
    port: int
    expires_at: float


class PhoneBindings(Protocol):
    """Stored registrations of agent phones (the SIP registrar's bindings), so a restart keeps them until
    they expire. ``active`` returns the unexpired ones (and may drop the others)."""

    def save(self, binding: PhoneBinding) -> None: ...
    def remove(self, user: str) -> None: ...
    def active(self, now: float) -> list[PhoneBinding]: ...


class SnapshotStore(Protocol):
    """Snapshots of the routing engine's live state (ADR 0052): an encoded body with its format version and the
    event sequence number it covers (every event up to and including ``seq`` is folded in)."""

    def save_snapshot(self, seq: int, version: int, body: bytes, taken_at: float) -> None:
        """Store a snapshot (replacing one of the same ``seq``)."""
        ...

    def latest_snapshots(self, limit: int = 3) -> builtins.list[tuple[int, int, bytes]]:
        """(seq, version, body) of the newest snapshots, newest first."""
        ...

    def prune_snapshots(self, keep: int) -> int:
        """Delete all but the ``keep`` newest snapshots; return how many were deleted."""
        ...
