"""Response model of routes_channels: the centre's channels as configured (no secrets)."""

from __future__ import annotations

from pydantic import BaseModel, Field


class ChannelInstance(BaseModel):
    kind: str = Field(description="email, sms, whatsapp, messenger, telegram or webchat")
    name: str = Field(description="the instance name (routing attribute channel_instance)")
    address: str | None = Field(description="mailbox address, phone number or page id; null when it is a secret")
    workflow: str | None
    detail: dict[str, str | int | bool | list[str] | None] = Field(description="what else is set (no secrets)")


class ChannelsOut(BaseModel):
    source: str = Field(description="where the channels are configured: the server's settings (environment)")
    settings: dict[str, str] = Field(description="kind -> the environment variable that configures it")
    channels: list[ChannelInstance]
