"""Scheduled callbacks schema: one row per callback (personal or for a queue), its state and due time."""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, Float, Index, Integer, String, Table, Text

from blendcc.adapters.storage.tables import metadata

_SEQ = BigInteger().with_variant(Integer(), "sqlite")

scheduled_callbacks = Table(
    "scheduled_callbacks",
    metadata,
    Column("callback_id", String(), primary_key=True),
    Column("state", String(), nullable=False),  # scheduled | cancelled | done
    Column("phone", String(), nullable=False),
    Column("due_at", Float(), nullable=False),
    Column("customer_id", String()),
    Column("agent_id", String()),  # set: personal to this agent
    Column("queue_id", String()),
    Column("note", Text(), nullable=False),
    Column("source_contact_id", String()),
    Column("created_at", Float(), nullable=False),
    Column("created_by", String()),
    Column("closed_at", Float()),
    Column("closed_by", String()),
    Column("seq", _SEQ, nullable=False),
    Index("ix_scheduled_callbacks_due", "state", "due_at"),
    Index("ix_scheduled_callbacks_agent", "agent_id", "state"),
)
