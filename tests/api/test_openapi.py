"""The OpenAPI document loads and lists every route; the health page answers."""

from __future__ import annotations

from typing import Any

EXPECTED = {
    ("post", "/api/auth/token"), ("get", "/api/auth/me"), ("put", "/api/users/{username}"), ("get", "/api/users"),
    ("post", "/api/contacts"), ("get", "/api/contacts"), ("get", "/api/contacts/{contact_id}"),
    ("get", "/api/contacts/{contact_id}/events"), ("post", "/api/contacts/{contact_id}/hangup"),
    ("get", "/api/customers/{customer_id}"),
    ("get", "/api/agent"), ("post", "/api/agent/login"), ("post", "/api/agent/logout"), ("post", "/api/agent/status"),
    *(("post", f"/api/agent/contacts/{{contact_id}}/{a}")
      for a in ("accept", "decline", "hold", "resume", "end", "wrapup", "transfer")),
    ("post", "/api/supervisor/agents/{agent_id}/state"), ("get", "/api/supervisor/agents/{agent_id}"),
    ("post", "/api/supervisor/contacts/{contact_id}/move"),
    ("get", "/api/stats/live"), ("get", "/api/reports/queues"), ("get", "/api/reports/agents"),
    ("get", "/api/config/_reference"), ("get", "/health"),
    *((m, f"/api/config/{kind}{suffix}")
      for kind in ("skills", "teams", "calendars", "queues", "agents", "workflows", "settings")
      for m, suffix in (("get", ""), ("get", "/{doc_id}"), ("put", "/{doc_id}"), ("delete", "/{doc_id}"),
                        ("get", "/{doc_id}/history"))),
}


def test_openapi_lists_the_routes(shared_centre: Any) -> None:
    r = shared_centre.client.get("/openapi.json")
    assert r.status_code == 200
    doc = r.json()
    assert doc["info"]["title"] == "blendcc"
    found = {(method, path) for path, ops in doc["paths"].items() for method in ops}
    missing = EXPECTED - found
    assert not missing, sorted(missing)
    # every operation has a unique id and a summary or description
    ops = [op for ops in doc["paths"].values() for op in ops.values()]
    ids = [op["operationId"] for op in ops]
    assert len(ids) == len(set(ids))
    # request bodies are documented: a new contact lists its channel enum
    schemas = doc["components"]["schemas"]
    assert set(schemas["Channel"]["enum"]) == {"voice", "chat", "sms", "email", "social"}
    assert "QueueConfigBody" in schemas
    assert shared_centre.client.get("/docs").status_code == 200


def test_health(shared_centre: Any) -> None:
    r = shared_centre.client.get("/health")
    assert r.status_code == 200
    body = r.json()
    assert body["status"] == "ok"
    assert isinstance(body["last_seq"], int)
