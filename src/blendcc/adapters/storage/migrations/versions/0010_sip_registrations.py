"""SIP registrations: agent phones' bindings, kept across a restart until they expire."""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# registers the table in the shared metadata (what autogenerate and the schema tests compare)
import blendcc.adapters.storage.registration_tables  # noqa: F401

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "sip_registrations",
        sa.Column("username", sa.String(), primary_key=True),
        sa.Column("contact", sa.String(), nullable=False),
        sa.Column("host", sa.String(), nullable=False),
        sa.Column("port", sa.Integer(), nullable=False),
        sa.Column("expires_at", sa.Float(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("sip_registrations")
