"""Canned responses schema: one row per response, unique by scope, owner and shortcut."""

from __future__ import annotations

from sqlalchemy import Column, Float, Index, String, Table, Text

from blendcc.adapters.storage.tables import metadata

canned_responses = Table(
    "canned_responses",
    metadata,
    Column("id", String(), primary_key=True),
    Column("scope", String(), nullable=False),  # personal | queue | skill
    Column("owner", String(), nullable=False),  # agent id, queue id or skill id
    Column("shortcut", String(), nullable=False),
    Column("title", String(), nullable=False),
    Column("body", Text(), nullable=False),
    Column("updated_at", Float(), nullable=False),
    Column("updated_by", String()),
    Index("uq_canned_shortcut", "scope", "owner", "shortcut", unique=True),
    Index("ix_canned_owner", "scope", "owner"),
)
