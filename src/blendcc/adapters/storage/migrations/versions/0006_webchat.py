"""Web-chat sessions: resumable customer sessions (token hash, pre-chat answers, contact, state)."""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# registers the table in the shared metadata (what autogenerate and the schema tests compare)
import blendcc.adapters.storage.webchat_tables  # noqa: F401

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "webchat_sessions",
        sa.Column("id", sa.String(), primary_key=True),
        sa.Column("instance", sa.String(), nullable=False),
        sa.Column("token_hash", sa.String(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("email", sa.String()),
        sa.Column("phone", sa.String()),
        sa.Column("topic", sa.String()),
        sa.Column("language", sa.String()),
        sa.Column("contact_id", sa.String()),
        sa.Column("state", sa.String(), nullable=False),
        sa.Column("created_at", sa.Float(), nullable=False),
        sa.Column("expires_at", sa.Float(), nullable=False),
        sa.Column("ended_at", sa.Float()),
        sa.Column("ended_by", sa.String()),
        sa.Column("agent_name", sa.String()),
        sa.Column("read_upto", sa.String()),
        sa.Column("rated", sa.Boolean(), nullable=False),
        sa.Column("extra", sa.JSON(), nullable=False),
    )
    op.create_index("ix_webchat_sessions_contact_id", "webchat_sessions", ["contact_id"])
    op.create_index("ix_webchat_sessions_expires_at", "webchat_sessions", ["expires_at"])


def downgrade() -> None:
    op.drop_index("ix_webchat_sessions_expires_at", table_name="webchat_sessions")
    op.drop_index("ix_webchat_sessions_contact_id", table_name="webchat_sessions")
    op.drop_table("webchat_sessions")
