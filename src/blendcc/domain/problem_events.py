"""Problem management events (topic "problem"): a problem record opened, changed, resolved and closed, contacts
linked to it and unlinked, and its affected customers exported to a campaign list.

They share the event log with the contact lifecycle, register themselves in ``EVENT_TYPES`` on import and change
nothing in the ACD's live state. The ``problems`` and ``problem_contacts`` projections are folded from them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

from blendcc.domain.events import EVENT_TYPES, Event

#: a problem's states, in order (ITIL): open -> known_error (cause known, workaround written) -> resolved -> closed
STATUSES = ("open", "known_error", "resolved", "closed")
#: states in which new contacts are linked automatically
LINKING = frozenset({"open", "known_error"})


@dataclass(frozen=True, slots=True, kw_only=True)
class ProblemEvent(Event):
    topic: ClassVar[str] = "problem"
    problem_id: str


@dataclass(frozen=True, slots=True, kw_only=True)
class ProblemOpened(ProblemEvent):
    """A problem record: ``fields`` holds title, rules (matching), kb_article_id, crisis_id, workaround."""

    fields: Mapping[str, Any] = field(default_factory=dict)
    by: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class ProblemUpdated(ProblemEvent):
    """``changes``: the fields set (title, status open/known_error, rules, kb_article_id, crisis_id, workaround)."""

    changes: Mapping[str, Any] = field(default_factory=dict)
    by: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class ProblemResolved(ProblemEvent):
    resolution: str
    by: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class ProblemClosed(ProblemEvent):
    by: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class ContactLinkedToProblem(ProblemEvent):
    """``how``: auto (matched as it was dispositioned or wrote), backfill (matched when the problem was opened or
    its rules changed) or manual (``by``); ``reason``: what matched (``disposition:x``, ``phrase:y``)."""

    contact_id: str
    contact_at: float
    customer_id: str | None = None
    queue_id: str | None = None
    channel: str | None = None
    how: str = "auto"
    reason: str = ""
    by: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class ContactUnlinkedFromProblem(ProblemEvent):
    contact_id: str
    by: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class ProblemCustomersExported(ProblemEvent):
    """The affected customers were added to ``campaign_id``'s calling list (the list import ``import_id``)."""

    campaign_id: str
    import_id: str
    customers: int
    accepted: int
    skipped_dnc: int = 0
    without_phone: int = 0
    by: str | None = None


PROBLEM_EVENT_TYPES: tuple[type[Event], ...] = (
    ProblemOpened, ProblemUpdated, ProblemResolved, ProblemClosed, ContactLinkedToProblem,
    ContactUnlinkedFromProblem, ProblemCustomersExported)

EVENT_TYPES.update({cls.__name__: cls for cls in PROBLEM_EVENT_TYPES})
