"""Response models of routes_config: a document of each kind, its versions, its history; the expression reference."""

from __future__ import annotations

from functools import cache
from typing import Any

from pydantic import BaseModel, Field, create_model


class CoverageWarning(BaseModel):
    """Contacts of ``channel`` routed to ``queue_id`` would wait forever (no configured agent could take
    them); the configuration is saved all the same."""

    queue_id: str
    channel: str
    reason: str


@cache
def versioned(model: type[BaseModel]) -> type[BaseModel]:
    """``{"version": n, "document": <model>, "warnings": [...]}``: what a PUT of one document answers
    (``warnings``: every queue/channel nobody could take, after this change)."""
    return create_model(f"{model.__name__}Version", __module__=__name__, version=(int, ...), document=(model, ...),
                        warnings=(list[CoverageWarning], []))


class HistoryEntry(BaseModel):
    """One stored version of a document; ``document`` is the body as stored then (older versions may predate
    today's fields, so it is not re-validated)."""

    version: int
    at: float
    by: str | None
    deleted: bool
    document: dict[str, Any]


class Reference(BaseModel):
    names: dict[str, str] = Field(description="names usable in routing expressions, with their meaning")
    functions: dict[str, str] = Field(description="functions usable in routing expressions")
    strategies: dict[str, str] = Field(description="agent-selection strategies and their description")
