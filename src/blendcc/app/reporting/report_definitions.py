"""Saved report definitions (a name and a query), kept as versioned configuration documents.

They live in the configuration store (kind ``report_definitions``): every save and delete is a new version
with who and when, like queues or workflows, but they are not part of the routing catalog, so saving one
never recompiles routing.
"""

from __future__ import annotations

import uuid
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from blendcc.app.reporting.report_query import ReportQuery
from blendcc.domain.errors import NotFound
from blendcc.ports import Clock, ConfigDocument, ConfigRepository

KIND = "report_definitions"
ID_PATTERN = r"^[A-Za-z0-9_.\-]+$"


class ReportDefinition(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=120)
    query: ReportQuery


class ReportDefinitions:
    def __init__(self, repo: ConfigRepository, clock: Clock):
        self.repo = repo
        self.clock = clock

    @staticmethod
    def _out(doc: ConfigDocument) -> dict[str, Any]:
        return {"id": doc.id, "name": doc.body["name"], "query": doc.body["query"], "version": doc.version,
                "at": doc.at, "by": doc.by}

    def list(self) -> list[dict[str, Any]]:
        return sorted((self._out(d) for d in self.repo.list(KIND)), key=lambda d: (d["name"].casefold(), d["id"]))

    def get(self, def_id: str) -> dict[str, Any]:
        doc = self.repo.get(KIND, def_id)
        if doc is None or doc.deleted:
            raise NotFound(f"report definition {def_id!r} does not exist")
        return self._out(doc)

    def put(self, def_id: str | None, body: ReportDefinition, by: str | None) -> dict[str, Any]:
        """Create (``def_id`` None: a new id) or replace a definition; the query is checked as a run would."""
        body.query.check()
        if def_id is not None:
            self.get(def_id)
        doc_id = def_id or uuid.uuid4().hex[:12]
        stored = self.repo.put(KIND, doc_id, {"name": body.name, "query": body.query.public()},
                               self.clock.now(), by)
        return self._out(stored)

    def delete(self, def_id: str, by: str | None) -> None:
        self.get(def_id)
        self.repo.delete(KIND, def_id, self.clock.now(), by)
