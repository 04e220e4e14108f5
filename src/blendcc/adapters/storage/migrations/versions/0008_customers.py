"""Customers: tags, merge/erasure status, and the timeline projection."""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# registers the customer tables in the shared metadata (what autogenerate and the schema tests compare)
import blendcc.adapters.storage.customer_tables  # noqa: F401

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_SEQ = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "customer_tags",
        sa.Column("customer_id", sa.String(), primary_key=True),
        sa.Column("tag", sa.String(), primary_key=True),
    )
    op.create_index("ix_customer_tags_tag", "customer_tags", ["tag"])
    op.create_table(
        "customer_status",
        sa.Column("customer_id", sa.String(), primary_key=True),
        sa.Column("merged_into", sa.String()),
        sa.Column("merge_id", sa.String()),
        sa.Column("erased_at", sa.Float()),
    )
    op.create_table(
        "timeline_entries",
        sa.Column("seq", _SEQ, primary_key=True, autoincrement=False),
        sa.Column("contact_id", sa.String()),
        sa.Column("record_id", sa.String()),
        sa.Column("phone", sa.String()),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("at", sa.Float(), nullable=False),
        sa.Column("text", sa.Text()),
        sa.Column("detail", sa.JSON(), nullable=False),
    )
    op.create_index("ix_timeline_entries_contact_id", "timeline_entries", ["contact_id"])
    op.create_index("ix_timeline_entries_phone", "timeline_entries", ["phone"])
    op.create_index("ix_timeline_entries_record_id", "timeline_entries", ["record_id"])


def downgrade() -> None:
    op.drop_index("ix_timeline_entries_record_id", table_name="timeline_entries")
    op.drop_index("ix_timeline_entries_phone", table_name="timeline_entries")
    op.drop_index("ix_timeline_entries_contact_id", table_name="timeline_entries")
    op.drop_table("timeline_entries")
    op.drop_table("customer_status")
    op.drop_index("ix_customer_tags_tag", table_name="customer_tags")
    op.drop_table("customer_tags")
