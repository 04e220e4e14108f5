"""Request bodies of the API that are not configuration documents."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class TokenRequest(BaseModel):
    username: str = Field(min_length=1, max_length=100)
    password: str = Field(min_length=1, max_length=200)


class UserBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    password: str = Field(min_length=4, max_length=200)
    role: Literal["agent", "supervisor", "admin"]
    agent_id: str | None = None


class StatusBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    status: Literal["available", "aux"]
    reason: str | None = Field(default=None, max_length=64)


class LoginBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    status: Literal["available", "aux"] = "available"
    reason: str | None = Field(default=None, max_length=64)


class WrapUpBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    disposition: str | None = Field(default=None, max_length=64)
    notes: str | None = Field(default=None, max_length=10000)
    callback_at: float | None = Field(default=None, ge=0, le=4_102_444_800,  # before 2100
                                      description="outbound dialer contacts, callback "
                                      "disposition: when to call back (UTC epoch seconds)")
    callback_personal: bool = Field(default=False, description="the callback is for this agent only")


class TransferBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    queue_id: str | None = None
    agent_id: str | None = None


class ForceStateBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    status: Literal["available", "aux", "offline"]
    reason: str | None = Field(default=None, max_length=64)


class MoveBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    queue_id: str
