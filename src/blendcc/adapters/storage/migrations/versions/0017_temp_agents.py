"""Temporary agents: a user may expire (``users.expires_at``); no login and no token works from then on. A user's
email and phone (``users.email``, ``users.phone``): crisis notifications to recipients named by role or team."""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("expires_at", sa.Float(), nullable=True))
        batch.add_column(sa.Column("email", sa.String(), nullable=True))
        batch.add_column(sa.Column("phone", sa.String(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.drop_column("phone")
        batch.drop_column("email")
        batch.drop_column("expires_at")
