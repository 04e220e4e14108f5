"""Response models of the configuration editor's endpoints: field errors, JSON Schemas, a workflow try-out."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from blendcc.api.models.config import CoverageWarning


class FieldError(BaseModel):
    loc: list[str | int] = Field(description="path of the field inside the document; [] for the whole document")
    msg: str


class Validation(BaseModel):
    """What a PUT of the same body would answer, without saving: ``valid`` and, if not, each problem at its field."""

    valid: bool
    errors: list[FieldError] = []
    warnings: list[CoverageWarning] = []


class KindSchema(BaseModel):
    schema_: dict[str, Any] = Field(alias="schema", description="the document's JSON Schema (pydantic)")
    refs: dict[str, str] = Field(description="field name -> the kind whose document ids it holds "
                                             "(a mapping's keys for skill levels)")


class Schemas(BaseModel):
    kinds: dict[str, KindSchema]


class RolledBack(BaseModel):
    version: int = Field(description="the new version, equal in content to the one rolled back to")
    restored: int = Field(description="the version whose content was restored")
    document: dict[str, Any]


class TriedStep(BaseModel):
    queue_id: str
    skills: list[list[Any]]
    priority: int | None
    agent_id: str | None
    timeout_s: float | None
    skip_if_no_agents: bool


class WorkflowTrial(BaseModel):
    """The filter a sample contact matches in the draft workflow and the steps (queues, priority) it walks."""

    filter: str
    queue_id: str
    priority: int
    steps: list[TriedStep]
