"""Snapshots of the routing engine's live state (ADR 0052): one row per snapshot, keyed by the event seq it covers."""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, Float, Integer, LargeBinary, Table

from blendcc.adapters.storage.tables import metadata

engine_snapshots = Table(
    "engine_snapshots",
    metadata,
    Column("seq", BigInteger(), primary_key=True, autoincrement=False),
    Column("version", Integer(), nullable=False),
    Column("taken_at", Float(), nullable=False),
    Column("body", LargeBinary(), nullable=False),
)
