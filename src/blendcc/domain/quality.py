"""Quality-management records: an evaluation revision of a contact against a scorecard version, and a calibration
session (several evaluators scoring the same contact)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

#: an evaluation's state for the agent: open (not answered yet), acknowledged, disputed
STATUSES = ("open", "acknowledged", "disputed")


@dataclass(frozen=True, slots=True)
class Evaluation:
    id: str
    revision: int
    contact_id: str
    agent_id: str
    team_id: str | None
    queue_id: str | None
    channel: str | None
    contact_at: float  # when the contact was created (periods are over this time)
    scorecard_id: str
    scorecard_version: int
    evaluator: str
    answers: dict[str, Any]
    comments: dict[str, str]  # question id -> comment
    comment: str  # overall
    score: float
    auto_failed: bool
    created_at: float
    calibration_id: str | None = None
    status: str = "open"
    response: str | None = None  # the agent's dispute reason (or acknowledgement note)
    responded_by: str | None = None
    responded_at: float | None = None
    reply: str | None = None  # the evaluator's answer to the previous revision's dispute


@dataclass(frozen=True, slots=True)
class Calibration:
    id: str
    contact_id: str
    scorecard_id: str
    scorecard_version: int
    created_by: str
    created_at: float
