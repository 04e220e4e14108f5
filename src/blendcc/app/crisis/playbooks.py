"""Playbook documents: validated, versioned in the configuration store (kind ``crisis_playbooks``), checked
against the routing configuration (the queues they name exist)."""

from __future__ import annotations

import builtins
from collections.abc import Callable, Mapping
from typing import Any

from pydantic import ValidationError

from blendcc.app.admin.config_errors import InvalidDocument, from_pydantic
from blendcc.app.admin.configuration import non_finite
from blendcc.crisis.playbook import Playbook, WorkflowVersionAction
from blendcc.domain.errors import NotFound, ValidationFailed
from blendcc.ports import Clock, ConfigDocument, ConfigRepository

KIND = "crisis_playbooks"


class Playbooks:
    """CRUD of playbooks; every save and delete is a new version (``history``), ``rollback`` re-saves one."""

    def __init__(self, repo: ConfigRepository, clock: Clock, queues: Callable[[], Mapping[str, Any]],
                 workflows: Callable[[str], list[ConfigDocument]] | None = None) -> None:
        self.repo = repo
        self.clock = clock
        self.queues = queues
        self.workflows = workflows  # a workflow's history (versions), to check workflow_version actions
        self.on_change: list[Callable[[], None]] = []
        self._cache: builtins.list[tuple[Playbook, int]] | None = None

    def check(self, doc_id: str, body: Mapping[str, Any]) -> Playbook:
        """Validate without saving; ``InvalidDocument`` whose errors carry field paths."""
        data = dict(body)
        if data.get("id", doc_id) != doc_id:
            msg = f"body id {data.get('id')!r} does not match the path id {doc_id!r}"
            raise InvalidDocument(msg, [{"loc": ["id"], "msg": msg}])
        data["id"] = doc_id
        bad = non_finite(data)
        if bad is not None:
            msg = f"{bad}: must be a finite number (NaN and Infinity are not allowed)"
            raise InvalidDocument(msg, [{"loc": bad.split("."), "msg": msg}])
        try:
            playbook = Playbook.model_validate(data)
        except ValidationError as exc:
            raise from_pydantic(exc) from None
        known = self.queues()
        missing = sorted(q for q in playbook.queues() if q not in known)
        if missing:
            msg = f"unknown queue {missing[0]!r}; define it under /api/config/queues first"
            raise InvalidDocument(msg, [{"loc": ["body"], "msg": msg}])
        sites = {getattr(q, "site", None) for q in known.values()}
        unknown = sorted(s for s in playbook.sites() if s not in sites)
        if unknown:
            msg = f"no queue is at site {unknown[0]!r}; set a queue's 'site' under /api/config/queues first"
            raise InvalidDocument(msg, [{"loc": ["body"], "msg": msg}])
        for i, action in enumerate(playbook.actions):
            if isinstance(action, WorkflowVersionAction) and self.workflows is not None:
                versions = {d.version for d in self.workflows(action.workflow) if not d.deleted}
                if action.version not in versions:
                    msg = f"workflow {action.workflow!r} has no version {action.version}"
                    raise InvalidDocument(msg, [{"loc": ["actions", i, "version"], "msg": msg}])
        return playbook

    def put(self, doc_id: str, body: Mapping[str, Any], by: str | None) -> tuple[Playbook, int]:
        playbook = self.check(doc_id, body)
        stored = self.repo.put(KIND, doc_id, playbook.model_dump(mode="json"), self.clock.now(), by)
        self._changed()
        return playbook, stored.version

    def get(self, doc_id: str) -> tuple[Playbook, int]:
        doc = self.repo.get(KIND, doc_id)
        if doc is None or doc.deleted:
            raise NotFound(f"playbook {doc_id!r} does not exist")
        return Playbook.model_validate(dict(doc.body)), doc.version

    def list(self) -> builtins.list[tuple[Playbook, int]]:
        """Every playbook with its version (kept in memory between changes: the evaluation reads it often)."""
        cached = self._cache
        if cached is None:
            out = []
            for doc in self.repo.list(KIND):
                if not doc.deleted:
                    out.append((Playbook.model_validate(dict(doc.body)), doc.version))
            cached = self._cache = sorted(out, key=lambda p: p[0].id)
        return builtins.list(cached)

    def history(self, doc_id: str) -> builtins.list[ConfigDocument]:
        return self.repo.history(KIND, doc_id)

    def rollback(self, doc_id: str, version: int, by: str | None) -> tuple[Playbook, int]:
        old = next((d for d in self.history(doc_id) if d.version == version), None)
        if old is None:
            raise NotFound(f"playbook {doc_id!r} has no version {version}")
        if old.deleted:
            raise ValidationFailed(f"version {version} of playbook {doc_id!r} is a deletion; pick another")
        return self.put(doc_id, old.body, by)

    def delete(self, doc_id: str, by: str | None) -> None:
        self.get(doc_id)
        self.repo.delete(KIND, doc_id, self.clock.now(), by)
        self._changed()

    def _changed(self) -> None:
        self._cache = None
        for fn in self.on_change:
            fn()
