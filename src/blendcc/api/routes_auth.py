"""Sessions (refresh, logout), user deactivation and deletion, the TOTP second factor, and the audit log."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query
from fastapi.responses import RedirectResponse

from blendcc.api.deps import C, P
from blendcc.api.models import auth as out
from blendcc.api.models.common import Deleted
from blendcc.api.schemas import RefreshBody, TotpCode, UserChanges
from blendcc.domain.errors import Forbidden, NotFound

router = APIRouter(prefix="/api", tags=["auth"])


@router.post("/auth/refresh", response_model=out.SessionTokens,
             summary="A new access token for a refresh token; the refresh token rotates "
             "(a used one presented again ends the session)")
def refresh(body: RefreshBody, c: C) -> dict[str, Any]:
    t = c.auth.refresh(body.refresh_token)
    return {"access_token": t.access_token, "token_type": "bearer", "role": t.principal.role,
            "agent_id": t.principal.agent_id, "expires_in": t.expires_in, "refresh_token": t.refresh_token}


@router.post("/auth/logout", response_model=out.LoggedOut,
             summary="End the session of the presented token (access and refresh tokens)")
def logout(c: C, p: P) -> dict[str, Any]:
    c.auth.logout(p)
    return {"logged_out": True}


@router.get("/auth/oidc/login", summary="Single sign-on: redirect to the identity provider", status_code=302,
            response_class=RedirectResponse, responses=out.redirect("to the identity provider's sign-in page"))
def oidc_login(c: C) -> RedirectResponse:
    if c.oidc is None:
        raise NotFound("single sign-on is not configured (BLENDCC_OIDC_ISSUER)")
    return RedirectResponse(c.oidc.start(), status_code=302)


@router.get("/auth/oidc/callback", summary="Single sign-on: the identity provider sends the browser back here; "
            "answers a redirect to the wallboard carrying the tokens in the URL fragment", status_code=302,
            response_class=RedirectResponse,
            responses=out.redirect("to the wallboard, the tokens in the URL fragment (#token=...&refresh=...)"))
def oidc_callback(c: C, code: str = Query(min_length=1, max_length=2048),
                  state: str = Query(min_length=1, max_length=256)) -> RedirectResponse:
    if c.oidc is None:
        raise NotFound("single sign-on is not configured (BLENDCC_OIDC_ISSUER)")
    t = c.oidc.finish(code, state)
    return RedirectResponse(f"/#{urlencode({'token': t.access_token, 'refresh': t.refresh_token})}",
                            status_code=302)


@router.get("/users/{username}", response_model=out.UserAccount, summary="One user (admin)")
def get_user(username: str, c: C, p: P) -> dict[str, Any]:
    p.require("admin")
    u = c.auth.users.get(username)
    if u is None:
        raise NotFound(f"user {username!r} not found")
    return out.account(u)


@router.patch("/users/{username}", response_model=out.UserAccount,
              summary="Change a user's password, role, agent or active flag (admin)")
def patch_user(username: str, body: UserChanges, c: C, p: P) -> dict[str, Any]:
    p.require("admin")
    changes: dict[str, Any] = {k: v for k, v in body.model_dump(exclude_unset=True).items()}
    agent_id = changes.get("agent_id")
    if agent_id is not None and agent_id not in c.config.catalog.agents:
        raise NotFound(f"agent {agent_id} is not configured")
    u = c.auth.update_user(username, actor=p.username, **changes)
    return out.account(u)


@router.delete("/users/{username}", response_model=Deleted,
               summary="Delete a user (admin; never the last admin); its tokens end now")
def delete_user(username: str, c: C, p: P) -> dict[str, Any]:
    p.require("admin")
    c.auth.delete_user(username, actor=p.username)
    return {"deleted": username}


@router.post("/auth/totp", response_model=out.TotpEnrolment,
             summary="Enrol a TOTP second factor (supervisors, admins): a secret to confirm")
def totp_enrol(c: C, p: P) -> dict[str, Any]:
    secret, uri = c.auth.totp_enrol(p)
    return {"secret": secret, "otpauth_uri": uri, "confirmed": False}


@router.post("/auth/totp/confirm", response_model=out.TotpState,
             summary="Turn the enrolled second factor on with a current code")
def totp_confirm(body: TotpCode, c: C, p: P) -> dict[str, Any]:
    c.auth.totp_confirm(p, body.code)
    return {"confirmed": True}


@router.post("/auth/totp/disable", response_model=out.TotpState,
             summary="Turn my second factor off (needs a current code)")
def totp_disable(body: TotpCode, c: C, p: P) -> dict[str, Any]:
    c.auth.totp_disable(p.username, actor=p, code=body.code)
    return {"confirmed": False}


@router.delete("/users/{username}/totp", response_model=out.TotpState,
               summary="Turn a user's second factor off (admin: a lost phone)")
def totp_reset(username: str, c: C, p: P) -> dict[str, Any]:
    p.require("admin")
    c.auth.totp_disable(username, actor=p)
    return {"confirmed": False}


@router.get("/audit", response_model=list[out.AuditEntry],
            summary="Audit events, newest first (admin): who changed, forced, listened to or exported "
            "what")
def audit_events(c: C, p: P, actor: str | None = Query(None, max_length=200),
                 action: str | None = Query(None, max_length=64), target: str | None = Query(None, max_length=300),
                 since: float | None = Query(None, allow_inf_nan=False),
                 until: float | None = Query(None, allow_inf_nan=False),
                 limit: int = Query(100, ge=1, le=1000), offset: int = Query(0, ge=0, le=10_000_000),
                 ) -> list[dict[str, Any]]:
    if not p.at_least("admin"):
        raise Forbidden("the audit log is for admins")
    if c.audit is None:
        return []
    events = c.audit.query(actor=actor, action=action, target=target, since=since, until=until,
                           limit=limit, offset=offset)
    return [{"at": e.at, "actor": e.actor, "action": e.action, "target": e.target, "detail": dict(e.detail),
             "client": e.client} for e in events]
