"""The OpenAPI document loads and lists every route; the health page answers."""

from __future__ import annotations

from typing import Any

from blendcc.api import guard

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
        redirects = {s: r for s, r in op["responses"].items() if s.startswith("3")}
        if not ok and redirects:  # a redirect answers no body: its Location header is what it documents
            if not all("Location" in r.get("headers", {}) and not r.get("content") for r in redirects.values()):
                untyped.append(f"{method.upper()} {path}: {redirects}")
            continue
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
             if s[0] in "45" and r.get("content", {}).get("application/json", {}).get("schema") != ref]
    assert not wrong, wrong
    # redirects (single sign-on) are not errors: no body, a Location header
    redirects = [(p, r) for m, p, op in _operations(doc) for s, r in op["responses"].items() if s.startswith("3")]
    assert {p for p, _ in redirects} == {"/api/auth/oidc/login", "/api/auth/oidc/callback"}
    assert all(not r.get("content") and "Location" in r["headers"] for _, r in redirects)
    # a throttled login says when to try again
    assert "Retry-After" in doc["paths"]["/api/auth/token"]["post"]["responses"]["429"]["headers"]


def test_the_statuses_each_operation_can_answer_are_documented(shared_centre: Any) -> None:
    doc = shared_centre.client.get("/openapi.json").json()
    ops = {(m, p): set(op["responses"]) for m, p, op in _operations(doc)}
    for (method, path), statuses in ops.items():
        assert "422" in statuses, (method, path)  # every request is validated (NUL refusal included)
        # auth routes, the web chat's and a survey's answer (guard.PUBLIC_PATTERNS) may be public
        if path.startswith("/api/") and not path.startswith(("/api/auth/", "/api/webchat/")) and not (
                path == "/api/surveys/{token}/answer" and guard.is_public(method.upper(), path)):
            assert {"401", "503"} <= statuses, (method, path)
        if "{" in path:
            assert "404" in statuses, (method, path)
    assert "401" not in ops[("get", "/health")] and "429" in ops[("post", "/api/auth/token")]
    assert "401" in ops[("get", "/api/auth/me")]
    assert "403" in ops[("put", "/api/users/{username}")] and "403" not in ops[("get", "/api/auth/me")]
    assert "403" in ops[("get", "/api/agent")]  # agent users only
    assert {"413", "409"} <= ops[("post", "/api/contacts")]
    assert "400" not in ops[("post", "/api/contacts")] and "400" in ops[("post", "/api/ivr/prompts")]  # JSON: 422
    # the request guard answers 401 on every non-public /api route before reading the body, 413 over the limit
    assert "401" in ops[("post", "/api/auth/logout")] and "401" in ops[("get", "/api/audit")]
    assert {"401", "413"} <= ops[("post", "/api/auth/refresh")] and "401" not in ops[("get", "/health")]
    assert "429" in ops[("post", "/api/auth/totp/confirm")] and "404" in ops[("get", "/api/auth/oidc/login")]
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
    # a JSON body that is not UTF-8 is invalid JSON (RFC 8259 section 8.1): 422 like any other broken JSON,
    # refused by the request guard before the route sees it
    body = api.error("POST", "/api/contacts", 422, user="sup", content=b"\xff{", headers=json_header)
    assert body["error"] == "invalid" and "UTF-8" in body["detail"]
    # 400 is only for multipart form data that cannot be parsed (an upload route)
    api.error("POST", "/api/ivr/prompts", 400, content=b"--x\r\n", headers={"content-type": "multipart/form-data"})


def test_success_bodies_match_their_models(shared_centre: Any) -> None:
    """Responses go through their model: a read returns exactly the documented fields."""
    doc = shared_centre.client.get("/openapi.json").json()
    me = shared_centre.get("/api/auth/me")
    assert set(me) == set(doc["components"]["schemas"]["UserOut"]["properties"])
    live = shared_centre.get("/api/stats/live", "sup")
    assert set(live) == set(doc["components"]["schemas"]["LiveStats"]["properties"])
    request = doc["paths"]["/api/wfm/erlang"]["post"]["requestBody"]["content"]["application/json"]
    assert shared_centre.post("/api/wfm/erlang", "sup", json=request["example"])["required"] > 0
