"""SIP registrations schema: one row per agent phone binding (Contact URI, source address, expiry)."""

from __future__ import annotations

from sqlalchemy import Column, Float, Integer, String, Table

from blendcc.adapters.storage.tables import metadata

sip_registrations = Table(
    "sip_registrations",
    metadata,
    Column("username", String(), primary_key=True),
    Column("contact", String(), nullable=False),
    Column("host", String(), nullable=False),
    Column("port", Integer(), nullable=False),
    Column("expires_at", Float(), nullable=False),
)
