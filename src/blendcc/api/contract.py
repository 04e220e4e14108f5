"""The documented error contract: which error statuses each operation can answer, all with ``ErrorBody``.

The server answers every error as ``{"error": <code>, "detail": <message>}`` (``api/errors.py``). FastAPI
would document its own 422 body (``HTTPValidationError``) and nothing else; ``document_errors`` runs once
over the finished app and gives every operation the statuses it can really return, derived from what the
route depends on (a bearer principal, an agent principal, path parameters, a request body) plus a short
table of the operations whose use case can answer more (a lookup by a body field, a deployment without
the dialer or voice). A status a route declares itself (``responses=``) is kept as declared.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute, iter_route_contexts
from fastapi.security.base import SecurityBase

from blendcc.api import deps, guard
from blendcc.api.examples import add_examples
from blendcc.api.models.common import ErrorBody

REF = "#/components/schemas/"

#: What each documented status means on this API (the response description in /openapi.json).
MEANING: dict[int, str] = {
    400: "Bad request: the multipart form data cannot be parsed",
    401: "Unauthenticated: no bearer token, or an invalid, expired or revoked one",
    403: "Forbidden: the user's role (or agent) may not do this",
    404: "Not found: an id in the path (or the body) does not exist",
    409: "Conflict: not allowed in the current state (or the feature is not enabled in this deployment)",
    413: "Payload too large: the body is over this route's limit (refused before it is read)",
    415: "Unsupported media type: this kind of file is not accepted",
    422: "Invalid: the parameters or the body fail validation (a body that is not JSON or not UTF-8, NUL "
         "characters, NaN and numbers beyond float range included)",
    429: "Too many attempts: wait for Retry-After seconds",
    503: "Unavailable: the database (or a service this route needs) is unavailable; try again",
}

#: Operations (route names) that any signed-in user may call: no role check, so no 403.
ANY_USER = frozenset({"me", "list_contacts", "agent_report", "reference"})

#: Statuses an operation's use case can answer beyond what its dependencies and parameters imply.
EXTRA: dict[str, frozenset[int]] = {
    "token": frozenset({401, 429, 503}),  # wrong password; throttled by user and address
    "refresh": frozenset({401, 503}),  # an invalid, used, expired or revoked refresh token
    "oidc_login": frozenset({404}),  # single sign-on is not configured
    "oidc_callback": frozenset({401, 404, 503}),  # unknown state, a refused identity; not configured
    "totp_confirm": frozenset({429}),  # wrong codes count as failed logins of the user
    "totp_disable": frozenset({429}),
    "get_user": frozenset({404}),
    "patch_user": frozenset({404}),
    "delete_user": frozenset({404}),
    "totp_reset": frozenset({404}),
    "put_user": frozenset({404}),  # agent_id of the body is not configured
    "find_customer": frozenset({404}),  # nobody has that identity
    "create_contact": frozenset({404, 409}),  # unknown workflow; a retried contact_id
    "create_customer": frozenset({409}),  # the id or an identity is taken
    "merge_customer": frozenset({409}),  # the same customer, one already merged or erased
    "undo_merge": frozenset({409}),  # already undone; the customer was merged on into another
    "erase_customer": frozenset({409}),  # already erased
    "add_identity": frozenset({409}),  # another customer holds the identity (and no rule merges it)
    "post_forecast": frozenset({404}),
    # background forecasts: too many jobs queued (503); jobs not wired (409); cancelling an ended job (409)
    "submit_forecast_job": frozenset({409, 503}),
    "submit_queue_forecast_job": frozenset({404, 409, 503}),  # and 404: the queue has no stored contacts
    "list_forecast_jobs": frozenset({409}),
    "get_forecast_job": frozenset({404, 409}),
    "cancel_forecast_job": frozenset({404, 409}),
    "cancel_forecast_job_post": frozenset({404, 409}),
    # deployments without the dialer, dialing loop, schedules, adherence or voice answer 409/503
    "list_campaigns": frozenset({503}),
    "pacing_all": frozenset({503}),
    "campaign_monitor": frozenset({503}),
    "list_schedules": frozenset({409}),
    "publish_schedules": frozenset({404, 409}),
    "solve_schedules": frozenset({404, 409}),
    "adherence": frozenset({409}),
    "alerts": frozenset({409}),
    "calls": frozenset({409}),
    "phones": frozenset({409}),
    "voicemails": frozenset({404, 409}),
    "callbacks": frozenset({409}),
    "recordings": frozenset({409}),
    "download": frozenset({409}),
    "voicemail_download": frozenset({409}),
    "import_dnc": frozenset({404, 503}),
    "list_prompts": frozenset({409}),
    # provider webhooks (public, signed): a wrong signature or verify token 403, an instance or provider
    # that is not configured 404, an oversize body 413 (they read it themselves), a malformed one 422
    "twilio_sms": frozenset({403, 404, 413, 503}),
    "twilio_status": frozenset({403, 404, 413, 503}),
    "whatsapp_verify": frozenset({403, 404}),
    "messenger_verify": frozenset({403, 404}),
    "whatsapp": frozenset({403, 404, 413, 503}),
    "messenger": frozenset({403, 404, 413, 503}),
    "telegram": frozenset({403, 404, 413, 503}),
    # web chat (routes_webchat): public routes with the session's own token
    "webchat_config": frozenset({404}),
    "webchat_session": frozenset({404, 409, 429, 503}),
    "webchat_offline": frozenset({404, 429, 503}),
    "webchat_upload": frozenset({401, 404, 409, 413, 415, 503}),
    "webchat_download": frozenset({401, 404, 503}),
    "webchat_transcript": frozenset({401, 404, 409, 503}),
    "contact_typing": frozenset({404}),
    "contact_read": frozenset({404}),
    "agent_call_card": frozenset({409}),  # voice is not enabled on this server
    # surveys: the public answer (the signed link is the key): already answered 409
    "answer": frozenset({404, 409}),
    "invite": frozenset({404}),  # the contact named in the body does not exist
    # quality (routes_qa): the contact, scorecard or calibration named in the body does not exist
    "create_evaluation": frozenset({404}),
    "create_calibration": frozenset({404}),
    # surge what-if with stored playbooks (docs/whatif.md): a playbook id that is not stored
    "whatif_scenario": frozenset({404}),
    "whatif_bank1999": frozenset({404}),
    "list_temp_batches": frozenset({409}),  # temporary agents are not wired
}


def _calls(dependant: Dependant) -> Iterable[Any]:
    for sub in dependant.dependencies:
        yield sub.call
        yield from _calls(sub)


def authenticated(route: APIRoute) -> bool:
    """The route needs a bearer principal (directly, through the agent principal, or a security scheme)."""
    calls = list(_calls(route.dependant))
    return any(c in (deps.principal, deps.agent_principal) or isinstance(c, SecurityBase) for c in calls)


def _has_body(route: APIRoute) -> bool:
    return route.body_field is not None or "requestBody" in (route.openapi_extra or {})


def _takes_form(route: APIRoute) -> bool:
    """The route reads multipart form data itself (an upload): a broken form is a 400."""
    content = (route.openapi_extra or {}).get("requestBody", {}).get("content", {})
    return "multipart/form-data" in content


def statuses(route: APIRoute, method: str | None = None, path: str | None = None) -> set[int]:
    """Every error status ``route`` can answer (``method`` and ``path``: the operation, for the request guard's
    401 on every non-public ``/api`` route, answered before the body is read)."""
    out = {422}  # every route: validation and the NUL refusal of paths, query strings and bodies
    methods = route.methods or set()
    path = path or route.path
    guarded = (path == "/api" or path.startswith("/api/")) and not all(
        guard.is_public(m, path) for m in ([method.upper()] if method else methods))
    if guarded or authenticated(route):
        out |= {401, 503}  # the guard checks the token (503 when the database cannot be asked)
    if authenticated(route):
        if route.name not in ANY_USER:
            out.add(403)
        if methods - {"GET", "HEAD"}:
            out.add(409)  # commands are refused in the wrong state
    if route.param_convertors:
        out.add(404)
    if _has_body(route):
        out.add(413)  # the guard refuses a body over the route's limit before reading it
        if _takes_form(route):
            out.add(400)
    out |= EXTRA.get(route.name, frozenset())
    return out


def _operations(app: FastAPI) -> dict[tuple[str, str], APIRoute]:
    """(path, lower-case method) -> the route, for every API route of the app (included routers too)."""
    out: dict[tuple[str, str], APIRoute] = {}
    for rc in iter_route_contexts(app.routes):
        route = rc.original_route
        path = rc.path_format
        if isinstance(route, APIRoute) and path is not None:
            for method in route.methods or ():
                out[(path, method.lower())] = route
    return out


def _error_response(status: int) -> dict[str, Any]:
    out: dict[str, Any] = {"description": MEANING[status],
                           "content": {"application/json": {"schema": {"$ref": f"{REF}ErrorBody"}}}}
    if status == 429:
        out["headers"] = {"Retry-After": {"description": "seconds to wait before the next attempt",
                                          "schema": {"type": "integer", "minimum": 1}}}
    if status == 401:
        out["headers"] = {"WWW-Authenticate": {"description": "Bearer", "schema": {"type": "string"}}}
    return out


def document_errors(app: FastAPI) -> None:
    """Make ``app.openapi()`` document every operation's error statuses with ``ErrorBody`` (and drop FastAPI's
    own ``HTTPValidationError``, which this server never sends)."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        doc = generate()
        routes = _operations(app)
        for path, ops in doc.get("paths", {}).items():
            for method, op in ops.items():
                route = routes.get((path, method))
                if route is None:
                    continue
                responses = op.setdefault("responses", {})
                if "HTTPValidationError" in str(responses.get("422", "")):
                    del responses["422"]
                for status in sorted(statuses(route, method, path)):
                    responses.setdefault(str(status), _error_response(status))
        add_examples(doc, {key: route.name for key, route in routes.items()})
        schemas = doc.setdefault("components", {}).setdefault("schemas", {})
        schemas["ErrorBody"] = ErrorBody.model_json_schema(ref_template=REF + "{model}")
        if "HTTPValidationError" not in json.dumps(doc["paths"]):
            schemas.pop("HTTPValidationError", None)
            schemas.pop("ValidationError", None)
        app.openapi_schema = doc
        return doc

    app.openapi = openapi  # type: ignore[method-assign]
    app.openapi_schema = None
