"""Knowledge-base use: anonymous help-centre sessions, their events and contacts, and agents' article uses."""

from __future__ import annotations

from sqlalchemy import Column, Float, Index, Integer, String, Table

from blendcc.adapters.storage.tables import metadata

kb_help_sessions = Table(
    "kb_help_sessions", metadata,
    Column("id", String(), primary_key=True),  # a random id kept in the browser's cookie: no personal data
    Column("started_at", Float(), nullable=False),
    Column("lang", String(), nullable=False),
    Index("ix_kb_help_sessions_started", "started_at"),
)

kb_help_events = Table(
    "kb_help_events", metadata,
    Column("seq", Integer(), primary_key=True, autoincrement=True),
    Column("session_id", String(), nullable=False),
    Column("at", Float(), nullable=False),
    Column("kind", String(), nullable=False),  # search | view | contact
    Column("article_id", String()),  # view
    Column("lang", String()),  # view
    Column("category", String()),  # view: the article's category then
    Column("ref", String()),  # contact: the web-chat session or the offline form's reference
    Index("ix_kb_help_events_session", "session_id"),
)

kb_article_uses = Table(
    "kb_article_uses", metadata,
    Column("seq", Integer(), primary_key=True, autoincrement=True),
    Column("contact_id", String(), nullable=False),
    Column("article_id", String(), nullable=False),
    Column("lang", String(), nullable=False),
    Column("action", String(), nullable=False),  # open | insert | send
    Column("agent", String()),
    Column("at", Float(), nullable=False),
    Index("ix_kb_article_uses_at", "at"),
    Index("ix_kb_article_uses_contact", "contact_id"),
)
