"""Request dependencies: the container and the authenticated principal."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from blendcc.app.admin.auth import Principal
from blendcc.app.container import Container
from blendcc.domain.errors import Forbidden, Unauthenticated


def container(request: Request) -> Container:
    c: Container = request.app.state.container
    return c


#: Declares the bearer scheme in OpenAPI (the Authorize button of /docs); the checks and messages stay ours.
bearer_scheme = HTTPBearer(auto_error=False, description="POST /api/auth/token, then send the access_token")


def principal(request: Request,
              _credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_scheme)] = None,
              ) -> Principal:
    """The principal :class:`blendcc.api.guard.RequestGuard` verified before the body was read (verified
    here only when the guard did not run, e.g. an app without it)."""
    verified = request.scope.get("state", {}).get("principal")
    if isinstance(verified, Principal):
        return verified
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise Unauthenticated("missing bearer token: POST /api/auth/token, then send 'Authorization: Bearer <token>'")
    c: Container = request.app.state.container
    return c.auth.verify(token.strip())


def agent_principal(p: Annotated[Principal, Depends(principal)]) -> Principal:
    if p.agent_id is None:
        raise Forbidden("this action is for agent users (your user has no agent_id)")
    return p


def audit(c: Container, actor: Principal | str | None, action: str, target: str | None = None,
          **detail: Any) -> None:
    """Write one audit event (app.audit.ACTIONS); routes call this in one line after the action."""
    if c.audit is not None:
        c.audit.record(actor, action, target, **detail)


def may_see_contact(c: Container, p: Principal, contact_id: str) -> None:
    """Supervisors see every contact; an agent the contacts it holds or handled last (403 otherwise)."""
    if p.at_least("supervisor"):
        return
    if p.agent_id is not None and c.agents.owns(p.agent_id, contact_id):
        return
    row = c.store.interaction(contact_id)
    if row is not None and p.agent_id is not None and row.get("agent_id") == p.agent_id:
        return
    raise Forbidden(f"contact {contact_id} is not one of yours")


C = Annotated[Container, Depends(container)]
P = Annotated[Principal, Depends(principal)]
AgentP = Annotated[Principal, Depends(agent_principal)]
