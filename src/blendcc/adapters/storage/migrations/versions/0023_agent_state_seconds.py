"""Agent state seconds per 15-minute interval, agent and aux reason, a column per state (ADR 0056), filled from the
stored closed state intervals on upgrade, so the table equals what the projector adds as intervals close."""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0023"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_STATES = ("available", "reserved", "busy", "wrap_up", "aux")  # analytics.interval_counters.STATE_COLUMNS


def upgrade() -> None:
    op.create_table("agent_state_seconds",
                    sa.Column("interval_start", sa.Float(), primary_key=True),
                    sa.Column("agent_id", sa.String(), primary_key=True),
                    sa.Column("reason", sa.String(), primary_key=True),
                    *(sa.Column(f"{s}_s", sa.Float(), nullable=False, server_default="0") for s in _STATES))
    from blendcc.adapters.storage.state_seconds import backfill

    backfill(op.get_bind())


def downgrade() -> None:
    op.drop_table("agent_state_seconds")
