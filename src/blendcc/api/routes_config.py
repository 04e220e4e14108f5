"""Configuration endpoints: one typed set per kind (queues, agents, skills, teams, workflows, ...)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Path
from pydantic import BaseModel, ConfigDict, create_model

from blendcc.api.deps import C, P, audit
from blendcc.api.models import common
from blendcc.api.models import config as out
from blendcc.app.admin.configuration import KINDS
from blendcc.routing.coverage import unroutable
from blendcc.routing.expressions import FUNCTIONS, NAMES
from blendcc.routing.strategies import _REGISTRY, strategy_names

router = APIRouter(prefix="/api/config", tags=["configuration"])

ID = Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.\-]+$")


def _dump(doc: BaseModel) -> dict[str, Any]:
    return doc.model_dump(mode="json")


def _body_model(model: type[BaseModel]) -> type[BaseModel]:
    """The document model with ``id`` optional (the path carries it) and unknown top-level fields refused
    (a misspelt field such as ``wrap_up`` must not silently fall back to the default)."""
    config = ConfigDict(**{**model.model_config, "extra": "forbid"})
    strict = type(f"{model.__name__}Strict", (model,), {"model_config": config, "__module__": __name__})
    fields: dict[str, Any] = {"id": (str | None, None)} if "id" in model.model_fields else {}
    return create_model(f"{model.__name__}Body", __base__=strict, **fields)


def _routes(kind: str, model: type[BaseModel]) -> None:
    def list_docs(c: C, p: P) -> list[dict[str, Any]]:
        p.require("supervisor")
        return [_dump(d) for d in c.config.list(kind)]

    def get_doc(c: C, p: P, doc_id: str = ID) -> dict[str, Any]:
        p.require("supervisor")
        return _dump(c.config.get(kind, doc_id))

    body_model = _body_model(model)

    def put_doc(body: BaseModel, c: C, p: P, doc_id: str = ID) -> dict[str, Any]:
        p.require("admin")
        data = body.model_dump(mode="json", exclude_unset=False)
        if data.get("id") is None:
            data.pop("id", None)
        doc, version = c.config.put(kind, doc_id, data, p.username)
        audit(c, p, "config_changed", f"{kind}/{doc_id}", version=version)
        return {"version": version, "document": _dump(doc),
                "warnings": [w.to_dict() for w in unroutable(c.config.catalog)]}

    put_doc.__annotations__["body"] = body_model

    def delete_doc(c: C, p: P, doc_id: str = ID) -> dict[str, Any]:
        p.require("admin")
        c.config.delete(kind, doc_id, p.username)
        audit(c, p, "config_deleted", f"{kind}/{doc_id}")
        return {"deleted": doc_id}

    def history(c: C, p: P, doc_id: str = ID) -> list[dict[str, Any]]:
        p.require("supervisor")
        return [{"version": d.version, "at": d.at, "by": d.by, "deleted": d.deleted, "document": dict(d.body)}
                for d in c.config.history(kind, doc_id)]

    handlers: list[tuple[str, Callable[..., Any], str, str, Any]] = [
        ("", list_docs, "GET", f"List {kind}", list[model]),  # type: ignore[valid-type]
        ("/{doc_id}", get_doc, "GET", f"Get one of {kind}", model),
        ("/{doc_id}", put_doc, "PUT", f"Create or replace one of {kind} (new version)", out.versioned(model)),
        ("/{doc_id}", delete_doc, "DELETE", f"Delete one of {kind}", common.Deleted),
        ("/{doc_id}/history", history, "GET", f"Every version of one of {kind}", list[out.HistoryEntry]),
    ]
    for suffix, fn, method, summary, response_model in handlers:
        route_name = f"{method.lower()}_{kind}{suffix.replace('/', '_').replace('{', '').replace('}', '')}"
        router.add_api_route(f"/{kind}{suffix}", fn, methods=[method], summary=summary, name=route_name,
                             response_model=response_model)


for _kind, _model in KINDS.items():
    _routes(_kind, _model)


@router.get("/_reference", response_model=out.Reference,
            summary="Names and functions usable in routing expressions; strategies")
def reference(p: P) -> dict[str, Any]:
    return {"names": NAMES, "functions": FUNCTIONS,
            "strategies": {n: _REGISTRY[n].description for n in strategy_names()}}


@router.get("/warnings", response_model=list[out.CoverageWarning],
            summary="Queue/channel combinations no configured agent could ever take (skills, channel capacity)")
def warnings(c: C, p: P) -> list[dict[str, Any]]:
    p.require("supervisor")
    return [w.to_dict() for w in unroutable(c.config.catalog)]
