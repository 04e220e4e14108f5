"""The content-addressed attachment store: same bytes once, no path traversal, size limit."""

from __future__ import annotations

from pathlib import Path

import pytest

from blendcc.adapters.channels.attachments import FileAttachmentStore
from blendcc.domain.errors import NotFound, ValidationFailed


def test_files_are_stored_once_by_content_and_read_back(tmp_path: Path) -> None:
    store = FileAttachmentStore(tmp_path, max_bytes=100)
    a = store.put("a.txt", "text/plain", b"hello")
    b = store.put("b.txt", "text/plain", b"hello")
    assert a.id == b.id and a.size == 5 and a.uri == f"attachment:{a.id}" and (a.name, b.name) == ("a.txt", "b.txt")
    assert store.read(a.id) == b"hello"
    assert len([p for p in tmp_path.rglob("*") if p.is_file()]) == 1


def test_unknown_and_hostile_ids_are_not_found(tmp_path: Path) -> None:
    store = FileAttachmentStore(tmp_path / "store")
    (tmp_path / "secret").write_text("x")
    for bad in ("../secret", "sha256-../../secret", "sha256-" + "0" * 64, "/etc/passwd", ""):
        with pytest.raises(NotFound):
            store.read(bad)


def test_oversized_files_are_refused(tmp_path: Path) -> None:
    store = FileAttachmentStore(tmp_path, max_bytes=4)
    with pytest.raises(ValidationFailed):
        store.put("big.bin", "application/octet-stream", b"12345")
    assert not any(p.is_file() for p in tmp_path.rglob("*"))
