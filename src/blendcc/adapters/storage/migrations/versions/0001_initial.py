"""Initial schema: event log, projections, configuration documents, customers, users, meta."""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SEQ = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

INT_COUNTERS = ("offered", "handled", "answered_in_sl", "abandoned", "short_abandoned", "timed_out",
                "overflowed_out", "transferred", "handled_done")
FLOAT_COUNTERS = ("wait_handled_s", "wait_abandoned_s", "max_wait_handled_s", "talk_s", "hold_s", "acw_s")


def upgrade() -> None:
    op.create_table(
        "events",
        sa.Column("seq", SEQ, primary_key=True, autoincrement=True),
        sa.Column("type", sa.String(), nullable=False),
        sa.Column("at", sa.Float(), nullable=False),
        sa.Column("contact_id", sa.String()),
        sa.Column("agent_id", sa.String()),
        sa.Column("queue_id", sa.String()),
        sa.Column("payload", sa.JSON(), nullable=False),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_events_contact_id", "events", ["contact_id"])
    op.create_index("ix_events_agent_id", "events", ["agent_id"])
    op.create_index("ix_events_queue_id", "events", ["queue_id"])
    op.create_index("ix_events_type_at", "events", ["type", "at"])

    op.create_table(
        "interactions",
        sa.Column("contact_id", sa.String(), primary_key=True),
        sa.Column("channel", sa.String(), nullable=False),
        sa.Column("direction", sa.String(), nullable=False),
        sa.Column("customer_id", sa.String()),
        sa.Column("priority", sa.Integer(), nullable=False),
        sa.Column("attributes", sa.JSON(), nullable=False),
        sa.Column("state", sa.String(), nullable=False),
        sa.Column("outcome", sa.String()),
        sa.Column("workflow_id", sa.String()),
        sa.Column("filter_name", sa.String()),
        sa.Column("created_at", sa.Float(), nullable=False),
        sa.Column("first_queued_at", sa.Float()),
        sa.Column("first_queue_id", sa.String()),
        sa.Column("queue_id", sa.String()),
        sa.Column("offered_at", sa.Float()),
        sa.Column("connected_at", sa.Float()),
        sa.Column("agent_id", sa.String()),
        sa.Column("ended_at", sa.Float()),
        sa.Column("closed_at", sa.Float()),
        sa.Column("wait_s", sa.Float()),
        sa.Column("talk_s", sa.Float(), nullable=False),
        sa.Column("hold_s", sa.Float(), nullable=False),
        sa.Column("acw_s", sa.Float(), nullable=False),
        sa.Column("transfers", sa.Integer(), nullable=False),
        sa.Column("overflows", sa.Integer(), nullable=False),
        sa.Column("offers", sa.Integer(), nullable=False),
        sa.Column("disposition", sa.String()),
        sa.Column("notes", sa.Text()),
        sa.Column("created_seq", sa.BigInteger(), nullable=False),
    )
    op.create_index("ix_interactions_created_at", "interactions", ["created_at"])
    op.create_index("ix_interactions_customer_id", "interactions", ["customer_id"])
    op.create_index("ix_interactions_state", "interactions", ["state"])

    op.create_table(
        "agent_state_intervals",
        sa.Column("id", SEQ, primary_key=True, autoincrement=True),
        sa.Column("agent_id", sa.String(), nullable=False),
        sa.Column("state", sa.String(), nullable=False),
        sa.Column("reason", sa.String()),
        sa.Column("start_at", sa.Float(), nullable=False),
        sa.Column("end_at", sa.Float()),
    )
    op.create_index("ix_agent_state_intervals_agent_id_end_at", "agent_state_intervals", ["agent_id", "end_at"])
    op.create_index("ix_agent_state_intervals_start_at", "agent_state_intervals", ["start_at"])
    op.create_index("ix_agent_state_intervals_end_at", "agent_state_intervals", ["end_at"])

    op.create_table(
        "agent_presence",
        sa.Column("agent_id", sa.String(), primary_key=True),
        sa.Column("logged_in", sa.Boolean(), nullable=False),
        sa.Column("login_seq", sa.BigInteger()),
    )

    op.create_table(
        "queue_interval_stats",
        sa.Column("interval_start", sa.Float(), primary_key=True),
        sa.Column("queue_id", sa.String(), primary_key=True),
        sa.Column("channel", sa.String(), primary_key=True),
        *(sa.Column(name, sa.Integer(), nullable=False) for name in INT_COUNTERS),
        *(sa.Column(name, sa.Float(), nullable=False) for name in FLOAT_COUNTERS),
    )

    op.create_table(
        "config_documents",
        sa.Column("kind", sa.String(), primary_key=True),
        sa.Column("id", sa.String(), primary_key=True),
        sa.Column("version", sa.Integer(), primary_key=True),
        sa.Column("body", sa.JSON(), nullable=False),
        sa.Column("at", sa.Float(), nullable=False),
        sa.Column("by", sa.String()),
        sa.Column("deleted", sa.Boolean(), nullable=False),
    )

    op.create_table(
        "customers",
        sa.Column("id", sa.String(), primary_key=True),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("tier", sa.String(), nullable=False),
        sa.Column("fields", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.Float(), nullable=False),
        sa.Column("last_agent_id", sa.String()),
        sa.Column("last_contact_at", sa.Float()),
    )

    op.create_table(
        "customer_identities",
        sa.Column("kind", sa.String(), primary_key=True),
        sa.Column("value", sa.String(), primary_key=True),
        sa.Column("customer_id", sa.String(), nullable=False),
    )
    op.create_index("ix_customer_identities_customer_id", "customer_identities", ["customer_id"])

    op.create_table(
        "users",
        sa.Column("username", sa.String(), primary_key=True),
        sa.Column("role", sa.String(), nullable=False),
        sa.Column("agent_id", sa.String()),
        sa.Column("password_hash", sa.String(), nullable=False),
    )

    op.create_table(
        "meta",
        sa.Column("key", sa.String(), primary_key=True),
        sa.Column("value", sa.Text(), nullable=False),
    )


def downgrade() -> None:
    for table in ("meta", "users", "customer_identities", "customers", "config_documents",
                  "queue_interval_stats", "agent_presence", "agent_state_intervals", "interactions",
                  "events"):
        op.drop_table(table)
