"""Knowledge base: articles with their versions; full-text search by FTS5 (SQLite) or a GIN index (PostgreSQL)."""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# registers the tables in the shared metadata (what autogenerate and the schema tests compare)
from blendcc.adapters.storage.kb_tables import PG_SEARCH_INDEX, PG_VECTOR, SQLITE_FTS

revision: str = "0014"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _columns() -> list[sa.Column[object]]:
    return [
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("lang", sa.String(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("category", sa.String(), nullable=False),
        sa.Column("tags", sa.Text(), nullable=False),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("updated_at", sa.Float(), nullable=False),
        sa.Column("updated_by", sa.String()),
    ]


def upgrade() -> None:
    op.create_table("kb_articles", *_columns(), sa.Column("search_title", sa.Text(), nullable=False),
                    sa.Column("search_body", sa.Text(), nullable=False), sa.PrimaryKeyConstraint("id", "lang"))
    op.create_table("kb_article_versions", *_columns(), sa.PrimaryKeyConstraint("id", "lang", "version"))
    if op.get_bind().dialect.name == "sqlite":
        op.execute(f"CREATE VIRTUAL TABLE {SQLITE_FTS} USING fts5(article_id UNINDEXED, lang UNINDEXED, title, "
                   "body, tokenize = 'unicode61 remove_diacritics 2')")
    else:
        op.execute(f"CREATE INDEX {PG_SEARCH_INDEX} ON kb_articles USING gin ({PG_VECTOR})")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute(f"DROP TABLE {SQLITE_FTS}")
    else:
        op.execute(f"DROP INDEX {PG_SEARCH_INDEX}")
    op.drop_table("kb_article_versions")
    op.drop_table("kb_articles")
