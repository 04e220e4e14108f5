"""Ports: the Protocols the application needs from the outside world (clock, storage, bus, telephony)."""

from __future__ import annotations

import builtins
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from blendcc.analytics.agent_stats import StateInterval
from blendcc.analytics.queue_stats import CounterKey, QueueCounters
from blendcc.dialer.dnc import DncEntry
from blendcc.dialer.records import DialRecord, ListImport
from blendcc.domain.events import Event
from blendcc.domain.telephony import TelephonyEvent


class Clock(Protocol):
    def now(self) -> float:
        """Current time as UTC epoch seconds."""
        ...


class Rng(Protocol):
    def random(self) -> float: ...
    def expovariate(self, lambd: float) -> float: ...
    def choice(self, seq: Sequence[Any]) -> Any: ...


@dataclass(frozen=True, slots=True)
class StoredEvent:
    seq: int
    event: Event


@dataclass(frozen=True, slots=True)
class ConfigDocument:
    kind: str
    id: str
    version: int
    body: Mapping[str, Any]
    at: float
    by: str | None
    deleted: bool = False


@dataclass(frozen=True, slots=True)
class User:
    username: str
    role: str  # agent, supervisor, admin
    agent_id: str | None
    password_hash: str
    active: bool = True  # an inactive user cannot log in and its tokens stop working
    totp_secret: str | None = None  # base32 TOTP secret (enrolled; in force once totp_confirmed)
    totp_confirmed: bool = False
    totp_last_step: int = 0  # the last TOTP time step accepted (a code is never accepted twice)


@dataclass(frozen=True, slots=True)
class AuthSession:
    """One login: its refresh-token family. Access tokens name it; revoking it ends them all at once."""

    id: str
    username: str
    created_at: float
    expires_at: float
    refresh_hash: str  # sha256 of the current refresh secret (rotated on every refresh)
    revoked_at: float | None = None


@dataclass(frozen=True, slots=True)
class AuditEvent:
    """Something security-relevant that happened: ``actor`` did ``action`` (past tense) to ``target``."""

    actor: str | None
    action: str
    target: str | None
    detail: Mapping[str, Any]
    at: float
    client: str | None = None


class EventStore(Protocol):
    """The durable event log plus its projections, written in one transaction per append."""

    def append(self, events: Sequence[Event]) -> int:
        """Persist ``events`` (and their projections) atomically; return the last sequence number."""
        ...

    def read(self, after_seq: int = 0, limit: int | None = None) -> list[StoredEvent]: ...

    def replay_window(self) -> list[Event]:
        """Events needed to rebuild live state: from the oldest open contact or logged-in agent on."""
        ...

    def contact_events(self, contact_id: str) -> list[StoredEvent]: ...


class ConfigRepository(Protocol):
    """Versioned configuration documents (queues, agents, workflows, calendars, teams, skills...)."""

    def put(self, kind: str, doc_id: str, body: Mapping[str, Any], at: float, by: str | None) -> ConfigDocument: ...
    def delete(self, kind: str, doc_id: str, at: float, by: str | None) -> ConfigDocument: ...
    def get(self, kind: str, doc_id: str) -> ConfigDocument | None: ...
    def list(self, kind: str) -> list[ConfigDocument]: ...
    def history(self, kind: str, doc_id: str) -> builtins.list[ConfigDocument]: ...


class CustomerRepository(Protocol):
    def find_by_identity(self, kind: str, value: str) -> Mapping[str, Any] | None: ...
    def create(self, customer_id: str, identities: Iterable[tuple[str, str]], tier: str, name: str,
               fields: Mapping[str, Any], at: float) -> Mapping[str, Any]: ...
    def get(self, customer_id: str) -> Mapping[str, Any] | None: ...
    def update(self, customer_id: str, changes: Mapping[str, Any]) -> Mapping[str, Any] | None: ...
    def add_identity(self, customer_id: str, kind: str, value: str) -> None: ...


class UserRepository(Protocol):
    def get(self, username: str) -> User | None:
        """The user whose name matches case-insensitively (domain.usernames.username_key)."""
        ...

    def put(self, user: User) -> None:
        """Create or replace; raises InvalidState if another user has the same username key."""
        ...

    def list(self) -> builtins.list[User]: ...
    def delete(self, username: str) -> bool: ...


class SessionRepository(Protocol):
    """Login sessions (refresh-token families), stored with hashed refresh secrets."""

    def create(self, session: AuthSession) -> None: ...
    def get(self, session_id: str) -> AuthSession | None: ...

    def rotate(self, session_id: str, old_hash: str, new_hash: str) -> bool:
        """Replace the refresh hash if it is still ``old_hash`` and the session is live (compare-and-set)."""
        ...

    def revoke(self, session_id: str, at: float) -> bool: ...

    def revoke_user(self, username: str, at: float) -> int:
        """Revoke every live session of ``username``; return how many."""
        ...

    def purge(self, before: float) -> int:
        """Delete sessions that expired or were revoked before ``before``."""
        ...


class IdentityProvider(Protocol):
    """An OpenID Connect provider for single sign-on (authorization code flow with PKCE S256)."""

    def authorization_url(self, state: str, nonce: str, code_challenge: str) -> str:
        """Where to send the browser to sign in."""
        ...

    def exchange(self, code: str, code_verifier: str, nonce: str) -> Mapping[str, Any]:
        """Redeem ``code``; return the ID token's claims once its signature, issuer, audience, expiry and
        nonce are verified (raises the app's Unauthenticated otherwise)."""
        ...


class AuditLog(Protocol):
    """Append-only record of who changed, forced, listened to or exported what; newest first."""

    def record(self, event: AuditEvent) -> None: ...

    def query(self, *, actor: str | None = None, action: str | None = None, target: str | None = None,
              since: float | None = None, until: float | None = None, limit: int = 100,
              offset: int = 0) -> builtins.list[AuditEvent]: ...


class EventBus(Protocol):
    """Narrow publish/subscribe by topic ('contact', 'agent', 'stats', ...)."""

    def publish(self, topic: str, message: Mapping[str, Any]) -> None: ...
    def subscribe(self, topic: str, handler: Callable[[str, Mapping[str, Any]], None]) -> Callable[[], None]:
        """Register ``handler``; return a function that unsubscribes it."""
        ...


class ReportReader(Protocol):
    """Read side of the projections, for reports, live-stat warm-up and contact lookups."""

    def queue_counters(self, start: float, end: float) -> dict[CounterKey, QueueCounters]: ...
    def state_intervals(self, start: float, end: float) -> list[StateInterval]: ...
    def handled_by_agent(self, start: float, end: float) -> dict[str, int]: ...
    def interaction(self, contact_id: str) -> dict[str, Any] | None: ...
    def interactions(self, start: float | None = None, end: float | None = None, queue_id: str | None = None,
                     agent_id: str | None = None, customer_id: str | None = None, state: str | None = None,
                     limit: int = 100, offset: int = 0) -> list[dict[str, Any]]: ...


class Store(EventStore, ReportReader, Protocol):
    """An event store that also answers the report queries (what the SQL and memory stores are)."""

    def set_thresholds(self, thresholds: Callable[[str, str], tuple[float, float]]) -> None: ...


class Telephony(Protocol):
    """Places and controls outbound calls; reports progress as TelephonyEvents to the handler set
    with ``on_event`` (the SIP adapter, the simulator and the fake implement it)."""

    def place_call(self, call_id: str, to: str, caller_id: str, ring_timeout_s: float) -> None: ...
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
