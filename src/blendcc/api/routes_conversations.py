"""Digital conversations: set a conversation's state (open, pending, snoozed, resolved), resolve it, list an
agent's conversations, and read a conversation's whole thread across the contacts it reopened."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path
from pydantic import BaseModel, ConfigDict, Field

from blendcc.api.deps import C, P, may_see_contact
from blendcc.api.routes_messages import ThreadModel, _model, _service
from blendcc.app.admin.auth import Principal
from blendcc.domain.errors import Forbidden

router = APIRouter(prefix="/api", tags=["conversations"])

Id = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.\-]+$")]
#: far enough for any snooze, small enough for every float database
_MAX_TIME = 32503680000.0  # 3000-01-01


class StateChange(BaseModel):
    """The state to move the conversation to; ``until`` (epoch seconds, in the future) only with snoozed."""

    model_config = ConfigDict(extra="forbid")

    state: Literal["open", "pending", "snoozed", "resolved"]
    until: float | None = Field(default=None, gt=0, le=_MAX_TIME)
    reason: str | None = Field(default=None, max_length=200)


class Resolution(BaseModel):
    """Resolve the conversation, with an optional disposition and wrap-up notes."""

    model_config = ConfigDict(extra="forbid")

    disposition: str | None = Field(default=None, max_length=64)
    notes: str | None = Field(default=None, max_length=4000)


class ConversationStateModel(BaseModel):
    """The conversation after the change: its state, the one before, its owner and the events it caused."""

    contact_id: str
    state: Literal["open", "pending", "snoozed", "resolved"]
    previous: str | None
    owner: str | None
    until: float | None
    events: list[str]


class ConversationSummary(BaseModel):
    """One of an agent's conversations: open (held by the agent) or pending/snoozed (owned)."""

    contact_id: str
    channel: str
    state: Literal["open", "pending", "snoozed", "resolved"]
    contact_state: str
    owner: str | None
    until: float | None
    customer_id: str | None
    queue_id: str
    created_at: float


class ConversationThreads(BaseModel):
    """A conversation as the agent sees it: the threads of its contacts (the resolved ones it reopened
    first), oldest first."""

    contact_id: str
    contacts: list[ThreadModel]


def _actor(p: Principal) -> str | None:
    """The agent a state change is checked against: None for supervisors (they may change any)."""
    if p.at_least("supervisor"):
        return None
    if p.agent_id is None:
        raise Forbidden("this action is for agent users (your user has no agent_id)")
    return p.agent_id


@router.post("/contacts/{contact_id}/state", summary="Set a digital conversation open, pending, snoozed or resolved")
def set_state(contact_id: Id, body: StateChange, c: C, p: P) -> ConversationStateModel:
    out = c.conversation_states.set_state(contact_id, body.state, agent_id=_actor(p), by=p.agent_id or p.username,
                                          until=body.until, reason=body.reason)
    return ConversationStateModel.model_validate(out)


@router.post("/contacts/{contact_id}/resolve", summary="Resolve a digital conversation (it ends and closes)")
def resolve(contact_id: Id, body: Resolution, c: C, p: P) -> ConversationStateModel:
    out = c.conversation_states.set_state(contact_id, "resolved", agent_id=_actor(p), by=p.agent_id or p.username,
                                          disposition=body.disposition, notes=body.notes)
    return ConversationStateModel.model_validate(out)


@router.get("/agents/{agent_id}/conversations",
            summary="An agent's digital conversations: open, pending and snoozed (the agent or a supervisor)")
def of_agent(agent_id: Id, c: C, p: P) -> list[ConversationSummary]:
    if p.agent_id != agent_id:
        p.require("supervisor")
    return [ConversationSummary.model_validate(r) for r in c.conversation_states.of_agent(agent_id)]


@router.get("/contacts/{contact_id}/conversation",
            summary="The whole conversation: this contact's thread after those of the contacts it reopened")
def conversation(contact_id: Id, c: C, p: P) -> ConversationThreads:
    chain = _service(c).conversation(contact_id)  # 404 before 403
    may_see_contact(c, p, contact_id)
    return ConversationThreads(contact_id=contact_id, contacts=[
        ThreadModel(contact_id=t.contact_id, messages=[_model(m) for m in t.messages]) for t in chain])
