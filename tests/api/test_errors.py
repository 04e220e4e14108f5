"""Bad input anywhere gives a 4xx JSON answer ``{"error": ..., "detail": ...}``: never a 500 or a traceback.

Refused requests change nothing, so most tests share one seeded centre per backend (``shared_centre``).
"""

from __future__ import annotations

from typing import Any

import pytest

SAME_NAME = {"name": "a", "expression": "True", "targets": [{"queue": "sales"}]}

BAD_CONTACTS: list[tuple[Any, str]] = [
    ({"channel": "fax"}, "channel"),
    ({}, "channel: Field required"),
    ({"channel": "voice", "priority": -1}, "priority"),
    ({"channel": "voice", "priority": 101}, "priority"),
    ({"channel": "voice", "priority": "high"}, "priority"),
    ({"channel": "voice", "colour": "blue"}, "colour: Extra inputs are not permitted"),
    ({"channel": "voice", "contact_id": "has spaces"}, "contact_id"),
    ({"channel": "voice", "contact_id": ""}, "contact_id"),
    ({"channel": "voice", "contact_id": "x" * 65}, "contact_id"),
    ({"channel": "voice", "caller_id": "1" * 300}, "caller_id"),
    ({"channel": "voice", "attributes": [1, 2]}, "attributes"),
    ({"channel": "voice", "ivr": {"menu": {"nested": 1}}}, "ivr"),
    ([{"channel": "voice"}], "body"),
    ("voice", "body"),
]


@pytest.mark.parametrize(("body", "mentions"), BAD_CONTACTS)
def test_bad_new_contact_is_422(shared_centre: Any, body: Any, mentions: str) -> None:
    answer = shared_centre.error("POST", "/api/contacts", 422, user="sup", json=body)
    assert answer["error"] == "invalid"
    assert mentions in answer["detail"], answer["detail"]
    assert shared_centre.get("/api/contacts", "sup") == []  # nothing was created


def test_unknown_workflow_is_422(shared_centre: Any) -> None:
    answer = shared_centre.error("POST", "/api/contacts", 422, user="sup",
                                 json={"channel": "voice", "workflow_id": "zz"})
    assert answer["detail"] == "unknown workflow 'zz'"
    assert shared_centre.get("/api/contacts", "sup") == []


@pytest.mark.parametrize(("method", "path"), [
    ("POST", "/api/contacts"),
    ("PUT", "/api/config/queues/q1"),
    ("POST", "/api/agent/status"),
    ("POST", "/api/auth/token"),
    ("PUT", "/api/users/x"),
])
def test_malformed_json_is_422(shared_centre: Any, method: str, path: str) -> None:
    user = "ann" if path.startswith("/api/agent") else "admin"
    for raw in (b'{"channel": "voice",', b"not json at all", b"\xff\xfe"):
        answer = shared_centre.error(method, path, 422, user=user, content=raw,
                              headers={"Content-Type": "application/json"})
        assert answer["error"] == "invalid"
        assert "JSON" in answer["detail"] or "json" in answer["detail"], answer


def test_non_finite_numbers_are_rejected(shared_centre: Any) -> None:
    """Python's JSON parser accepts NaN/Infinity; they must not reach the store or the response."""
    for raw in (b'{"channel": "voice", "attributes": {"score": NaN}}',
                b'{"channel": "voice", "attributes": {"score": [1, Infinity]}}'):
        answer = shared_centre.error("POST", "/api/contacts", 422, user="sup", content=raw,
                              headers={"Content-Type": "application/json"})
        assert "finite" in answer["detail"] or "NaN" in answer["detail"], answer
    assert shared_centre.get("/api/contacts", "sup") == []
    for query in ("start=nan&end=10", "start=0&end=inf", "start=-inf&end=0"):
        shared_centre.error("GET", f"/api/reports/queues?{query}", 422, user="sup")
        shared_centre.error("GET", f"/api/reports/agents?{query}", 422, user="sup")
    shared_centre.error("GET", "/api/contacts?start=nan", 422, user="sup")
    for raw in (b'{"offer_timeout_s": NaN}', b'{"offer_timeout_s": Infinity}', b'{"max_wait_s": 1e999}'):
        answer = shared_centre.error("PUT", "/api/config/queues/q1", 422, content=raw,
                                     headers={"Content-Type": "application/json"})
        assert "offer_timeout_s" in answer["detail"] or "max_wait_s" in answer["detail"], answer
    shared_centre.error("GET", "/api/config/queues/q1", 404)


@pytest.mark.parametrize(("method", "path", "body", "status", "mentions"), [
    ("GET", "/api/contacts/nope", None, 404, "contact nope does not exist"),
    ("GET", "/api/contacts/nope/events", None, 404, "contact nope does not exist"),
    ("POST", "/api/contacts/nope/hangup", None, 404, "contact nope is not active"),
    ("POST", "/api/supervisor/contacts/nope/move", {"queue_id": "sales"}, 404, "contact nope is not active"),
    ("GET", "/api/customers/nope", None, 404, "customer nope does not exist"),
    ("POST", "/api/supervisor/agents/nope/state", {"status": "available"}, 404, "agent nope is not configured"),
    ("POST", "/api/supervisor/agents/nope/state", {"status": "offline"}, 404, "agent nope is not configured"),
    ("GET", "/api/supervisor/agents/nope", None, 404, "agent nope is not configured"),
    ("POST", "/api/supervisor/agents/a1/state", {"status": "busy"}, 422, "status"),
    ("POST", "/api/supervisor/agents/a1/state", {"status": "aux", "reason": "r" * 65}, 422, "reason"),
    ("POST", "/api/supervisor/contacts/nope/move", {}, 422, "exactly one of: a queue"),
    ("PUT", "/api/users/x", {"password": "abcd", "role": "agent", "agent_id": "nope"}, 404,
     "agent nope is not configured"),
    ("PUT", "/api/users/x", {"password": "abcd", "role": "admin", "extra": 1}, 422, "extra"),
    ("GET", "/api/reports/queues?start=10&end=5", None, 422, "end must be after start"),
    ("GET", "/api/reports/queues?start=0&end=10&interval=7", None, 422, "interval must be one of"),
    ("GET", "/api/reports/queues?start=0&end=99999999", None, 422, "at most 400 days"),
    ("GET", "/api/reports/queues?start=abc&end=10", None, 422, "start"),
    ("GET", "/api/reports/queues?end=10", None, 422, "start: Field required"),
    ("GET", "/api/reports/agents?start=10&end=10", None, 422, "end must be after start"),
    ("GET", "/api/contacts?limit=0", None, 422, "limit"),
    ("GET", "/api/contacts?limit=5000", None, 422, "limit"),
    ("GET", "/api/contacts?offset=-1", None, 422, "offset"),
    ("GET", "/api/nothing-here", None, 404, "Not Found"),
    ("DELETE", "/api/contacts/x", None, 405, "Method Not Allowed"),
    ("PUT", "/api/config/queues/q1", [1, 2], 422, "body"),
    ("PUT", "/api/config/queues/q1", {"offer_timeout_s": -5}, 422, "offer_timeout_s"),
    ("PUT", "/api/config/queues/q1", {"wrap_up_s": "long"}, 422, "wrap_up_s"),
    ("PUT", "/api/config/agents/a1", {"capacity": {"limits": {"voice": 99}}}, 422, "capacity"),
    ("PUT", "/api/config/agents/a1", {"capacity": {"limits": {"fax": 1}}}, 422, "capacity"),
    ("PUT", "/api/config/workflows/w", {"default": []}, 422, "default"),
    ("PUT", "/api/config/workflows/w", {"default": [{"queue": "sales", "preferred_agent": "last"}]}, 422,
     "preferred_agent needs timeout_s"),
    ("PUT", "/api/config/workflows/w", {"default": [{"queue": "sales"}], "filters": [SAME_NAME, SAME_NAME]},
     422, "filter name 'a' is used twice"),
    ("PUT", "/api/config/workflows/w", {"default": [{"queue": "sales"}],
                                        "filters": [{"name": "a", "expression": "", "targets": [{"queue": "sales"}]}]},
     422, "expression is empty"),
    ("PUT", "/api/config/teams/" + "t" * 65, {}, 422, "doc_id"),
])
def test_bad_requests_are_clean_json_errors(shared_centre: Any, method: str, path: str, body: Any, status: int,
                                            mentions: str) -> None:
    kwargs = {"json": body} if body is not None else {}
    answer = shared_centre.error(method, path, status, user="admin", **kwargs)
    assert mentions in answer["detail"], answer["detail"]


@pytest.mark.parametrize(("path", "body", "mentions"), [
    ("/api/agent/status", {"status": "sleeping"}, "status"),
    ("/api/agent/status", {"status": "available", "mood": "good"}, "mood"),
    ("/api/agent/status", {"status": "available"}, "is not logged in"),
    ("/api/agent/logout", None, "is not logged in"),
    ("/api/agent/login", {"status": "aux"}, "aux needs a reason code"),
    ("/api/agent/contacts/nope/accept", None, "agent a1 has no contact nope"),
    ("/api/agent/contacts/nope/wrapup", {"disposition": "x" * 65}, "disposition"),
    ("/api/agent/contacts/nope/wrapup", {"disposition": "ok", "score": 3}, "score"),
    ("/api/agent/contacts/nope/transfer", {"queue": "sales"}, "queue"),
])
def test_bad_agent_requests(shared_centre: Any, path: str, body: Any, mentions: str) -> None:
    r = shared_centre.client.post(path, json=body, headers=shared_centre.headers("ann"))
    assert 400 <= r.status_code < 500, r.text
    answer = r.json()
    assert set(answer) == {"error", "detail"}
    assert mentions in answer["detail"], answer


def test_unknown_agent_behind_a_user_is_a_clean_error(centre: Any) -> None:
    """A user whose agent was deleted from the configuration gets a 404, not a crash."""
    centre.put("/api/config/agents/a9", json={"queues": ["sales"]})
    centre.put("/api/users/gone", json={"password": centre.PASSWORD, "role": "agent", "agent_id": "a9"})
    centre.delete("/api/config/agents/a9")
    for method, path in (("GET", "/api/agent"), ("POST", "/api/agent/login"), ("POST", "/api/agent/logout")):
        answer = centre.error(method, path, 404, user="gone")
        assert "agent a9 is not configured" in answer["detail"]


@pytest.mark.parametrize(("path", "body", "field"), [
    ("queues/q1", {"wrap_up": 10}, "wrap_up"),
    ("agents/a9", {"queues": ["sales"], "skill": {"tech": 2}}, "skill"),
    ("settings/routing", {"priority_head_start": 5}, "priority_head_start"),
    ("skills/s1", {"nmae": "typo"}, "nmae"),
])
def test_unknown_config_fields_are_refused(shared_centre: Any, path: str, body: dict[str, Any], field: str) -> None:
    """A misspelt field must not silently fall back to its default."""
    answer = shared_centre.error("PUT", f"/api/config/{path}", 422, json=body)
    assert f"{field}: Extra inputs are not permitted" in answer["detail"]
