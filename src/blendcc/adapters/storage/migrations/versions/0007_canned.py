"""Canned responses: per team (queue or skill) and personal replies with placeholders."""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# registers the canned responses table in the shared metadata (what autogenerate and the schema tests compare)
import blendcc.adapters.storage.canned_tables  # noqa: F401

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "canned_responses",
        sa.Column("id", sa.String(), primary_key=True),
        sa.Column("scope", sa.String(), nullable=False),
        sa.Column("owner", sa.String(), nullable=False),
        sa.Column("shortcut", sa.String(), nullable=False),
        sa.Column("title", sa.String(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.Float(), nullable=False),
        sa.Column("updated_by", sa.String()),
    )
    op.create_index("uq_canned_shortcut", "canned_responses", ["scope", "owner", "shortcut"], unique=True)
    op.create_index("ix_canned_owner", "canned_responses", ["scope", "owner"])


def downgrade() -> None:
    op.drop_index("ix_canned_owner", table_name="canned_responses")
    op.drop_index("uq_canned_shortcut", table_name="canned_responses")
    op.drop_table("canned_responses")
