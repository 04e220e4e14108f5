"""Reading one uploaded file (multipart field ``file``) from a request, with the project's 4xx messages."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import Request

from blendcc.domain.errors import ValidationFailed


@dataclass(frozen=True)
class UploadedFile:
    name: str
    media_type: str
    data: bytes


async def multipart_file(request: Request, default_name: str = "file") -> UploadedFile:
    """The file of a ``multipart/form-data`` request's ``file`` field (422 with a message otherwise)."""
    if not request.headers.get("content-type", "").startswith("multipart/form-data"):
        raise ValidationFailed("upload the file as multipart/form-data with a field named 'file'")
    form = await request.form()
    item = form.get("file")
    if item is None or isinstance(item, str):
        raise ValidationFailed("multipart upload needs a file field named 'file'")
    return UploadedFile(item.filename or default_name, item.content_type or "application/octet-stream",
                        await item.read())
