"""Web-chat session repository contract: memory, SQLite and PostgreSQL behave the same."""

from __future__ import annotations

from typing import Any

import pytest
from storage_backend import Backend

from blendcc.adapters.storage.memory.webchat import MemoryWebchatSessions
from blendcc.adapters.storage.webchat_repo import SqlWebchatSessions
from blendcc.domain.errors import NotFound
from blendcc.domain.webchat import ChatSession, hash_token


def _repo(backend: Backend) -> Any:
    return MemoryWebchatSessions() if backend.engine is None else SqlWebchatSessions(backend.engine)


def _session(sid: str = "wc-1", **kw: Any) -> ChatSession:
    values: dict[str, Any] = {"id": sid, "instance": "default", "token_hash": hash_token("secret-" + sid),
                              "name": "Dana", "email": "dana@example.org", "phone": None, "topic": "tech",
                              "language": "fa", "created_at": 1000.0, "expires_at": 2000.0}
    values.update(kw)
    return ChatSession(**values)


def test_sessions_are_stored_found_changed_and_purged(backend: Backend) -> None:
    repo = _repo(backend)
    assert repo.get("wc-1") is None and repo.by_contact("c1") is None
    s = _session()
    repo.create(s)
    assert repo.get("wc-1") == s
    assert repo.get("wc-1").matches("secret-wc-1") and not repo.get("wc-1").matches("other")
    changed = s.changed(contact_id="c1", state="connected", agent_name="Ann", read_upto="c1.m1", rated=True,
                        extra={"attachments": {"sha256-x": {"id": "sha256-x", "name": "a.txt"}}})
    repo.put(changed)
    assert repo.get("wc-1") == changed
    assert repo.by_contact("c1") == changed
    repo.create(_session("wc-2", contact_id="c1", created_at=1500.0, expires_at=5000.0))
    assert repo.by_contact("c1").id == "wc-2"  # the newest session of that contact
    with pytest.raises(NotFound):
        repo.put(_session("wc-404"))
    assert repo.purge(3000.0) == 1
    assert repo.get("wc-1") is None and repo.get("wc-2") is not None


def test_only_the_token_hash_is_stored(backend: Backend) -> None:
    repo = _repo(backend)
    repo.create(_session())
    stored = repo.get("wc-1")
    assert stored.token_hash != "secret-wc-1" and len(stored.token_hash) == 64
