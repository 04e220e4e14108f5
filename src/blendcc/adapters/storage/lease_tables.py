"""Leases schema: one row per lease (the routing leader's), its holder, fencing token and expiry."""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, Float, String, Table

from blendcc.adapters.storage.tables import metadata

leases = Table(
    "leases",
    metadata,
    Column("name", String(), primary_key=True),
    Column("holder", String(), nullable=False),
    Column("address", String(), nullable=False),
    #: incremented on every acquisition: the fencing token every append of the holder is checked against
    Column("token", BigInteger(), nullable=False),
    #: database time (seconds since the epoch) after which another node may take the lease
    Column("expires_at", Float(), nullable=False),
)
