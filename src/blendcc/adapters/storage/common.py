"""Pure helpers shared by the SQL adapters and the in-memory fakes (no I/O, no SQLAlchemy)."""

from __future__ import annotations

import json
from typing import Any

from blendcc.analytics.interactions import COLUMNS, RowChange
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


def apply_change(row: dict[str, Any] | None, change: RowChange) -> dict[str, Any] | None:
    """Apply one RowChange to a contact row (None: no row yet) and return the row.

    Order within a change: insert, set, set_if_null (only where the column is NULL), add
    (NULL counts as 0). Changes to a contact that has no row are ignored (None is returned).
    """
    if change.insert is not None:
        row = dict.fromkeys(COLUMNS)
        row.update(change.insert)
    if row is None:
        return None
    row.update(change.set)
    for col, value in change.set_if_null.items():
        if row.get(col) is None:
            row[col] = value
    for col, amount in change.add.items():
        row[col] = (row.get(col) or 0) + amount
    return row


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
