"""Response models of the provider webhooks: what one delivery stored."""

from __future__ import annotations

from pydantic import BaseModel, Field


class WebhookCounts(BaseModel):
    """What one webhook delivery did (it is stored before this answer)."""

    received: int = Field(description="new customer messages stored")
    duplicates: int = Field(description="messages already stored (a re-delivered provider id)")
    receipts: int = Field(description="delivery or read receipts applied")
