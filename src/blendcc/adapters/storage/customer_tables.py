"""Customer schema beyond the profile: tags, merge/erasure status, and the timeline projection."""

from __future__ import annotations

from sqlalchemy import JSON, Column, Float, Index, String, Table, Text

from blendcc.adapters.storage.tables import SeqType, metadata

customer_tags = Table(
    "customer_tags",
    metadata,
    Column("customer_id", String(), primary_key=True),
    Column("tag", String(), primary_key=True),
    Index("ix_customer_tags_tag", "tag"),
)

#: a row only for customers merged into another (``merged_into``) or erased (``erased_at``)
customer_status = Table(
    "customer_status",
    metadata,
    Column("customer_id", String(), primary_key=True),
    Column("merged_into", String()),
    Column("merge_id", String()),
    Column("erased_at", Float()),
)

#: one row per event shown in a customer's timeline; the customer is found through the contact's
#: ``interactions.customer_id`` (merges move it) or, for dialer attempts, through the dialled ``phone``
timeline_entries = Table(
    "timeline_entries",
    metadata,
    Column("seq", SeqType, primary_key=True, autoincrement=False),
    Column("contact_id", String()),
    Column("record_id", String()),
    Column("phone", String()),
    Column("kind", String(), nullable=False),
    Column("at", Float(), nullable=False),
    Column("text", Text()),
    Column("detail", JSON(), nullable=False),
    Index("ix_timeline_entries_contact_id", "contact_id"),
    Index("ix_timeline_entries_phone", "phone"),
    Index("ix_timeline_entries_record_id", "record_id"),
)
