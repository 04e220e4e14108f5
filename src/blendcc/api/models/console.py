"""Response models of the console's own routes (routes_pages)."""

from __future__ import annotations

from pydantic import BaseModel, Field


class ConsoleContext(BaseModel):
    """What the console needs before its first view."""

    timezone: str = Field(description="the centre's IANA time zone: every date and 'today' on the console")
    username: str
    role: str = Field(description="supervisor or admin (the views offered follow it)")
    sip_enabled: bool = Field(description="the SIP edge runs (listen-in and the browser phone need it)")
