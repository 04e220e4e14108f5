"""Web-chat sessions schema: one row per customer session (only the token's hash is stored)."""

from __future__ import annotations

from sqlalchemy import JSON, Boolean, Column, Float, Index, String, Table

from blendcc.adapters.storage.tables import metadata

webchat_sessions = Table(
    "webchat_sessions",
    metadata,
    Column("id", String(), primary_key=True),
    Column("instance", String(), nullable=False),
    Column("token_hash", String(), nullable=False),
    Column("name", String(), nullable=False),
    Column("email", String()),
    Column("phone", String()),
    Column("topic", String()),
    Column("language", String()),
    Column("contact_id", String()),
    Column("state", String(), nullable=False),
    Column("created_at", Float(), nullable=False),
    Column("expires_at", Float(), nullable=False),
    Column("ended_at", Float()),
    Column("ended_by", String()),
    Column("agent_name", String()),
    Column("read_upto", String()),
    Column("rated", Boolean(), nullable=False),
    Column("extra", JSON(), nullable=False),
    Index("ix_webchat_sessions_contact_id", "contact_id"),
    Index("ix_webchat_sessions_expires_at", "expires_at"),
)
