"""Scheduled callbacks: the projection of CallbackScheduled, CallbackCancelled and CallbackDone."""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# registers the callbacks table in the shared metadata (what autogenerate and the schema tests compare)
import blendcc.adapters.storage.callback_tables  # noqa: F401

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_SEQ = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "scheduled_callbacks",
        sa.Column("callback_id", sa.String(), primary_key=True),
        sa.Column("state", sa.String(), nullable=False),
        sa.Column("phone", sa.String(), nullable=False),
        sa.Column("due_at", sa.Float(), nullable=False),
        sa.Column("customer_id", sa.String()),
        sa.Column("agent_id", sa.String()),
        sa.Column("queue_id", sa.String()),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("source_contact_id", sa.String()),
        sa.Column("created_at", sa.Float(), nullable=False),
        sa.Column("created_by", sa.String()),
        sa.Column("closed_at", sa.Float()),
        sa.Column("closed_by", sa.String()),
        sa.Column("seq", _SEQ, nullable=False),
    )
    op.create_index("ix_scheduled_callbacks_due", "scheduled_callbacks", ["state", "due_at"])
    op.create_index("ix_scheduled_callbacks_agent", "scheduled_callbacks", ["agent_id", "state"])


def downgrade() -> None:
    op.drop_index("ix_scheduled_callbacks_agent", table_name="scheduled_callbacks")
    op.drop_index("ix_scheduled_callbacks_due", table_name="scheduled_callbacks")
    op.drop_table("scheduled_callbacks")
