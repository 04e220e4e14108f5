"""Configuration use cases: validate, version and apply queues, agents, skills, teams, workflows, calendars."""

from __future__ import annotations

import builtins
import contextlib
import math
import threading
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from pydantic import BaseModel, ValidationError

from blendcc.app.admin.config_errors import InvalidDocument, from_message, from_pydantic
from blendcc.dialer.campaign import CampaignConfig
from blendcc.domain.agent import AgentConfig
from blendcc.domain.calendar import BusinessHours
from blendcc.domain.errors import NotFound, ValidationFailed
from blendcc.domain.queue import QueueConfig, SkillConfig, TeamConfig
from blendcc.ivr.flow import HoursNode, IvrFlow
from blendcc.ports import Clock, ConfigDocument, ConfigRepository
from blendcc.routing.catalog import Catalog, RoutingSettings, build_catalog
from blendcc.routing.workflow import Workflow
from blendcc.wfm.published import ScheduleDay

KINDS: dict[str, type[BaseModel]] = {
    "skills": SkillConfig,
    "teams": TeamConfig,
    "calendars": BusinessHours,
    "queues": QueueConfig,
    "agents": AgentConfig,
    "workflows": Workflow,
    "settings": RoutingSettings,
    "campaigns": CampaignConfig,
    "schedules": ScheduleDay,
    "ivr_flows": IvrFlow,
}
SETTINGS_ID = "routing"
#: kinds the routing catalog is not built from: writing one stores it without recompiling the catalog
#: or reconfiguring the engine (thousands of schedule days are published at once)
CATALOG_FREE_KINDS = frozenset({"schedules", "ivr_flows"})


def check_flow_calendars(flow: IvrFlow, calendars: Mapping[str, Any]) -> None:
    """An IVR flow's business-hours nodes name existing calendars."""
    for n in flow.nodes:
        if isinstance(n, HoursNode) and n.calendar not in calendars:
            raise ValidationFailed(f"ivr flow {flow.id}, node {n.id}: unknown calendar {n.calendar!r}")


def pydantic_message(exc: ValidationError) -> str:
    parts = []
    for err in exc.errors():
        loc = ".".join(str(p) for p in err["loc"]) or "body"
        parts.append(f"{loc}: {err['msg']}")
    return "; ".join(parts)


def non_finite(value: Any, path: str = "") -> str | None:
    """The path of the first NaN or infinite number inside a JSON-like value, or None.

    Python's JSON parser accepts ``NaN`` and ``Infinity``; they are not JSON, PostgreSQL refuses them and
    they make no sense as durations or attributes, so inputs are checked before they are used or stored.
    """
    if isinstance(value, float) and not math.isfinite(value):
        return path or "value"
    if isinstance(value, Mapping):
        for k, v in value.items():
            found = non_finite(v, f"{path}.{k}" if path else str(k))
            if found is not None:
                return found
    elif isinstance(value, list | tuple):
        for i, v in enumerate(value):
            found = non_finite(v, f"{path}.{i}" if path else str(i))
            if found is not None:
                return found
    return None


class ConfigService:
    def __init__(self, repo: ConfigRepository, clock: Clock):
        self.repo = repo
        self.clock = clock
        self._lock = threading.Lock()
        self.docs: dict[str, dict[str, BaseModel]] = {k: {} for k in KINDS}
        for kind, model in KINDS.items():
            for doc in repo.list(kind):
                self.docs[kind][doc.id] = model.model_validate(dict(doc.body))
        self.catalog = self._build(self.docs)
        self.on_change: list[Callable[[Catalog], object]] = []
        self.delete_guards: list[Callable[[str, str], None]] = []
        self.engine_lock: contextlib.AbstractContextManager[Any] = contextlib.nullcontext()

    def reload(self) -> Catalog:
        """Read every document again from the repository (a standby taking over the routing: the previous
        leader may have changed them since this node started) and rebuild the catalog."""
        docs: dict[str, dict[str, BaseModel]] = {k: {} for k in KINDS}
        for kind, model in KINDS.items():
            for doc in self.repo.list(kind):
                docs[kind][doc.id] = model.model_validate(dict(doc.body))
        catalog = self._build(docs)
        with self._lock:
            self.docs, self.catalog = docs, catalog
        return catalog

    # ------------------------------------------------------------------ reads

    def list(self, kind: str) -> list[BaseModel]:
        self._kind(kind)
        return list(self.docs[kind].values())

    def get(self, kind: str, doc_id: str) -> BaseModel:
        self._kind(kind)
        doc = self.docs[kind].get(doc_id)
        if doc is None:
            raise NotFound(f"{kind[:-1] if kind != 'settings' else kind} {doc_id!r} does not exist")
        return doc

    def history(self, kind: str, doc_id: str) -> builtins.list[ConfigDocument]:
        self._kind(kind)
        return self.repo.history(kind, doc_id)

    def routing_settings(self) -> RoutingSettings:
        s = self.docs["settings"].get(SETTINGS_ID)
        return s if isinstance(s, RoutingSettings) else RoutingSettings()

    # ------------------------------------------------------------------ writes

    def check(self, kind: str, doc_id: str, body: Mapping[str, Any]) -> BaseModel:
        """Validate a document exactly as ``put`` would (fields, then every cross-document reference)
        without storing it; raises :class:`InvalidDocument` whose errors carry field paths."""
        doc = self._validated(kind, doc_id, body)
        self._cross_check(kind, doc_id, doc, self.docs)
        return doc

    def _validated(self, kind: str, doc_id: str, body: Mapping[str, Any]) -> BaseModel:
        model = self._kind(kind)
        data = dict(body)
        if kind == "settings":
            if doc_id != SETTINGS_ID:
                raise NotFound(f"settings document must be {SETTINGS_ID!r}")
        else:
            if data.get("id", doc_id) != doc_id:
                msg = f"body id {data.get('id')!r} does not match the path id {doc_id!r}"
                raise InvalidDocument(msg, [{"loc": ["id"], "msg": msg}])
            data["id"] = doc_id
        bad = non_finite(data)
        if bad is not None:
            msg = f"{bad}: must be a finite number (NaN and Infinity are not allowed)"
            raise InvalidDocument(msg, [{"loc": bad.split("."), "msg": msg}])
        try:
            return model.model_validate(data)
        except ValidationError as exc:
            raise from_pydantic(exc) from None

    def _cross_check(self, kind: str, doc_id: str, doc: BaseModel,
                     docs: Mapping[str, Mapping[str, BaseModel]]) -> Catalog | None:
        """The catalog with ``doc`` in place (None for catalog-free kinds); InvalidDocument if it breaks."""
        body = doc.model_dump(mode="json")
        try:
            if kind in CATALOG_FREE_KINDS:
                if isinstance(doc, IvrFlow):
                    check_flow_calendars(doc, docs["calendars"])
                return None
            candidate = {k: dict(v) for k, v in docs.items()}
            candidate[kind][doc_id] = doc
            return self._build(candidate)
        except InvalidDocument:
            raise
        except ValidationFailed as exc:
            raise from_message(exc.message, body) from None

    def put(self, kind: str, doc_id: str, body: Mapping[str, Any], by: str | None) -> tuple[BaseModel, int]:
        """Create or replace a document; returns it and its new version. Rejected if anything breaks."""
        doc = self._validated(kind, doc_id, body)
        with self._lock:
            catalog = self._cross_check(kind, doc_id, doc, self.docs)
            stored = self.repo.put(kind, doc_id, doc.model_dump(mode="json"), self.clock.now(), by)
            self.docs = {**self.docs, kind: {**self.docs[kind], doc_id: doc}}
            if catalog is not None:
                self.catalog = catalog
                for fn in self.on_change:  # under the lock: the engine sees catalogs in commit order
                    fn(catalog)
        return doc, stored.version

    def rollback(self, kind: str, doc_id: str, version: int, by: str | None) -> tuple[BaseModel, int]:
        """Store, as a new version, the document as it was at ``version`` (checked like any change)."""
        self._kind(kind)
        old = next((d for d in self.history(kind, doc_id) if d.version == version), None)
        if old is None:
            raise NotFound(f"{kind}/{doc_id} has no version {version}")
        if old.deleted:
            raise ValidationFailed(f"version {version} of {kind}/{doc_id} is a deletion; pick another")
        return self.put(kind, doc_id, old.body, by)

    def put_many(self, kind: str, bodies: Sequence[tuple[str, Mapping[str, Any]]],
                 by: str | None) -> builtins.list[tuple[BaseModel, int]]:
        """Create or replace several documents of a kind the routing catalog does not read (schedules) in
        one transaction: all are validated first, then stored together; returns each with its version."""
        if kind not in CATALOG_FREE_KINDS or kind == "ivr_flows":
            raise ValidationFailed(f"{kind} documents are stored one at a time")
        model = self._kind(kind)
        docs: builtins.list[BaseModel] = []
        for doc_id, body in bodies:
            data = dict(body)
            if data.get("id", doc_id) != doc_id:
                raise ValidationFailed(f"body id {data.get('id')!r} does not match the id {doc_id!r}")
            data["id"] = doc_id
            bad = non_finite(data)
            if bad is not None:
                raise ValidationFailed(f"{doc_id}: {bad}: must be a finite number (NaN and Infinity are not allowed)")
            try:
                docs.append(model.model_validate(data))
            except ValidationError as exc:
                raise ValidationFailed(f"{doc_id}: {pydantic_message(exc)}") from None
        ids = [doc_id for doc_id, _ in bodies]
        with self._lock:
            stored = self.repo.put_many(kind, [(i, d.model_dump(mode="json")) for i, d in zip(ids, docs, strict=True)],
                                        self.clock.now(), by)
            self.docs = {**self.docs, kind: {**self.docs[kind], **dict(zip(ids, docs, strict=True))}}
        return [(d, s.version) for d, s in zip(docs, stored, strict=True)]

    def delete(self, kind: str, doc_id: str, by: str | None) -> None:
        """Delete a document. Guards (e.g. 'queue still has contacts') run while the live engine is
        held (``engine_lock``), so nothing can enter the queue between the check and the change."""
        self._kind(kind)
        with self._lock, self.engine_lock:
            self.get(kind, doc_id)
            for guard in self.delete_guards:
                guard(kind, doc_id)
            if kind in CATALOG_FREE_KINDS:
                self.repo.delete(kind, doc_id, self.clock.now(), by)
                self.docs = {**self.docs, kind: {k: v for k, v in self.docs[kind].items() if k != doc_id}}
                return
            candidate = {k: dict(v) for k, v in self.docs.items()}
            del candidate[kind][doc_id]
            catalog = self._build(candidate)
            self.repo.delete(kind, doc_id, self.clock.now(), by)
            self.docs = candidate
            self.catalog = catalog
            for fn in self.on_change:
                fn(catalog)

    # ------------------------------------------------------------------ validation

    def _kind(self, kind: str) -> type[BaseModel]:
        model = KINDS.get(kind)
        if model is None:
            raise NotFound(f"unknown configuration kind {kind!r}; kinds: {', '.join(KINDS)}")
        return model

    @staticmethod
    def _build(docs: Mapping[str, Mapping[str, BaseModel]]) -> Catalog:
        """Cross-check all documents together and compile the routing catalog."""
        skills = set(docs["skills"])
        teams = set(docs["teams"])
        queues = [q for q in docs["queues"].values() if isinstance(q, QueueConfig)]
        agents = [a for a in docs["agents"].values() if isinstance(a, AgentConfig)]
        workflows = [w for w in docs["workflows"].values() if isinstance(w, Workflow)]
        calendars = [c for c in docs["calendars"].values() if isinstance(c, BusinessHours)]

        def check_skills(owner: str, used: Mapping[str, int]) -> None:
            for s in used:
                if s not in skills:
                    raise ValidationFailed(f"{owner}: unknown skill {s!r}; define it under /config/skills first")

        for q in queues:
            check_skills(f"queue {q.id}", q.skills)
        for a in agents:
            check_skills(f"agent {a.id}", a.skills)
            if a.team_id is not None and a.team_id not in teams:
                raise ValidationFailed(f"agent {a.id}: unknown team {a.team_id!r}")
        for w in workflows:
            for f in [*w.filters]:
                for t in f.targets:
                    check_skills(f"workflow {w.id}", t.skills or {})
                    for r in t.relax:
                        check_skills(f"workflow {w.id}", r.skills)
            for t in w.default:
                check_skills(f"workflow {w.id}", t.skills or {})
        for c in docs.get("campaigns", {}).values():
            if isinstance(c, CampaignConfig) and c.queue_id not in docs["queues"]:
                raise ValidationFailed(f"campaign {c.id}: unknown queue {c.queue_id!r} (its agent pool)")
        for flow in docs.get("ivr_flows", {}).values():
            if isinstance(flow, IvrFlow):
                check_flow_calendars(flow, docs["calendars"])
        settings = docs["settings"].get(SETTINGS_ID)
        return build_catalog(queues, calendars, agents, workflows,
                             settings if isinstance(settings, RoutingSettings) else None)
