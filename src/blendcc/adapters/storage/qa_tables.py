"""Quality-management schema: evaluations (the current revision, and every revision) and calibration sessions."""

from __future__ import annotations

from sqlalchemy import Boolean, Column, Float, Index, Integer, PrimaryKeyConstraint, String, Table, Text

from blendcc.adapters.storage.tables import metadata


def _evaluation_columns() -> list[Column[object]]:
    return [
        Column("id", String(), nullable=False),
        Column("revision", Integer(), nullable=False),
        Column("contact_id", String(), nullable=False),
        Column("agent_id", String(), nullable=False),
        Column("team_id", String()),
        Column("queue_id", String()),
        Column("channel", String()),
        Column("contact_at", Float(), nullable=False),
        Column("scorecard_id", String(), nullable=False),
        Column("scorecard_version", Integer(), nullable=False),
        Column("evaluator", String(), nullable=False),
        Column("answers", Text(), nullable=False),  # JSON: question id -> answer
        Column("comments", Text(), nullable=False),  # JSON: question id -> comment
        Column("comment", Text(), nullable=False),
        Column("score", Float(), nullable=False),
        Column("auto_failed", Boolean(), nullable=False),
        Column("created_at", Float(), nullable=False),
        Column("calibration_id", String()),
        Column("status", String(), nullable=False),  # open | acknowledged | disputed
        Column("response", Text()),
        Column("responded_by", String()),
        Column("responded_at", Float()),
        Column("reply", Text()),
    ]


qa_evaluations = Table(
    "qa_evaluations", metadata, *_evaluation_columns(),
    PrimaryKeyConstraint("id"),
    Index("ix_qa_evaluations_agent", "agent_id", "contact_at"),
    Index("ix_qa_evaluations_contact", "contact_id"),
    Index("ix_qa_evaluations_contact_at", "contact_at"),
)

qa_evaluation_revisions = Table(
    "qa_evaluation_revisions", metadata, *_evaluation_columns(),
    PrimaryKeyConstraint("id", "revision"),
)

qa_calibrations = Table(
    "qa_calibrations", metadata,
    Column("id", String(), nullable=False),
    Column("contact_id", String(), nullable=False),
    Column("scorecard_id", String(), nullable=False),
    Column("scorecard_version", Integer(), nullable=False),
    Column("created_by", String(), nullable=False),
    Column("created_at", Float(), nullable=False),
    PrimaryKeyConstraint("id"),
)
