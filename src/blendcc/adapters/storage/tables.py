"""SQLAlchemy Core schema: the event log, its projections, configuration, customers, users, meta."""

from __future__ import annotations

from dataclasses import fields

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Float,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)

from blendcc.analytics.interval_counters import STATE_COLUMNS, AgentInterval, WrapCounts
from blendcc.analytics.queue_stats import QueueCounters

metadata = MetaData()

# Strings carry no length: ids and codes are bounded by validation, not by the column (SQLite ignores
# VARCHAR lengths, so a length here would only make PostgreSQL behave differently).

#: Auto-incrementing sequence key: BIGINT on PostgreSQL, INTEGER (the rowid alias) on SQLite.
SeqType = BigInteger().with_variant(Integer(), "sqlite")

events = Table(
    "events",
    metadata,
    Column("seq", SeqType, primary_key=True, autoincrement=True),
    Column("type", String, nullable=False),
    Column("at", Float, nullable=False),
    Column("contact_id", String),
    Column("agent_id", String),
    Column("queue_id", String),
    Column("payload", JSON, nullable=False),
    Index("ix_events_contact_id", "contact_id"),
    Index("ix_events_agent_id", "agent_id"),
    Index("ix_events_queue_id", "queue_id"),
    Index("ix_events_type_at", "type", "at"),
    sqlite_autoincrement=True,
)

interactions = Table(
    "interactions",
    metadata,
    Column("contact_id", String, primary_key=True),
    Column("channel", String, nullable=False),
    Column("direction", String, nullable=False),
    Column("customer_id", String),
    Column("priority", Integer, nullable=False),
    Column("attributes", JSON, nullable=False),
    Column("state", String, nullable=False),
    Column("outcome", String),
    Column("workflow_id", String),
    Column("filter_name", String),
    Column("created_at", Float, nullable=False),
    Column("first_queued_at", Float),
    Column("first_queue_id", String),
    Column("queue_id", String),
    Column("offered_at", Float),
    Column("connected_at", Float),
    Column("agent_id", String),
    Column("ended_at", Float),
    Column("closed_at", Float),
    Column("wait_s", Float),
    Column("talk_s", Float, nullable=False),
    Column("hold_s", Float, nullable=False),
    Column("acw_s", Float, nullable=False),
    Column("transfers", Integer, nullable=False),
    Column("overflows", Integer, nullable=False),
    Column("offers", Integer, nullable=False),
    Column("disposition", String),
    Column("notes", Text),
    Column("created_seq", BigInteger, nullable=False),
    Index("ix_interactions_created_at", "created_at"),
    Index("ix_interactions_customer_id", "customer_id"),
    Index("ix_interactions_state", "state"),
)

agent_state_intervals = Table(
    "agent_state_intervals",
    metadata,
    Column("id", SeqType, primary_key=True, autoincrement=True),
    Column("agent_id", String, nullable=False),
    Column("state", String, nullable=False),
    Column("reason", String),
    Column("start_at", Float, nullable=False),
    Column("end_at", Float),
    Index("ix_agent_state_intervals_agent_id_end_at", "agent_id", "end_at"),
    Index("ix_agent_state_intervals_start_at", "start_at"),
    Index("ix_agent_state_intervals_end_at", "end_at"),
)

agent_presence = Table(
    "agent_presence",
    metadata,
    Column("agent_id", String, primary_key=True),
    Column("logged_in", Boolean, nullable=False),
    Column("login_seq", BigInteger),
)


def _counter_column(name: str, default: object) -> Column[int] | Column[float]:
    if isinstance(default, int):
        return Column(name, Integer, nullable=False, default=0)
    return Column(name, Float, nullable=False, default=0.0)


#: Counter columns, in QueueCounters field order; integer counters are INTEGER, seconds are FLOAT.
INT_COUNTERS = frozenset(f.name for f in fields(QueueCounters) if isinstance(f.default, int))

queue_interval_stats = Table(
    "queue_interval_stats",
    metadata,
    Column("interval_start", Float, primary_key=True),
    Column("queue_id", String, primary_key=True),
    Column("channel", String, primary_key=True),
    *(_counter_column(f.name, f.default) for f in fields(QueueCounters)),
)

#: agent legs and wrap-ups per 15-minute interval, agent and channel (analytics.interval_counters.AgentInterval)
agent_interval_stats = Table(
    "agent_interval_stats",
    metadata,
    Column("interval_start", Float, primary_key=True),
    Column("agent_id", String, primary_key=True),
    Column("channel", String, primary_key=True),
    *(_counter_column(f.name, f.default) for f in fields(AgentInterval)),
)

#: wrap-ups per 15-minute interval of the contact's queueing, queue and channel (interval_counters.WrapCounts)
wrapup_interval_stats = Table(
    "wrapup_interval_stats",
    metadata,
    Column("interval_start", Float, primary_key=True),
    Column("queue_id", String, primary_key=True),
    Column("channel", String, primary_key=True),
    *(_counter_column(f.name, f.default) for f in fields(WrapCounts)),
)

#: closed state intervals' seconds per 15-minute interval, agent and aux reason ("": the other states and aux
#: without a reason), one column per state (analytics.interval_counters.fold_state_seconds; migration 0023)
agent_state_seconds = Table(
    "agent_state_seconds",
    metadata,
    Column("interval_start", Float, primary_key=True),
    Column("agent_id", String, primary_key=True),
    Column("reason", String, primary_key=True),
    *(Column(f"{state}_s", Float, nullable=False, default=0.0) for state in STATE_COLUMNS),
)

config_documents = Table(
    "config_documents",
    metadata,
    Column("kind", String, primary_key=True),
    Column("id", String, primary_key=True),
    Column("version", Integer, primary_key=True),
    Column("body", JSON, nullable=False),
    Column("at", Float, nullable=False),
    Column("by", String),
    Column("deleted", Boolean, nullable=False),
)

customers = Table(
    "customers",
    metadata,
    Column("id", String, primary_key=True),
    Column("name", String, nullable=False),
    Column("tier", String, nullable=False),
    Column("fields", JSON, nullable=False),
    Column("created_at", Float, nullable=False),
    Column("last_agent_id", String),
    Column("last_contact_at", Float),
)

customer_identities = Table(
    "customer_identities",
    metadata,
    Column("kind", String, primary_key=True),
    Column("value", String, primary_key=True),
    Column("customer_id", String, nullable=False),
    Index("ix_customer_identities_customer_id", "customer_id"),
)

users = Table(
    "users",
    metadata,
    Column("username", String, primary_key=True),
    Column("role", String, nullable=False),
    Column("agent_id", String),
    Column("password_hash", String, nullable=False),
    # case-insensitive uniqueness and lookup (domain.usernames.username_key); migration 0003 fills it
    Column("username_key", String, nullable=False),
    Column("active", Boolean, nullable=False),
    Column("totp_secret", String),
    Column("totp_confirmed", Boolean, nullable=False),
    Column("totp_last_step", BigInteger, nullable=False),
    Column("expires_at", Float),  # temporary agents (migration 0017)
    Column("email", String),  # crisis notifications by role or team (migration 0017)
    Column("phone", String),
    Index("ux_users_username_key", "username_key", unique=True),
)

auth_sessions = Table(
    "auth_sessions",
    metadata,
    Column("id", String, primary_key=True),
    Column("username", String, nullable=False),
    Column("created_at", Float, nullable=False),
    Column("expires_at", Float, nullable=False),
    Column("refresh_hash", String, nullable=False),
    Column("revoked_at", Float),
    Index("ix_auth_sessions_username", "username"),
    Index("ix_auth_sessions_expires_at", "expires_at"),
)

audit_log = Table(
    "audit_log",
    metadata,
    Column("seq", SeqType, primary_key=True, autoincrement=True),
    Column("at", Float, nullable=False),
    Column("actor", String),
    Column("action", String, nullable=False),
    Column("target", String),
    Column("detail", JSON, nullable=False),
    Column("client", String),
    Index("ix_audit_log_at", "at"),
    Index("ix_audit_log_actor_at", "actor", "at"),
    Index("ix_audit_log_action_at", "action", "at"),
    Index("ix_audit_log_target_at", "target", "at"),
    sqlite_autoincrement=True,
)

meta = Table(
    "meta",
    metadata,
    Column("key", String, primary_key=True),
    Column("value", Text, nullable=False),
)
