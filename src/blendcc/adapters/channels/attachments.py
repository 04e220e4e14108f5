"""Attachment bytes on disk: files under one directory, named by their SHA-256 (``ports.AttachmentStore``)."""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from pathlib import Path

from blendcc.domain.conversation import Attachment
from blendcc.domain.errors import NotFound, ValidationFailed

_ID = re.compile(r"^sha256-[0-9a-f]{64}$")


class FileAttachmentStore:
    """Content-addressed: the id is ``sha256-<hex digest>``, the file ``<dir>/<hex[:2]>/<hex>``; an id is
    checked against its pattern before it becomes a path (no traversal), and files over ``max_bytes``
    are refused. Writes go to a temporary file renamed into place, so a reader never sees half a file."""

    def __init__(self, directory: str | Path, max_bytes: int = 25 * 1024 * 1024):
        self.root = Path(directory).resolve()
        self.max_bytes = max_bytes

    def _path(self, attachment_id: str) -> Path:
        if not _ID.match(attachment_id):
            raise NotFound(f"attachment {attachment_id!r} does not exist")
        digest = attachment_id.removeprefix("sha256-")
        return self.root / digest[:2] / digest

    def put(self, name: str, media_type: str, data: bytes) -> Attachment:
        if len(data) > self.max_bytes:
            raise ValidationFailed(f"attachment {name!r} has {len(data)} bytes; at most {self.max_bytes} are stored")
        attachment_id = "sha256-" + hashlib.sha256(data).hexdigest()
        path = self._path(attachment_id)
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
            try:
                with os.fdopen(fd, "wb") as f:
                    f.write(data)
                    f.flush()
                    os.fsync(f.fileno())
                os.replace(tmp, path)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
        return Attachment(id=attachment_id, name=name, media_type=media_type, size=len(data),
                          uri=f"attachment:{attachment_id}")

    def read(self, attachment_id: str) -> bytes:
        path = self._path(attachment_id)
        try:
            return path.read_bytes()
        except FileNotFoundError:
            raise NotFound(f"attachment {attachment_id!r} does not exist") from None
