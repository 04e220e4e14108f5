"""Files in an agent's conversations: upload one to send (web chat, email), download any file of the thread."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Path, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from blendcc.api.deps import AgentP, C, P, may_see_contact
from blendcc.api.models.webchat import AttachmentOut
from blendcc.api.uploads import multipart_file
from blendcc.app.channels.agent_files import agent_attach, agent_file
from blendcc.domain.errors import Forbidden, NotFound

router = APIRouter(prefix="/api", tags=["messages"])

Id = Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.\-]+$")
FILE_ID = Path(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9_.\-]+$")
BINARY = {200: {"content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}}}
UPLOAD_BODY = {"requestBody": {"content": {"multipart/form-data": {"schema": {
    "type": "object", "properties": {"file": {"type": "string", "format": "binary"}}}}}}}


@router.post("/contacts/{contact_id}/attachments", response_model=AttachmentOut, status_code=201,
             summary="Upload a file to send in one of my web chats or emails (then list it in the reply's attachments)",
             openapi_extra=UPLOAD_BODY)
async def upload(request: Request, c: C, p: AgentP, contact_id: str = Id) -> dict[str, Any]:
    if not await run_in_threadpool(c.agents.owns, p.agent_id or "", contact_id):
        raise Forbidden(f"contact {contact_id} is not one of yours")
    file = await multipart_file(request)
    row = await run_in_threadpool(c.store.interaction, contact_id)
    if row is None:
        raise NotFound(f"contact {contact_id} does not exist")
    channels = getattr(c.conversations, "channels", None)
    return await run_in_threadpool(agent_attach, contact_id, row, c.webchat, channels, file.name,
                                   file.media_type, file.data)


@router.get("/contacts/{contact_id}/attachments/{attachment_id}", response_class=Response,
            responses=BINARY,  # type: ignore[arg-type]
            summary="A file of the contact's thread (an agent: its own contacts)")
def download(c: C, p: P, contact_id: str = Id, attachment_id: str = FILE_ID) -> Response:
    may_see_contact(c, p, contact_id)
    stores = [getattr(c.webchat, "attachments", None), getattr(c.email, "attachments", None)]
    info, data = agent_file(c.store, stores, contact_id, attachment_id)
    name = str(info.get("name") or "file").replace('"', "")
    return Response(data, media_type=str(info.get("media_type") or "application/octet-stream"),
                    headers={"Content-Disposition": f'attachment; filename="{name}"',
                             "X-Content-Type-Options": "nosniff", "Cache-Control": "private, max-age=3600"})
