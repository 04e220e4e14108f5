"""Knowledge-base use: help-centre sessions and their events (search, article view, contact), agents' uses."""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# registers the tables in the shared metadata (what autogenerate and the schema tests compare)
from blendcc.adapters.storage import kb_usage_tables  # noqa: F401

revision: str = "0022"
down_revision: str | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table("kb_help_sessions", sa.Column("id", sa.String(), nullable=False),
                    sa.Column("started_at", sa.Float(), nullable=False), sa.Column("lang", sa.String(), nullable=False),
                    sa.PrimaryKeyConstraint("id"))
    op.create_index("ix_kb_help_sessions_started", "kb_help_sessions", ["started_at"])
    op.create_table("kb_help_events", sa.Column("seq", sa.Integer(), autoincrement=True, nullable=False),
                    sa.Column("session_id", sa.String(), nullable=False), sa.Column("at", sa.Float(), nullable=False),
                    sa.Column("kind", sa.String(), nullable=False), sa.Column("article_id", sa.String()),
                    sa.Column("lang", sa.String()), sa.Column("category", sa.String()), sa.Column("ref", sa.String()),
                    sa.PrimaryKeyConstraint("seq"))
    op.create_index("ix_kb_help_events_session", "kb_help_events", ["session_id"])
    op.create_table("kb_article_uses", sa.Column("seq", sa.Integer(), autoincrement=True, nullable=False),
                    sa.Column("contact_id", sa.String(), nullable=False),
                    sa.Column("article_id", sa.String(), nullable=False),
                    sa.Column("lang", sa.String(), nullable=False),
                    sa.Column("action", sa.String(), nullable=False), sa.Column("agent", sa.String()),
                    sa.Column("at", sa.Float(), nullable=False), sa.PrimaryKeyConstraint("seq"))
    op.create_index("ix_kb_article_uses_at", "kb_article_uses", ["at"])
    op.create_index("ix_kb_article_uses_contact", "kb_article_uses", ["contact_id"])


def downgrade() -> None:
    op.drop_table("kb_article_uses")
    op.drop_table("kb_help_events")
    op.drop_table("kb_help_sessions")
