"""Pure helpers shared by the SQL adapters and the in-memory fakes (no I/O, no SQLAlchemy)."""

from __future__ import annotations

import json
from typing import Any

from blendcc.analytics.interactions import COLUMNS
from blendcc.analytics.queue_stats import Thresholds
from blendcc.domain.customer import IdentityKind, normalise_identity

#: The interaction state written by ContactClosed; every other state is still "open" for replay.
CLOSED_STATE = "closed"

#: Customer columns ``CustomerRepository.update`` may change.
CUSTOMER_UPDATABLE = frozenset({"name", "tier", "fields", "last_agent_id", "last_contact_at"})

#: Service-level and short-abandon thresholds (seconds) used when no per-queue function is given.
DEFAULT_THRESHOLDS = (20.0, 5.0)


def default_thresholds(_queue_id: str, _channel: str) -> tuple[float, float]:
    return DEFAULT_THRESHOLDS


def resolve_thresholds(thresholds: Thresholds | None) -> Thresholds:
    return thresholds if thresholds is not None else default_thresholds


def public_row(row: dict[str, Any]) -> dict[str, Any]:
    """The interaction row as returned by the report readers: exactly COLUMNS, attributes copied."""
    out = {col: row.get(col) for col in COLUMNS}
    out["attributes"] = dict(out["attributes"] or {})
    return out


def identity_key(kind: str, value: str) -> tuple[str, str]:
    """Stored form of an identity: known kinds are normalised (phone digits, lower-case email)."""
    try:
        return kind, normalise_identity(IdentityKind(kind), value)
    except ValueError:
        return kind, value.strip()


def json_copy(value: Any) -> Any:
    """A deep, JSON-shaped copy (tuples become lists); raises TypeError if not JSON-serialisable."""
    return json.loads(json.dumps(value))
