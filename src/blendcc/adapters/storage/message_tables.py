"""Messages schema: one row per message of a conversation, indexed by the provider's message id."""

from __future__ import annotations

from sqlalchemy import Column, Float, Index, String, Table

from blendcc.adapters.storage.tables import metadata

messages = Table(
    "messages",
    metadata,
    Column("message_id", String(), primary_key=True),
    Column("contact_id", String(), nullable=False),
    Column("direction", String(), nullable=False),  # inbound | outbound
    Column("channel", String(), nullable=False),
    Column("channel_instance", String(), nullable=False),
    Column("provider_message_id", String()),
    Column("at", Float(), nullable=False),
    Index("ix_messages_provider", "channel", "channel_instance", "provider_message_id"),
    Index("ix_messages_contact_id", "contact_id"),
)
