"""SQLAlchemy Core schema of the dialer: dial records, DNC entries, list-import reports, campaign states."""

from __future__ import annotations

from sqlalchemy import JSON, BigInteger, Column, Float, Index, Integer, String, Table

from blendcc.adapters.storage.tables import metadata

dial_records = Table(
    "dial_records",
    metadata,
    Column("campaign_id", String, primary_key=True),
    Column("record_id", String, primary_key=True),
    Column("seq", BigInteger, nullable=False),  # import order within the campaign
    Column("phone", String, nullable=False),
    Column("tz", String, nullable=False),
    Column("fields", JSON, nullable=False),
    Column("state", String, nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("attempts_today", Integer, nullable=False),
    Column("attempts_day", String),
    Column("next_attempt_at", Float),
    Column("last_outcome", String),
    Column("callback_agent_id", String),
    Column("final_reason", String),
    Column("external_id", String),  # the list's own id column (record_id is opaque); migration 0004
    Index("ix_dial_records_campaign_id_state_next_attempt_at", "campaign_id", "state", "next_attempt_at"),
    Index("ix_dial_records_campaign_id_seq", "campaign_id", "seq"),
)

dnc_entries = Table(
    "dnc_entries",
    metadata,
    Column("scope", String, primary_key=True),  # '*' (global) or a campaign id
    Column("phone", String, primary_key=True),
    Column("reason", String, nullable=False),
    Column("added_at", Float, nullable=False),
)

list_imports = Table(
    "list_imports",
    metadata,
    Column("import_id", String, primary_key=True),
    Column("campaign_id", String, nullable=False),
    Column("at", Float, nullable=False),
    Column("source", String, nullable=False),
    Column("total", Integer, nullable=False),
    Column("accepted", Integer, nullable=False),
    Column("rejected", Integer, nullable=False),
    Column("duplicates", Integer, nullable=False),
    Column("errors", JSON, nullable=False),
    Index("ix_list_imports_campaign_id_at", "campaign_id", "at"),
)

#: projection of the last CampaignStateChanged per campaign (the event log holds the history)
campaign_states = Table(
    "campaign_states",
    metadata,
    Column("campaign_id", String, primary_key=True),
    Column("state", String, nullable=False),
    Column("reason", String),
    Column("at", Float, nullable=False),
)
