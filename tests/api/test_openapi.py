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


# ---------------------------------------------------------------------- the response and error contract

def _operations(doc: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [(method, path, op) for path, ops in doc["paths"].items() for method, op in ops.items()]


def _typed(schema: dict[str, Any], components: dict[str, Any]) -> bool:
    """A real schema: a component with properties, a typed array or union of them, or a string (files)."""
    if "$ref" in schema:
        target = components[schema["$ref"].rsplit("/", 1)[1]]
        return bool(target.get("properties")) or _typed(target, components) if target is not schema else False
    if "anyOf" in schema:
        return all(_typed(s, components) for s in schema["anyOf"])
    if schema.get("type") == "array":
        return _typed(schema.get("items", {}), components)
    if schema.get("type") == "object":
        return bool(schema.get("properties"))
    return schema.get("type") == "string"


def test_every_operation_documents_a_typed_success_response(shared_centre: Any) -> None:
    doc = shared_centre.client.get("/openapi.json").json()
    components = doc["components"]["schemas"]
    untyped = []
    for method, path, op in _operations(doc):
        ok = {s: r for s, r in op["responses"].items() if s.startswith("2")}
        contents = [r.get("content", {}) for r in ok.values()]
        if not ok or not all(contents) or not all(_typed(m.get("schema", {}), components)
                                                 for c in contents for m in c.values()):
            untyped.append(f"{method.upper()} {path}: {ok}")
    assert not untyped, "\n".join(untyped)
    assert len(_operations(doc)) >= 81


def test_every_error_response_is_the_error_body(shared_centre: Any) -> None:
    doc = shared_centre.client.get("/openapi.json").json()
    schemas = doc["components"]["schemas"]
    assert "HTTPValidationError" not in schemas and "ValidationError" not in schemas
    assert set(schemas["ErrorBody"]["required"]) == {"error", "detail"}
    ref = {"$ref": "#/components/schemas/ErrorBody"}
    wrong = [f"{m.upper()} {p} {s}" for m, p, op in _operations(doc) for s, r in op["responses"].items()
             if not s.startswith("2") and r.get("content", {}).get("application/json", {}).get("schema") != ref]
    assert not wrong, wrong


def test_the_statuses_each_operation_can_answer_are_documented(shared_centre: Any) -> None:
    doc = shared_centre.client.get("/openapi.json").json()
    ops = {(m, p): set(op["responses"]) for m, p, op in _operations(doc)}
    for (method, path), statuses in ops.items():
        assert "422" in statuses, (method, path)  # every request is validated (NUL refusal included)
        if path.startswith("/api/") and not path.startswith("/api/auth/"):  # auth routes may be public
            assert {"401", "503"} <= statuses, (method, path)
        if "{" in path:
            assert "404" in statuses, (method, path)
    assert "401" not in ops[("get", "/health")] and "429" in ops[("post", "/api/auth/token")]
    assert "401" in ops[("get", "/api/auth/me")]
    assert "403" in ops[("put", "/api/users/{username}")] and "403" not in ops[("get", "/api/auth/me")]
    assert "403" in ops[("get", "/api/agent")]  # agent users only
    assert {"400", "413"} <= ops[("post", "/api/contacts")] and "409" in ops[("post", "/api/contacts")]
    assert "200" in ops[("get", "/api/campaigns/{campaign_id}/records.csv")]
    csv = doc["paths"]["/api/campaigns/{campaign_id}/records.csv"]["get"]["responses"]["200"]["content"]
    assert list(csv) == ["text/csv"]
    audio = doc["paths"]["/api/ivr/prompts/{prompt_id}/audio"]["get"]["responses"]["200"]["content"]
    assert set(audio) == {"audio/wav", "audio/basic", "audio/x-alaw-basic"}


def test_real_errors_match_the_documented_body(shared_centre: Any) -> None:
    api = shared_centre
    api.error("GET", "/api/auth/me", 401, user=None)
    api.error("GET", "/api/users", 403, user="ann")
    api.error("GET", "/api/contacts/nope", 404)
    api.error("GET", "/api/reports/queues?start=x&end=1", 422)
    json_header = {"content-type": "application/json"}
    api.error("POST", "/api/contacts", 422, user="sup", content=b"{not json", headers=json_header)
    body = api.error("POST", "/api/contacts", 400, user="sup", content=b"\xff{",  # not UTF-8: unparseable
                     headers={"content-type": "application/json"})
    assert body["error"] == "http"


def test_success_bodies_match_their_models(shared_centre: Any) -> None:
    """Responses go through their model: a read returns exactly the documented fields."""
    doc = shared_centre.client.get("/openapi.json").json()
    me = shared_centre.get("/api/auth/me")
    assert set(me) == set(doc["components"]["schemas"]["UserOut"]["properties"])
    live = shared_centre.get("/api/stats/live", "sup")
    assert set(live) == set(doc["components"]["schemas"]["LiveStats"]["properties"])
    request = doc["paths"]["/api/wfm/erlang"]["post"]["requestBody"]["content"]["application/json"]
    assert shared_centre.post("/api/wfm/erlang", "sup", json=request["example"])["required"] > 0
