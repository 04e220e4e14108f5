"""Auth, users, contacts, agent actions, supervisor actions, live stats and reports."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query, Request

from blendcc.api.deps import AgentP, C, P, audit, may_see_contact
from blendcc.api.models import auth as accounts
from blendcc.api.models import main as out
from blendcc.api.models.desktop import WrapUpDone
from blendcc.api.schemas import (
    ForceStateBody,
    LoginBody,
    MoveBody,
    StatusBody,
    TokenRequest,
    TransferBody,
    UserBody,
    WrapUpBody,
)
from blendcc.app.acd.contacts import NewContact
from blendcc.app.acd.customers import CustomerChanges, Identity, NewCustomer
from blendcc.app.supervision.actions import actions_of
from blendcc.domain.customer import IdentityKind
from blendcc.domain.errors import Forbidden, NotFound, ValidationFailed

router = APIRouter(prefix="/api")


# ---------------------------------------------------------------------- auth and users

@router.post("/auth/token", response_model=accounts.SessionTokens, tags=["auth"],
             summary="Exchange username and password (and the one-time code of "
             "a user with a second factor) for an access token and a refresh token; throttled (429)")
def token(body: TokenRequest, c: C, request: Request) -> dict[str, Any]:
    t = c.auth.login(body.username, body.password, client=request.client.host if request.client else None,
                     totp_code=body.totp)
    return {"access_token": t.access_token, "token_type": "bearer", "role": t.principal.role,
            "agent_id": t.principal.agent_id, "expires_in": t.expires_in, "refresh_token": t.refresh_token}


@router.get("/auth/me", response_model=out.UserOut, tags=["auth"])
def me(p: P) -> dict[str, Any]:
    return {"username": p.username, "role": p.role, "agent_id": p.agent_id}


@router.put("/users/{username}", response_model=accounts.UserAccount, tags=["auth"],
            summary="Create or replace a user (admin)")
def put_user(username: str, body: UserBody, c: C, p: P) -> dict[str, Any]:
    p.require("admin")
    if body.agent_id is not None and body.agent_id not in c.config.catalog.agents:
        raise NotFound(f"agent {body.agent_id} is not configured")
    user = c.auth.set_user(username, body.password, body.role, body.agent_id, actor=p.username,
                           email=body.email, phone=body.phone)
    return accounts.account(user)


@router.get("/users", response_model=list[accounts.UserAccount], tags=["auth"])
def list_users(c: C, p: P) -> list[dict[str, Any]]:
    p.require("admin")
    return [accounts.account(u) for u in c.auth.users.list()]


# ---------------------------------------------------------------------- contacts (generic API channel)

@router.post("/contacts", response_model=out.ContactOutcome, response_model_exclude_unset=True, status_code=201,
             tags=["contacts"],
             summary="A new inbound contact from the generic API channel; persisted before the answer")
def create_contact(body: NewContact, c: C, p: P) -> dict[str, Any]:
    p.require("supervisor")
    return c.contacts.create(body)


@router.post("/contacts/{contact_id}/hangup", response_model=out.ContactEvents, tags=["contacts"],
             summary="The customer left: abandoned if waiting, else the conversation ends")
def hangup(contact_id: str, c: C, p: P) -> dict[str, Any]:
    if not p.at_least("supervisor"):
        raise Forbidden("only the channel (supervisor/admin credentials) reports a customer leaving")
    return c.contacts.customer_left(contact_id)


@router.get("/contacts/{contact_id}", response_model=out.Interaction, tags=["contacts"])
def get_contact(contact_id: str, c: C, p: P) -> dict[str, Any]:
    may_see_contact(c, p, contact_id)
    return c.contacts.get(contact_id)


@router.get("/contacts/{contact_id}/events", response_model=list[out.TimelineEvent],
            tags=["contacts"], summary="The contact's event timeline")
def contact_events(contact_id: str, c: C, p: P) -> list[dict[str, Any]]:
    may_see_contact(c, p, contact_id)
    return c.contacts.timeline(contact_id)


@router.get("/contacts", response_model=list[out.Interaction], tags=["contacts"])
def list_contacts(c: C, p: P, queue_id: str | None = None, agent_id: str | None = None,
                  state: str | None = None, start: float | None = Query(None, allow_inf_nan=False),
                  end: float | None = Query(None, allow_inf_nan=False),
                  limit: int = Query(100, ge=1, le=1000),
                  offset: int = Query(0, ge=0, le=10_000_000)) -> list[dict[str, Any]]:
    if not p.at_least("supervisor"):
        agent_id = p.agent_id  # an agent sees only its own contacts
    return c.store.interactions(start=start, end=end, queue_id=queue_id, agent_id=agent_id, state=state,
                                limit=limit, offset=offset)


@router.post("/customers", response_model=out.Customer,
             status_code=201, tags=["customers"], summary="Create a customer with identities")
def create_customer(body: NewCustomer, c: C, p: P) -> dict[str, Any]:
    p.require("supervisor")
    return c.customers.create(body)


@router.get("/customers", response_model=out.Customer,
            tags=["customers"], summary="Find a customer by identity (phone, email, chat, social)")
def find_customer(c: C, p: P, kind: IdentityKind, value: str = Query(min_length=1, max_length=256)) -> dict[str, Any]:
    p.require("supervisor")
    return c.customers.find(kind, value)


@router.patch("/customers/{customer_id}", response_model=out.Customer,
              tags=["customers"], summary="Change tier, name or fields")
def update_customer(customer_id: str, body: CustomerChanges, c: C, p: P) -> dict[str, Any]:
    p.require("supervisor")
    return c.customers.update(customer_id, body)


@router.post("/customers/{customer_id}/identities", response_model=out.Customer,
             tags=["customers"], summary="Link another identity")
def add_identity(customer_id: str, body: Identity, c: C, p: P) -> dict[str, Any]:
    p.require("supervisor")
    return c.customers.add_identity(customer_id, body)


@router.get("/customers/{customer_id}", response_model=out.CustomerHistory,
            tags=["customers"], summary="Customer and their whole contact history")
def get_customer(customer_id: str, c: C, p: P) -> dict[str, Any]:
    if not p.at_least("supervisor") and customer_id not in c.views.customers_held(p.agent_id):
        raise Forbidden("agents see customers of the contacts they are handling")
    return c.customers.get(customer_id)


# ---------------------------------------------------------------------- agent desktop

@router.get("/agent", response_model=out.AgentView, tags=["agent"], summary="My state and the contacts I hold")
def agent_me(c: C, p: AgentP) -> dict[str, Any]:
    return c.agents.view(p.agent_id or "")


@router.post("/agent/login", response_model=out.AgentView, tags=["agent"])
def agent_login(c: C, p: AgentP, body: LoginBody | None = None) -> dict[str, Any]:
    b = body or LoginBody()
    return c.agents.login(p.agent_id or "", b.status, b.reason)


@router.post("/agent/logout", response_model=out.AgentView, tags=["agent"])
def agent_logout(c: C, p: AgentP) -> dict[str, Any]:
    return c.agents.logout(p.agent_id or "")


@router.post("/agent/status", response_model=out.AgentView,
             tags=["agent"], summary="Become available, or go to aux with a reason code")
def agent_status(body: StatusBody, c: C, p: AgentP) -> dict[str, Any]:
    return c.agents.set_status(p.agent_id or "", body.status, body.reason)


def _action(name: str) -> None:
    def handler(contact_id: str, c: C, p: AgentP) -> dict[str, Any]:
        events = getattr(c.agents, name)(p.agent_id or "", contact_id)
        return {"contact_id": contact_id, "events": events}

    router.add_api_route(f"/agent/contacts/{{contact_id}}/{name}", handler, methods=["POST"], tags=["agent"],
                         response_model=out.ContactEvents,
                         name=f"agent_{name}", summary=f"{name.capitalize()} one of my contacts")


for _name in ("accept", "decline", "hold", "resume", "end"):
    _action(_name)


@router.post("/agent/contacts/{contact_id}/wrapup", response_model=WrapUpDone, response_model_exclude_none=True,
             tags=["agent"], summary="Finish after-contact work with a disposition and notes (ends the conversation "
             "if needed); callback_at schedules a callback (a dialer call's record, or any contact's customer phone)")
def agent_wrapup(contact_id: str, c: C, p: AgentP, body: WrapUpBody | None = None) -> dict[str, Any]:
    b = body or WrapUpBody()
    if c.desk is not None:  # the disposition list, notes, and callbacks of inbound contacts too
        result: dict[str, Any] = c.desk.wrapups.complete(p.agent_id or "", contact_id, b.disposition, b.notes,
                                                         b.callback_at, b.callback_personal, by=p.username)
        return result
    if c.dialing is not None:  # an outbound dialer call: check the disposition, keep its callback time
        c.dialing.stage_wrap_up(contact_id, p.agent_id or "", b.disposition, b.callback_at, b.callback_personal)
    elif b.callback_at is not None or b.callback_personal:
        raise ValidationFailed("callback_at applies only to outbound dialer contacts")
    events = c.agents.wrap_up(p.agent_id or "", contact_id, b.disposition, b.notes)
    return {"contact_id": contact_id, "events": events}


@router.post("/agent/contacts/{contact_id}/transfer", response_model=out.ContactEvents,
             tags=["agent"], summary="Transfer to a queue or an agent")
def agent_transfer(contact_id: str, body: TransferBody, c: C, p: AgentP) -> dict[str, Any]:
    events = c.agents.transfer(p.agent_id or "", contact_id, body.queue_id, body.agent_id)
    return {"contact_id": contact_id, "events": events}


# ---------------------------------------------------------------------- supervisor

@router.post("/supervisor/agents/{agent_id}/state", response_model=out.AgentView, tags=["supervisor"],
             summary="Force an agent's state: available, aux (with reason) or offline (logout)")
def force_state(agent_id: str, body: ForceStateBody, c: C, p: P) -> dict[str, Any]:
    p.require("supervisor")
    if body.status == "offline":
        result = c.agents.logout(agent_id, force=True)
    else:
        result = c.agents.set_status(agent_id, body.status, body.reason, by=p.username)
    audit(c, p, "agent_state_forced", agent_id, status=body.status, reason=body.reason)
    return result


@router.post("/supervisor/contacts/{contact_id}/move", response_model=out.ContactOutcome,
             response_model_exclude_unset=True, tags=["supervisor"],
             summary="Move a waiting contact to another queue, or transfer one in conversation (on behalf of its "
             "agent) to a queue or another agent; audited")
def move_contact(contact_id: str, body: MoveBody, c: C, p: P) -> dict[str, Any]:
    p.require("supervisor")
    result = actions_of(c).move(contact_id, body.queue_id, body.agent_id)
    audit(c, p, "contact_moved", contact_id, queue_id=body.queue_id, agent_id=body.agent_id)
    return result


@router.get("/supervisor/agents/{agent_id}", response_model=out.AgentView, tags=["supervisor"])
def agent_detail(agent_id: str, c: C, p: P) -> dict[str, Any]:
    p.require("supervisor")
    return c.agents.view(agent_id)


# ---------------------------------------------------------------------- statistics
# (time bounds must be finite: NaN/inf would pass the range checks and come back as null)

@router.get("/stats/live", response_model=out.LiveStats,
            tags=["stats"], summary="Wallboard: queues and agents now, today's KPIs")
def live(c: C, p: P) -> dict[str, Any]:
    p.require("supervisor")
    return c.views.wallboard()


@router.get("/reports/queues", response_model=out.QueueReport,
            tags=["stats"], summary="Queue KPIs per interval (15, 30, 60, day, week)")
def queue_report(c: C, p: P, start: float = Query(allow_inf_nan=False), end: float = Query(allow_inf_nan=False),
                 interval: str = "60", queue_id: str | None = None,
                 channel: str | None = None, by_channel: bool = False) -> dict[str, Any]:
    p.require("supervisor")
    audit(c, p, "data_exported", "reports/queues", start=start, end=end, queue_id=queue_id)
    return c.reports.queues(start, end, interval, queue_id, channel, by_channel)


@router.get("/reports/agents", response_model=out.AgentReport,
            tags=["stats"], summary="Agent time split and KPIs over a window")
def agent_report(c: C, p: P, start: float = Query(allow_inf_nan=False), end: float = Query(allow_inf_nan=False),
                 agent_id: str | None = None) -> dict[str, Any]:
    if not p.at_least("supervisor"):
        agent_id = p.agent_id
    audit(c, p, "data_exported", "reports/agents", start=start, end=end, agent_id=agent_id)
    return c.reports.agents(start, end, agent_id)
