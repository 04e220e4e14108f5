"""Request bodies of the API that are not configuration documents."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from blendcc.app.admin.passwords import PASSWORD_MAX
from blendcc.domain.usernames import USERNAME_MAX


class TokenRequest(BaseModel):
    username: str = Field(min_length=1, max_length=USERNAME_MAX)
    password: str = Field(min_length=1, max_length=PASSWORD_MAX)
    totp: str | None = Field(default=None, max_length=16, description="the current one-time code, for users "
                             "with a second factor")


class UserBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    password: str = Field(min_length=1, max_length=PASSWORD_MAX, description="see the password policy in "
                          "docs/security.md")
    role: Literal["agent", "supervisor", "admin"]
    agent_id: str | None = None
    email: str | None = Field(default=None, max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$",
                              description="where crisis notifications to the user's role or team go")
    phone: str | None = Field(default=None, pattern=r"^\+[1-9][0-9]{6,14}$", description="E.164, for SMS")


class UserChanges(BaseModel):
    """PATCH /api/users/{username}: only the fields given change."""

    model_config = ConfigDict(extra="forbid")
    password: str | None = Field(default=None, min_length=1, max_length=PASSWORD_MAX)
    role: Literal["agent", "supervisor", "admin"] | None = None
    agent_id: str | None = Field(default=None, max_length=64)
    active: bool | None = Field(default=None, description="false: the user cannot log in; its tokens end now")
    email: str | None = Field(default=None, max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
    phone: str | None = Field(default=None, pattern=r"^\+[1-9][0-9]{6,14}$")


class RefreshBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    refresh_token: str = Field(min_length=1, max_length=200)


class TotpCode(BaseModel):
    model_config = ConfigDict(extra="forbid")
    code: str = Field(min_length=1, max_length=16)


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
                                      description="when to call back (UTC epoch seconds): a dialer "
                                      "call's callback disposition, or any contact with a customer phone "
                                      "(a scheduled callback)")
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
    """Exactly one target: a queue, or (for a contact in conversation) another agent."""

    model_config = ConfigDict(extra="forbid")
    queue_id: str | None = None
    agent_id: str | None = None
