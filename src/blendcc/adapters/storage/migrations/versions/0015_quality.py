"""Quality management: evaluations (current revision and every revision) and calibration sessions."""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# registers the tables in the shared metadata (what autogenerate and the schema tests compare)
import blendcc.adapters.storage.qa_tables  # noqa: F401

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _evaluation_columns() -> list[sa.Column[object]]:
    return [
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("contact_id", sa.String(), nullable=False),
        sa.Column("agent_id", sa.String(), nullable=False),
        sa.Column("team_id", sa.String()),
        sa.Column("queue_id", sa.String()),
        sa.Column("channel", sa.String()),
        sa.Column("contact_at", sa.Float(), nullable=False),
        sa.Column("scorecard_id", sa.String(), nullable=False),
        sa.Column("scorecard_version", sa.Integer(), nullable=False),
        sa.Column("evaluator", sa.String(), nullable=False),
        sa.Column("answers", sa.Text(), nullable=False),
        sa.Column("comments", sa.Text(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("auto_failed", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.Float(), nullable=False),
        sa.Column("calibration_id", sa.String()),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("response", sa.Text()),
        sa.Column("responded_by", sa.String()),
        sa.Column("responded_at", sa.Float()),
        sa.Column("reply", sa.Text()),
    ]


def upgrade() -> None:
    op.create_table("qa_evaluations", *_evaluation_columns(), sa.PrimaryKeyConstraint("id"))
    op.create_index("ix_qa_evaluations_agent", "qa_evaluations", ["agent_id", "contact_at"])
    op.create_index("ix_qa_evaluations_contact", "qa_evaluations", ["contact_id"])
    op.create_index("ix_qa_evaluations_contact_at", "qa_evaluations", ["contact_at"])
    op.create_table("qa_evaluation_revisions", *_evaluation_columns(), sa.PrimaryKeyConstraint("id", "revision"))
    op.create_table(
        "qa_calibrations",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("contact_id", sa.String(), nullable=False),
        sa.Column("scorecard_id", sa.String(), nullable=False),
        sa.Column("scorecard_version", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.String(), nullable=False),
        sa.Column("created_at", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )


def downgrade() -> None:
    op.drop_table("qa_calibrations")
    op.drop_table("qa_evaluation_revisions")
    op.drop_index("ix_qa_evaluations_contact_at", "qa_evaluations")
    op.drop_index("ix_qa_evaluations_contact", "qa_evaluations")
    op.drop_index("ix_qa_evaluations_agent", "qa_evaluations")
    op.drop_table("qa_evaluations")
