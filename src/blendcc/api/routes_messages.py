"""A contact's message thread: read it, reply to the customer or add an internal note."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from blendcc.api.deps import AgentP, C, P, may_see_contact
from blendcc.app.channels.messaging.conversations import ConversationService
from blendcc.domain.conversation import (
    Attachment,
    Author,
    AuthorKind,
    Message,
    MessageDirection,
    MessageTemplate,
    SendMessage,
)
from blendcc.domain.errors import Forbidden, InvalidState, NotFound

router = APIRouter(prefix="/api", tags=["messages"])


class AttachmentModel(BaseModel):
    """A file referenced by a message (its bytes are stored elsewhere, at ``uri``)."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(min_length=1, max_length=128)
    name: str = Field(min_length=1, max_length=255)
    media_type: str = Field(pattern=r"^[\w.+-]+/[\w.+-]+$", max_length=255)
    size: int = Field(ge=0, le=2**40)
    uri: str = Field(min_length=1, max_length=2048)


class TemplateModel(BaseModel):
    """An approved provider template (WhatsApp): sendable outside the 24-hour reply window."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=512, pattern=r"^[a-z0-9_]+$")
    language: str = Field(min_length=2, max_length=15, pattern=r"^[A-Za-z]{2,3}(_[A-Za-z0-9]{2,8})?$")
    parameters: list[str] = Field(default_factory=list, max_length=20)


class NewMessage(BaseModel):
    """An agent's reply to the customer (``outbound``, delivered by the contact's channel) or an internal
    note (``note``: agents only, never delivered)."""

    model_config = ConfigDict(extra="forbid")

    body: str = Field(default="", max_length=100_000)
    html: str | None = Field(default=None, max_length=500_000)
    kind: Literal["outbound", "note"] = "outbound"
    attachments: list[AttachmentModel] = Field(default_factory=list, max_length=20)
    template: TemplateModel | None = None
    mode: Literal["reply", "reply_all", "forward"] = Field(
        default="reply", description="email: reply (the customer), reply_all (and the other recipients of the "
        "customer's latest mail), forward (forward_of's text and attachments to 'to')")
    to: str | None = Field(default=None, max_length=254, description="email forward: the recipient")
    cc: list[str] = Field(default_factory=list, max_length=20, description="email: more copies")
    forward_of: str | None = Field(default=None, max_length=200,
                                   description="email forward: the message (default: the latest inbound)")


class AuthorModel(BaseModel):
    kind: Literal["customer", "agent", "bot", "system"]
    id: str | None


class ChannelModel(BaseModel):
    kind: str
    instance: str


class MessageModel(BaseModel):
    """One message of a thread; ``status`` (queued, sent, delivered, read, failed) only for outbound ones."""

    id: str
    contact_id: str
    direction: Literal["inbound", "outbound", "note"]
    author: AuthorModel
    body: str
    html: str | None
    at: float
    channel: ChannelModel | None
    attachments: list[AttachmentModel]
    provider_message_id: str | None
    address: str | None
    status: Literal["queued", "sent", "delivered", "read", "failed"] | None
    status_reason: str | None
    status_at: float | None
    attempts: int
    segments: int | None = None  # SMS: parts of the (concatenated) message
    cc: list[str] = Field(default_factory=list, description="email: other recipients (inbound) or copies sent")


class ThreadModel(BaseModel):
    contact_id: str
    messages: list[MessageModel]


def _service(c: C) -> ConversationService:
    if c.conversations is None:
        raise InvalidState("conversations are not wired in this server")
    return c.conversations


def _model(m: Message) -> MessageModel:
    return MessageModel.model_validate(m.to_dict())


@router.get("/contacts/{contact_id}/messages", summary="The contact's message thread, oldest first")
def thread(contact_id: str, c: C, p: P) -> ThreadModel:
    found = _service(c).thread(contact_id)  # 404 before 403: an unknown contact is not someone else's
    may_see_contact(c, p, contact_id)
    return ThreadModel(contact_id=contact_id, messages=[_model(m) for m in found.messages])


@router.post("/contacts/{contact_id}/messages", status_code=201,
             summary="Reply to the customer (delivered by the contact's channel) or add an internal note")
def write(contact_id: str, body: NewMessage, c: C, p: AgentP) -> MessageModel:
    service = _service(c)
    row = c.store.interaction(contact_id)
    if row is None:
        raise NotFound(f"contact {contact_id} does not exist")
    if row.get("state") == "closed":
        raise InvalidState(f"contact {contact_id} is closed; start a new conversation")
    if not c.agents.owns(p.agent_id or "", contact_id):
        raise Forbidden(f"contact {contact_id} is not one of yours")
    command = SendMessage(contact_id, Author(AuthorKind.AGENT, p.agent_id), body.body,
                          MessageDirection(body.kind), body.html,
                          tuple(Attachment(**a.model_dump()) for a in body.attachments),
                          None if body.template is None else MessageTemplate(
                              body.template.name, body.template.language, tuple(body.template.parameters)),
                          mode=body.mode, to=body.to, cc=tuple(body.cc), forward_of=body.forward_of)
    return MessageModel.model_validate(service.write(command))
