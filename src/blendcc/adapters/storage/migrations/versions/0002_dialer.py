"""Dialer schema: dial records, DNC entries, list-import reports, campaign states (dialer_tables.py)."""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# registers the dialer tables in the shared metadata (what autogenerate and the schema tests compare)
import blendcc.adapters.storage.dialer_tables  # noqa: F401

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "dial_records",
        sa.Column("campaign_id", sa.String(), primary_key=True),
        sa.Column("record_id", sa.String(), primary_key=True),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("phone", sa.String(), nullable=False),
        sa.Column("tz", sa.String(), nullable=False),
        sa.Column("fields", sa.JSON(), nullable=False),
        sa.Column("state", sa.String(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("attempts_today", sa.Integer(), nullable=False),
        sa.Column("attempts_day", sa.String()),
        sa.Column("next_attempt_at", sa.Float()),
        sa.Column("last_outcome", sa.String()),
        sa.Column("callback_agent_id", sa.String()),
        sa.Column("final_reason", sa.String()),
    )
    op.create_index("ix_dial_records_campaign_id_state_next_attempt_at", "dial_records",
                    ["campaign_id", "state", "next_attempt_at"])
    op.create_index("ix_dial_records_campaign_id_seq", "dial_records", ["campaign_id", "seq"])

    op.create_table(
        "dnc_entries",
        sa.Column("scope", sa.String(), primary_key=True),
        sa.Column("phone", sa.String(), primary_key=True),
        sa.Column("reason", sa.String(), nullable=False),
        sa.Column("added_at", sa.Float(), nullable=False),
    )

    op.create_table(
        "list_imports",
        sa.Column("import_id", sa.String(), primary_key=True),
        sa.Column("campaign_id", sa.String(), nullable=False),
        sa.Column("at", sa.Float(), nullable=False),
        sa.Column("source", sa.String(), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("accepted", sa.Integer(), nullable=False),
        sa.Column("rejected", sa.Integer(), nullable=False),
        sa.Column("duplicates", sa.Integer(), nullable=False),
        sa.Column("errors", sa.JSON(), nullable=False),
    )
    op.create_index("ix_list_imports_campaign_id_at", "list_imports", ["campaign_id", "at"])

    op.create_table(
        "campaign_states",
        sa.Column("campaign_id", sa.String(), primary_key=True),
        sa.Column("state", sa.String(), nullable=False),
        sa.Column("reason", sa.String()),
        sa.Column("at", sa.Float(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("campaign_states")
    op.drop_index("ix_list_imports_campaign_id_at", table_name="list_imports")
    op.drop_table("list_imports")
    op.drop_table("dnc_entries")
    op.drop_index("ix_dial_records_campaign_id_seq", table_name="dial_records")
    op.drop_index("ix_dial_records_campaign_id_state_next_attempt_at", table_name="dial_records")
    op.drop_table("dial_records")
