"""Auth hardening: case-insensitive username keys, inactive users, TOTP, login sessions, the audit log."""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from blendcc.domain.usernames import username_key

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("username_key", sa.String(), nullable=True))
        batch.add_column(sa.Column("active", sa.Boolean(), nullable=False, server_default=sa.true()))
        batch.add_column(sa.Column("totp_secret", sa.String(), nullable=True))
        batch.add_column(sa.Column("totp_confirmed", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch.add_column(sa.Column("totp_last_step", sa.BigInteger(), nullable=False, server_default="0"))
    conn = op.get_bind()
    users = sa.table("users", sa.column("username", sa.String()), sa.column("username_key", sa.String()))
    seen: set[str] = set()
    for (name,) in conn.execute(sa.select(users.c.username).order_by(users.c.username)).all():
        key = username_key(name)
        if key in seen:  # an older duplicate ('ADMIN' beside 'admin') keeps working by its exact name
            key = f"legacy-duplicate:{name}"
        seen.add(key)
        conn.execute(users.update().where(users.c.username == name).values(username_key=key))
    with op.batch_alter_table("users") as batch:
        batch.alter_column("username_key", existing_type=sa.String(), nullable=False)
        batch.create_index("ux_users_username_key", ["username_key"], unique=True)

    op.create_table(
        "auth_sessions",
        sa.Column("id", sa.String(), primary_key=True),
        sa.Column("username", sa.String(), nullable=False),
        sa.Column("created_at", sa.Float(), nullable=False),
        sa.Column("expires_at", sa.Float(), nullable=False),
        sa.Column("refresh_hash", sa.String(), nullable=False),
        sa.Column("revoked_at", sa.Float()),
    )
    op.create_index("ix_auth_sessions_username", "auth_sessions", ["username"])
    op.create_index("ix_auth_sessions_expires_at", "auth_sessions", ["expires_at"])

    seq = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
    op.create_table(
        "audit_log",
        sa.Column("seq", seq, primary_key=True, autoincrement=True),
        sa.Column("at", sa.Float(), nullable=False),
        sa.Column("actor", sa.String()),
        sa.Column("action", sa.String(), nullable=False),
        sa.Column("target", sa.String()),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.Column("client", sa.String()),
        sqlite_autoincrement=True,
    )
    for name, cols in (("ix_audit_log_at", ["at"]), ("ix_audit_log_actor_at", ["actor", "at"]),
                       ("ix_audit_log_action_at", ["action", "at"]), ("ix_audit_log_target_at", ["target", "at"])):
        op.create_index(name, "audit_log", cols)


def downgrade() -> None:
    op.drop_table("audit_log")
    op.drop_index("ix_auth_sessions_expires_at", table_name="auth_sessions")
    op.drop_index("ix_auth_sessions_username", table_name="auth_sessions")
    op.drop_table("auth_sessions")
    with op.batch_alter_table("users") as batch:
        batch.drop_index("ux_users_username_key")
        for column in ("totp_last_step", "totp_confirmed", "totp_secret", "active", "username_key"):
            batch.drop_column(column)
