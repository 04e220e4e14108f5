"""Knowledge-base schema: the current version of each article (searched) and every version saved."""

from __future__ import annotations

from sqlalchemy import Column, Float, Integer, PrimaryKeyConstraint, String, Table, Text

from blendcc.adapters.storage.tables import metadata


def _article_columns() -> list[Column[object]]:
    return [
        Column("id", String(), nullable=False),
        Column("lang", String(), nullable=False),
        Column("version", Integer(), nullable=False),
        Column("title", String(), nullable=False),
        Column("body", Text(), nullable=False),
        Column("category", String(), nullable=False),
        Column("tags", Text(), nullable=False),  # a JSON list
        Column("status", String(), nullable=False),  # draft | published
        Column("updated_at", Float(), nullable=False),
        Column("updated_by", String()),
    ]


kb_articles = Table(
    "kb_articles", metadata, *_article_columns(),
    # folded for search (domain.knowledge.segment): PostgreSQL's index is an expression over these two
    Column("search_title", Text(), nullable=False),
    Column("search_body", Text(), nullable=False),
    PrimaryKeyConstraint("id", "lang"),
)

kb_article_versions = Table(
    "kb_article_versions", metadata, *_article_columns(),
    PrimaryKeyConstraint("id", "lang", "version"),
)

#: SQLite only: the FTS5 table (not in the metadata; created and kept by migration 0014 and the repository)
SQLITE_FTS = "kb_search"
#: PostgreSQL: the GIN index over PG_VECTOR (an expression index, not in the metadata; created by migration 0014)
PG_SEARCH_INDEX = "ix_kb_articles_search"
#: PostgreSQL: the weighted document vector of an article (title A, body B), also the GIN index's expression
PG_VECTOR = ("(setweight(to_tsvector('simple'::regconfig, search_title), 'A') || "
             "setweight(to_tsvector('simple'::regconfig, search_body), 'B'))")
