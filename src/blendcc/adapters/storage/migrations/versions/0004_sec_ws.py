"""Dial records get an external_id (the list's own id column); record ids of new imports are opaque.

Records stored before keep their record_id (an imported id, or the phone number when the list had none);
where that id came from the list it is copied to external_id, so re-importing the same list still finds
them as duplicates.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("dial_records") as batch:
        batch.add_column(sa.Column("external_id", sa.String()))
    op.execute("UPDATE dial_records SET external_id = record_id WHERE record_id <> phone")


def downgrade() -> None:
    with op.batch_alter_table("dial_records") as batch:
        batch.drop_column("external_id")
