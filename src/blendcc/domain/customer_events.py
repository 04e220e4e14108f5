"""Customer events (topic "customer"): two customers merged, a merge undone, a customer's personal data erased.

They share the event log with the contact lifecycle, register themselves in ``EVENT_TYPES`` on import (so
the stores rebuild them) and change nothing in the ACD's live state (``LiveState`` folds them as no-ops).
A merge carries everything needed to undo it, so the log alone says which identities and contacts belong
to which customer (the customer projections apply these events in the same transaction as the append).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

from blendcc.domain.events import EVENT_TYPES, Event


def _pairs(items: Any) -> tuple[tuple[str, str], ...]:
    return tuple((str(k), str(v)) for k, v in items)


@dataclass(frozen=True, slots=True, kw_only=True)
class CustomerEvent(Event):
    topic: ClassVar[str] = "customer"
    customer_id: str


@dataclass(frozen=True, slots=True, kw_only=True)
class CustomerMerged(CustomerEvent):
    """``from_customer_id`` was merged into ``customer_id``: its ``identities`` (kind, value) and
    ``contact_ids`` moved over; ``fields_set`` holds the source's field values written into the target,
    ``fields_overwritten`` the target's values they replaced, ``fields_added`` the keys only the source
    had, ``tags_added`` the source's tags the target lacked; ``name_set``/``name_before`` the source's
    name the target took and its old (empty) name, when it had none (else None).
    ``rule``: "admin" (an explicit merge) or "verified_identity" (the automatic rule)."""

    merge_id: str
    from_customer_id: str
    identities: tuple[tuple[str, str], ...] = ()
    contact_ids: tuple[str, ...] = ()
    fields_set: Mapping[str, Any] = field(default_factory=dict)
    fields_overwritten: Mapping[str, Any] = field(default_factory=dict)
    fields_added: tuple[str, ...] = ()
    tags_added: tuple[str, ...] = ()
    name_before: str | None = None
    name_set: str | None = None
    rule: str = "admin"
    by: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "identities", _pairs(self.identities))
        object.__setattr__(self, "contact_ids", tuple(self.contact_ids))
        object.__setattr__(self, "fields_added", tuple(self.fields_added))
        object.__setattr__(self, "tags_added", tuple(self.tags_added))


@dataclass(frozen=True, slots=True, kw_only=True)
class CustomerUnmerged(CustomerEvent):
    """The merge ``merge_id`` into ``customer_id`` was undone: the identities and contacts went back to
    ``from_customer_id``, overwritten fields got their old values, added fields and tags were removed."""

    merge_id: str
    from_customer_id: str
    identities: tuple[tuple[str, str], ...] = ()
    contact_ids: tuple[str, ...] = ()
    fields_restored: Mapping[str, Any] = field(default_factory=dict)
    fields_removed: tuple[str, ...] = ()
    tags_removed: tuple[str, ...] = ()
    name_restored: str | None = None
    by: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "identities", _pairs(self.identities))
        object.__setattr__(self, "contact_ids", tuple(self.contact_ids))
        object.__setattr__(self, "fields_removed", tuple(self.fields_removed))
        object.__setattr__(self, "tags_removed", tuple(self.tags_removed))


@dataclass(frozen=True, slots=True, kw_only=True)
class CustomerErased(CustomerEvent):
    """The customer's personal data was erased (profile, identities, message bodies and addresses,
    notes, recordings); the anonymous facts of its ``contact_ids`` stay for the reports. Carries no
    personal data itself."""

    contact_ids: tuple[str, ...] = ()
    events_rewritten: int = 0
    recordings_deleted: int = 0
    by: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "contact_ids", tuple(self.contact_ids))


CUSTOMER_EVENT_TYPES: tuple[type[Event], ...] = (CustomerMerged, CustomerUnmerged, CustomerErased)

EVENT_TYPES.update({cls.__name__: cls for cls in CUSTOMER_EVENT_TYPES})
