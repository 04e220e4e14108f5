"""Web-chat request and response models (docs/webchat.md, the wire protocol)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

NAME = Field(min_length=1, max_length=100)
PHONE_PATTERN = r"^\+?[0-9 ()./-]{3,32}$"
EMAIL_PATTERN = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"


class Colours(BaseModel):
    primary: str
    text: str


class Topic(BaseModel):
    id: str
    label: str


class WebchatConfig(BaseModel):
    instance: str
    centre_name: str
    colours: Colours
    language: str
    languages: list[str]
    topics: list[Topic]
    open: bool
    closed_reason: str | None
    max_attachment_bytes: int
    attachment_types: list[str]
    bot: bool


class NewSession(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = NAME
    email: str | None = Field(default=None, max_length=254, pattern=EMAIL_PATTERN)
    phone: str | None = Field(default=None, pattern=PHONE_PATTERN)
    topic: str | None = Field(default=None, min_length=1, max_length=64)
    language: str | None = Field(default=None, min_length=2, max_length=16)
    help_session: str | None = Field(default=None, max_length=40, description=(
        "the browser's help-centre session (its blendcc_help cookie): ties this contact to that self-service visit"))


class SessionCreated(BaseModel):
    session_id: str
    token: str
    expires_at: float


class OfflineMessage(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = NAME
    email: str = Field(max_length=254, pattern=EMAIL_PATTERN)
    topic: str | None = Field(default=None, min_length=1, max_length=64)
    message: str = Field(min_length=1, max_length=10_000)
    help_session: str | None = Field(default=None, max_length=40, description="as in a new chat session")


class OfflineAccepted(BaseModel):
    reference: str


class AttachmentOut(BaseModel):
    id: str
    name: str
    media_type: str
    size: int
    uri: str


class TranscriptRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: str | None = Field(default=None, max_length=254, pattern=EMAIL_PATTERN)


class TranscriptAccepted(BaseModel):
    to: str


class Typing(BaseModel):
    model_config = ConfigDict(extra="forbid")

    on: bool


class TypingSent(BaseModel):
    contact_id: str
    on: bool


class ReadMark(BaseModel):
    model_config = ConfigDict(extra="forbid")

    message_id: str = Field(min_length=1, max_length=200)


class ReadMarked(BaseModel):
    contact_id: str
    read: list[str]
