"""Problem management schema: one row per problem record, one per contact linked to a problem."""

from __future__ import annotations

from sqlalchemy import JSON, BigInteger, Column, Float, Index, Integer, String, Table, Text

from blendcc.adapters.storage.tables import metadata

_SEQ = BigInteger().with_variant(Integer(), "sqlite")

problems = Table(
    "problems",
    metadata,
    Column("problem_id", String(), primary_key=True),
    Column("title", String(), nullable=False),
    Column("status", String(), nullable=False),  # open | known_error | resolved | closed
    Column("rules", JSON, nullable=False),
    Column("kb_article_id", String()),
    Column("crisis_id", String()),
    Column("workaround", Text(), nullable=False),
    Column("resolution", Text(), nullable=False),
    Column("opened_at", Float(), nullable=False),
    Column("opened_by", String()),
    Column("updated_at", Float(), nullable=False),
    Column("resolved_at", Float()),
    Column("resolved_by", String()),
    Column("closed_at", Float()),
    Column("seq", _SEQ, nullable=False),
    Index("ix_problems_status", "status"),
    Index("ix_problems_crisis", "crisis_id"),
)

problem_contacts = Table(
    "problem_contacts",
    metadata,
    Column("problem_id", String(), primary_key=True),
    Column("contact_id", String(), primary_key=True),
    Column("contact_at", Float(), nullable=False),
    Column("customer_id", String()),
    Column("queue_id", String()),
    Column("channel", String()),
    Column("how", String(), nullable=False),  # auto | backfill | manual
    Column("reason", String(), nullable=False),
    Column("linked_at", Float(), nullable=False),
    Column("linked_by", String()),
    Column("seq", _SEQ, nullable=False),
    Index("ix_problem_contacts_time", "problem_id", "contact_at"),
    Index("ix_problem_contacts_contact", "contact_id"),
    Index("ix_problem_contacts_customer", "customer_id"),
)
