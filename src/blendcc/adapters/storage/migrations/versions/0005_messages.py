"""Messages projection: one row per inbound/outbound message, found by the provider's message id."""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# registers the messages table in the shared metadata (what autogenerate and the schema tests compare)
import blendcc.adapters.storage.message_tables  # noqa: F401

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "messages",
        sa.Column("message_id", sa.String(), primary_key=True),
        sa.Column("contact_id", sa.String(), nullable=False),
        sa.Column("direction", sa.String(), nullable=False),
        sa.Column("channel", sa.String(), nullable=False),
        sa.Column("channel_instance", sa.String(), nullable=False),
        sa.Column("provider_message_id", sa.String()),
        sa.Column("at", sa.Float(), nullable=False),
    )
    op.create_index("ix_messages_provider", "messages", ["channel", "channel_instance", "provider_message_id"])
    op.create_index("ix_messages_contact_id", "messages", ["contact_id"])


def downgrade() -> None:
    op.drop_index("ix_messages_contact_id", table_name="messages")
    op.drop_index("ix_messages_provider", table_name="messages")
    op.drop_table("messages")
