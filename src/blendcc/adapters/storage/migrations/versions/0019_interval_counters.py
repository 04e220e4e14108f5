"""Report counters per 15-minute interval: agent legs and wrap-ups per agent and channel, wrap-ups per queue and
channel (ADR 0049); filled from the existing log on upgrade, so the projection equals a replay of it."""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0019"
down_revision: str | None = "0022"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_AGENT = ("handled", "completed", "talk_s", "hold_s", "acw_s", "wrapups", "resolved")
_WRAP = ("wrapups", "resolved")


def _col(name: str) -> sa.Column[int] | sa.Column[float]:
    if name.endswith("_s"):
        return sa.Column(name, sa.Float(), nullable=False, server_default="0")
    return sa.Column(name, sa.Integer(), nullable=False, server_default="0")


def upgrade() -> None:
    op.create_table("agent_interval_stats",
                    sa.Column("interval_start", sa.Float(), primary_key=True),
                    sa.Column("agent_id", sa.String(), primary_key=True),
                    sa.Column("channel", sa.String(), primary_key=True),
                    *(_col(n) for n in _AGENT))
    op.create_table("wrapup_interval_stats",
                    sa.Column("interval_start", sa.Float(), primary_key=True),
                    sa.Column("queue_id", sa.String(), primary_key=True),
                    sa.Column("channel", sa.String(), primary_key=True),
                    *(_col(n) for n in _WRAP))
    _backfill()


def _backfill() -> None:
    """Fold the existing log's legs and wrap-ups into the new tables (the projector's own fold)."""
    from blendcc.adapters.storage.interval_projection import backfill

    backfill(op.get_bind())


def downgrade() -> None:
    op.drop_table("wrapup_interval_stats")
    op.drop_table("agent_interval_stats")
