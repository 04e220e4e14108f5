"""Response models of routes_auth (and the user answers of routes_main): sessions, user accounts, TOTP, audit."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from blendcc.api.models.main import TokenOut


class SessionTokens(TokenOut):
    """A login or a refresh: the access token plus the refresh token that renews it (it rotates on use)."""

    refresh_token: str = Field(description="present once to POST /api/auth/refresh for a new access token")


class UserAccount(BaseModel):
    """A user as an admin sees it: its role, agent, whether it may sign in, and whether it has a second factor."""

    username: str
    role: str = Field(description="agent, supervisor or admin")
    agent_id: str | None
    active: bool = Field(description="false: the user cannot sign in and its tokens are refused")
    totp: bool = Field(description="true when a confirmed TOTP second factor is on")
    email: str | None = Field(default=None, description="crisis notifications by role or team")
    phone: str | None = Field(default=None, description="E.164, crisis notifications by SMS")
    expires_at: float | None = Field(default=None, description="a temporary user: no sign-in from this time")


def account(u: Any) -> dict[str, Any]:
    """A user (ports.User) as its UserAccount answer."""
    return {"username": u.username, "role": u.role, "agent_id": u.agent_id, "active": u.active,
            "totp": u.totp_confirmed, "email": u.email, "phone": u.phone, "expires_at": u.expires_at}


class LoggedOut(BaseModel):
    logged_out: bool = Field(description="always true: the session's access and refresh tokens are refused now")


class TotpEnrolment(BaseModel):
    """A new, unconfirmed second factor: show ``otpauth_uri`` as a QR code, then confirm with a code."""

    secret: str = Field(description="the base32 shared secret")
    otpauth_uri: str = Field(description="otpauth://totp/... for authenticator apps")
    confirmed: bool = Field(description="false until POST /api/auth/totp/confirm")


class TotpState(BaseModel):
    confirmed: bool = Field(description="whether the second factor is now on")


class AuditEntry(BaseModel):
    """One audit event: ``actor`` did ``action`` (past tense) to ``target``."""

    at: float = Field(description="UNIX time of the event")
    actor: str | None = Field(description="the user who did it (none for the system or an anonymous caller)")
    action: str = Field(description="e.g. user_created, login_failed, role_changed, recording_played")
    target: str | None
    detail: dict[str, Any] = Field(description="what changed (open: depends on the action; never a secret)")
    client: str | None = Field(description="the caller's address, when known")


def redirect(description: str) -> dict[int | str, dict[str, Any]]:
    """``responses=`` of a route that answers a 302 redirect: a ``Location`` header and no body."""
    return {302: {"description": description,
                  "headers": {"Location": {"description": "where the browser goes next",
                                           "schema": {"type": "string"}}}}}
