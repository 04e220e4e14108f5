"""Repository contracts: versioned config documents, customers, users, meta (memory, SQLite, PostgreSQL)."""

from __future__ import annotations

import threading

import pytest
from storage_backend import Backend

from blendcc.domain.errors import InvalidState, NotFound, ValidationFailed
from blendcc.ports import User

# ---------------------------------------------------------------------- configuration documents


def test_config_put_versions_and_history(backend: Backend) -> None:
    repo = backend.config()
    v1 = repo.put("queue", "sales", {"name": "Sales", "sl": [20, 0.8]}, at=100.0, by="admin")
    v2 = repo.put("queue", "sales", {"name": "Sales EN", "sl": [20, 0.8]}, at=200.0, by=None)
    assert (v1.version, v2.version) == (1, 2)
    assert (v1.kind, v1.id, v1.at, v1.by, v1.deleted) == ("queue", "sales", 100.0, "admin", False)
    got = repo.get("queue", "sales")
    assert got == v2
    assert got.body == {"name": "Sales EN", "sl": [20, 0.8]}
    assert [d.version for d in repo.history("queue", "sales")] == [1, 2]
    assert repo.history("queue", "sales")[0].body["name"] == "Sales"
    assert repo.get("queue", "nope") is None
    assert repo.get("agent", "sales") is None  # kinds are separate namespaces


def test_config_put_many_stores_each_document_as_a_new_version(backend: Backend) -> None:
    repo = backend.config()
    repo.put("schedules", "a1.2024-01-15", {"n": 0}, 1.0, "admin")
    stored = repo.put_many("schedules", [("a1.2024-01-15", {"n": 1}), ("a2.2024-01-15", {"n": 2})], 2.0, "sup")
    assert [(d.id, d.version, d.body, d.by) for d in stored] == [
        ("a1.2024-01-15", 2, {"n": 1}, "sup"), ("a2.2024-01-15", 1, {"n": 2}, "sup")]
    assert [d.id for d in repo.list("schedules")] == ["a1.2024-01-15", "a2.2024-01-15"]
    assert [d.version for d in repo.history("schedules", "a1.2024-01-15")] == [1, 2]
    assert repo.put_many("schedules", [], 3.0, None) == []


def test_config_delete_adds_a_deleted_version(backend: Backend) -> None:
    repo = backend.config()
    repo.put("queue", "sales", {"name": "Sales"}, at=1.0, by="a")
    repo.put("queue", "support", {"name": "Support"}, at=2.0, by="a")
    gone = repo.delete("queue", "sales", at=3.0, by="b")
    assert (gone.version, gone.deleted, gone.at, gone.by) == (2, True, 3.0, "b")
    assert gone.body == {"name": "Sales"}  # the deleted version keeps the last content
    assert repo.get("queue", "sales") is None
    assert [d.id for d in repo.list("queue")] == ["support"]
    assert [(d.version, d.deleted) for d in repo.history("queue", "sales")] == [(1, False), (2, True)]
    with pytest.raises(NotFound):
        repo.delete("queue", "sales", at=4.0, by="b")
    with pytest.raises(NotFound):
        repo.delete("queue", "never", at=4.0, by="b")
    back = repo.put("queue", "sales", {"name": "Sales again"}, at=5.0, by="c")
    assert back.version == 3
    assert [d.id for d in repo.list("queue")] == ["sales", "support"]


def test_config_list_returns_latest_non_deleted_sorted(backend: Backend) -> None:
    repo = backend.config()
    for doc_id in ("b", "a", "c"):
        repo.put("skill", doc_id, {"v": 1}, at=1.0, by=None)
    repo.put("skill", "b", {"v": 2}, at=2.0, by=None)
    repo.delete("skill", "c", at=3.0, by=None)
    repo.put("team", "x", {"v": 1}, at=1.0, by=None)
    listed = repo.list("skill")
    assert [(d.id, d.version, d.body) for d in listed] == [("a", 1, {"v": 1}), ("b", 2, {"v": 2})]
    assert repo.list("calendar") == []


def test_config_body_is_a_copy(backend: Backend) -> None:
    repo = backend.config()
    body = {"steps": [{"queue": "q1"}], "pair": (1, 2)}
    repo.put("workflow", "w", body, at=1.0, by=None)
    body["steps"].append({"queue": "q2"})  # type: ignore[attr-defined]
    got = repo.get("workflow", "w")
    assert got.body == {"steps": [{"queue": "q1"}], "pair": [1, 2]}  # JSON-shaped, not aliased
    got.body["steps"].append("x")
    assert repo.get("workflow", "w").body["steps"] == [{"queue": "q1"}]


def test_concurrent_puts_get_distinct_versions(backend: Backend) -> None:
    repo = backend.config()
    errors: list[BaseException] = []

    def put(n: int) -> None:
        own = backend.config() if backend.engine is not None else repo
        try:
            for i in range(5):
                own.put("queue", "hot", {"writer": n, "i": i}, at=float(i), by=str(n))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=put, args=(n,)) for n in range(4)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert errors == []
    assert [d.version for d in repo.history("queue", "hot")] == list(range(1, 21))


# ---------------------------------------------------------------------- customers


def test_customer_create_get_and_identity_lookup(backend: Backend) -> None:
    repo = backend.customers()
    made = repo.create("cu1", [("phone", "+44 20 7946 0000"), ("email", "Ada@Example.com")], "gold", "Ada",
                       {"segment": "retail", "tags": ["a"]}, at=10.0)
    assert made == {"id": "cu1", "name": "Ada", "tier": "gold", "fields": {"segment": "retail", "tags": ["a"]},
                    "created_at": 10.0, "last_agent_id": None, "last_contact_at": None,
                    "identities": [("email", "ada@example.com"), ("phone", "+442079460000")],
                    "tags": [], "merged_into": None, "merge_id": None, "erased_at": None}
    assert repo.get("cu1") == made
    assert repo.find_by_identity("phone", "+442079460000") == made  # normalised on both sides
    assert repo.find_by_identity("phone", "0044 20 7946 0000") == made
    assert repo.find_by_identity("email", "ADA@example.COM") == made
    assert repo.find_by_identity("phone", "+15550000000") is None
    assert repo.get("nobody") is None


def test_customer_create_conflicts(backend: Backend) -> None:
    repo = backend.customers()
    repo.create("cu1", [("chat", "visitor-1")], "standard", "", {}, at=1.0)
    with pytest.raises(InvalidState):
        repo.create("cu1", [], "standard", "", {}, at=2.0)
    with pytest.raises(InvalidState):
        repo.create("cu2", [("email", "x@y.z"), ("chat", "visitor-1")], "standard", "", {}, at=2.0)
    assert repo.get("cu2") is None
    assert repo.find_by_identity("email", "x@y.z") is None  # nothing of the failed create was kept


def test_customer_update(backend: Backend) -> None:
    repo = backend.customers()
    repo.create("cu1", [], "standard", "Ada", {"a": 1}, at=1.0)
    got = repo.update("cu1", {"tier": "gold", "fields": {"b": 2}})
    assert (got["tier"], got["fields"], got["name"]) == ("gold", {"b": 2}, "Ada")
    assert repo.get("cu1") == got
    assert repo.update("cu1", {}) == got
    assert repo.update("nobody", {"tier": "gold"}) is None
    with pytest.raises(ValidationFailed):
        repo.update("cu1", {"id": "other"})


def test_customer_add_identity(backend: Backend) -> None:
    repo = backend.customers()
    repo.create("cu1", [("phone", "+15551230000")], "standard", "", {}, at=1.0)
    repo.create("cu2", [], "standard", "", {}, at=1.0)
    repo.add_identity("cu1", "social", "@ada")
    repo.add_identity("cu1", "social", "@ada")  # idempotent
    assert repo.find_by_identity("social", "@ada")["id"] == "cu1"
    assert repo.get("cu1")["identities"] == [("phone", "+15551230000"), ("social", "@ada")]
    with pytest.raises(InvalidState):
        repo.add_identity("cu2", "phone", "+1 555 123 0000")
    with pytest.raises(NotFound):
        repo.add_identity("nobody", "email", "n@o.pe")
    assert repo.find_by_identity("email", "n@o.pe") is None


# ---------------------------------------------------------------------- users and meta


def test_users_put_get_list(backend: Backend) -> None:
    repo = backend.users()
    assert repo.list() == []
    assert repo.get("zoe") is None
    repo.put(User("zoe", "agent", "a1", "hash1"))
    repo.put(User("adam", "admin", None, "hash2"))
    assert repo.get("zoe") == User("zoe", "agent", "a1", "hash1")
    repo.put(User("zoe", "supervisor", None, "hash3"))  # put replaces
    assert repo.list() == [User("adam", "admin", None, "hash2"), User("zoe", "supervisor", None, "hash3")]


def test_meta_values(backend: Backend) -> None:
    meta = backend.meta()
    assert meta.get_meta("auth_secret") is None
    meta.set_meta("auth_secret", "s1")
    meta.set_meta("auth_secret", "s2")
    assert meta.get_meta("auth_secret") == "s2"
    assert meta.setdefault_meta("auth_secret", "s3") == "s2"
    assert meta.setdefault_meta("node", "n1") == "n1"
    assert meta.get_meta("node") == "n1"
