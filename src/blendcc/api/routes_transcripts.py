"""Call transcripts: a contact's utterances (customer and agent told apart), and transcribing its recordings now."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path
from pydantic import BaseModel, Field

from blendcc.api.deps import C, P, may_see_contact
from blendcc.app.channels.voice.transcription import transcript
from blendcc.domain.errors import InvalidState, NotFound

router = APIRouter(prefix="/api/contacts", tags=["transcripts"])
ContactId = Annotated[str, Path(max_length=64, pattern=r"^[A-Za-z0-9_.\-]+$")]


class Utterance(BaseModel):
    recording_id: str
    speaker: str
    start_s: float
    end_s: float
    text: str
    engine: str
    spoken_at: float = Field(description="when it was said (epoch seconds): the recording's start plus start_s")


class TranscribeOut(BaseModel):
    contact_id: str
    recordings: int
    utterances: int


@router.get("/{contact_id}/transcript", summary="The contact's call transcript, in the order it was spoken")
def get_transcript(contact_id: ContactId, c: C, p: P) -> list[Utterance]:
    if c.store.interaction(contact_id) is None:
        raise NotFound(f"contact {contact_id} does not exist")
    may_see_contact(c, p, contact_id)
    return [Utterance(**u) for u in transcript(c.store, contact_id)]


@router.post("/{contact_id}/transcribe", summary="Transcribe the contact's call recordings now (supervisors)")
def transcribe(contact_id: ContactId, c: C, p: P) -> TranscribeOut:
    p.require("supervisor")
    if c.transcriber is None:
        raise InvalidState("transcription is off on this server (BLENDCC_TRANSCRIPTION)")
    if c.store.interaction(contact_id) is None:
        raise NotFound(f"contact {contact_id} does not exist")
    stored: list[Any] = [s.event for s in c.store.contact_events(contact_id)
                         if s.event.type == "RecordingStored" and getattr(s.event, "kind", "call") == "call"]
    n = 0
    for e in stored:
        n += len(c.transcriber.transcribe(contact_id, e.recording_id, e.uri))
    return TranscribeOut(contact_id=contact_id, recordings=len(stored), utterances=n)
