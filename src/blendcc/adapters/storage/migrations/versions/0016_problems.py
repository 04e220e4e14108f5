"""Problem management: the projections of problem records and of the contacts linked to them."""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# registers the tables in the shared metadata (what autogenerate and the schema tests compare)
import blendcc.adapters.storage.problem_tables  # noqa: F401

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_SEQ = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "problems",
        sa.Column("problem_id", sa.String(), primary_key=True),
        sa.Column("title", sa.String(), nullable=False),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("rules", sa.JSON(), nullable=False),
        sa.Column("kb_article_id", sa.String()),
        sa.Column("crisis_id", sa.String()),
        sa.Column("workaround", sa.Text(), nullable=False),
        sa.Column("resolution", sa.Text(), nullable=False),
        sa.Column("opened_at", sa.Float(), nullable=False),
        sa.Column("opened_by", sa.String()),
        sa.Column("updated_at", sa.Float(), nullable=False),
        sa.Column("resolved_at", sa.Float()),
        sa.Column("resolved_by", sa.String()),
        sa.Column("closed_at", sa.Float()),
        sa.Column("seq", _SEQ, nullable=False),
    )
    op.create_index("ix_problems_status", "problems", ["status"])
    op.create_index("ix_problems_crisis", "problems", ["crisis_id"])
    op.create_table(
        "problem_contacts",
        sa.Column("problem_id", sa.String(), primary_key=True),
        sa.Column("contact_id", sa.String(), primary_key=True),
        sa.Column("contact_at", sa.Float(), nullable=False),
        sa.Column("customer_id", sa.String()),
        sa.Column("queue_id", sa.String()),
        sa.Column("channel", sa.String()),
        sa.Column("how", sa.String(), nullable=False),
        sa.Column("reason", sa.String(), nullable=False),
        sa.Column("linked_at", sa.Float(), nullable=False),
        sa.Column("linked_by", sa.String()),
        sa.Column("seq", _SEQ, nullable=False),
    )
    op.create_index("ix_problem_contacts_time", "problem_contacts", ["problem_id", "contact_at"])
    op.create_index("ix_problem_contacts_contact", "problem_contacts", ["contact_id"])
    op.create_index("ix_problem_contacts_customer", "problem_contacts", ["customer_id"])


def downgrade() -> None:
    op.drop_index("ix_problem_contacts_customer", table_name="problem_contacts")
    op.drop_index("ix_problem_contacts_contact", table_name="problem_contacts")
    op.drop_index("ix_problem_contacts_time", table_name="problem_contacts")
    op.drop_table("problem_contacts")
    op.drop_index("ix_problems_crisis", table_name="problems")
    op.drop_index("ix_problems_status", table_name="problems")
    op.drop_table("problems")
