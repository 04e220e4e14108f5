"""Canned responses repository contract (memory, SQLite, PostgreSQL): create, replace, list, delete, and one
shortcut per scope and owner."""

from __future__ import annotations

import pytest
from storage_backend import Backend

from blendcc.domain.canned import CannedResponse
from blendcc.domain.errors import InvalidState


def canned(rid: str, scope: str = "queue", owner: str = "support", shortcut: str = "hi",
           **kw: object) -> CannedResponse:
    return CannedResponse.model_validate({"id": rid, "scope": scope, "owner": owner, "shortcut": shortcut,
                                          "title": kw.get("title", ""), "body": kw.get("body", "Hello {customer.name}"),
                                          "updated_at": kw.get("updated_at", 10.0), "updated_by": kw.get("by")})


def test_put_get_list_replace_delete(backend: Backend) -> None:
    repo = backend.canned()
    assert repo.list() == [] and repo.get("r1") is None
    r1 = canned("r1", title="Greeting", by="sup")
    r2 = canned("r2", scope="personal", owner="a1", shortcut="bye", body="Bye {{not a placeholder}}")
    repo.put(r1)
    repo.put(r2)
    assert repo.get("r1") == r1
    assert repo.list() == [r2, r1]  # by scope, owner, shortcut
    changed = canned("r1", shortcut="hello", body="Hi {customer.fields.plan} " + "x" * 5000, updated_at=20.0)
    repo.put(changed)
    assert repo.get("r1") == changed and len(repo.list()) == 2
    assert repo.delete("r1") and not repo.delete("r1")
    assert repo.list() == [r2]


def test_one_shortcut_per_scope_and_owner(backend: Backend) -> None:
    repo = backend.canned()
    repo.put(canned("r1"))
    with pytest.raises(InvalidState):
        repo.put(canned("r2"))
    assert [r.id for r in repo.list()] == ["r1"]
    repo.put(canned("r3", owner="billing"))  # another queue may use it
    repo.put(canned("r4", scope="personal", owner="support"))  # and another scope
    repo.put(canned("r1", body="changed"))  # replacing itself is no clash
    assert sorted(r.id for r in repo.list()) == ["r1", "r3", "r4"]
