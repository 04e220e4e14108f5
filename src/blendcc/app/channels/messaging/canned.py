"""Canned-response use cases: who may see and manage which, the agent's ``/`` search, and filling the
placeholders for a contact (customer, agent, contact)."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from typing import Any

from blendcc.app.admin.auth import Principal
from blendcc.app.admin.configuration import ConfigService
from blendcc.content_ports import CannedRepository
from blendcc.domain.canned import FIELDS_PREFIX, CannedResponse, render, search
from blendcc.domain.errors import Forbidden, NotFound, ValidationFailed
from blendcc.ports import Clock, CustomerRepository, ReportReader


class CannedService:
    def __init__(self, repo: CannedRepository, config: ConfigService, customers: CustomerRepository,
                 reader: ReportReader, clock: Clock, new_id: Callable[[], str] | None = None) -> None:
        self.repo = repo
        self.config = config
        self.customers = customers
        self.reader = reader
        self.clock = clock
        self.new_id = new_id or (lambda: uuid.uuid4().hex[:12])

    # ------------------------------------------------------------------ who sees and manages what

    def _visible(self, p: Principal, r: CannedResponse) -> bool:
        if p.at_least("supervisor"):
            return True
        if r.scope == "personal":
            return r.owner == p.agent_id
        agent = self.config.catalog.agents.get(p.agent_id or "")
        if agent is None:
            return False
        return r.owner in agent.queues if r.scope == "queue" else r.owner in agent.skills

    def _check_manage(self, p: Principal, r: CannedResponse) -> None:
        """An agent manages only its personal responses; team (queue/skill) ones need a supervisor."""
        if r.scope == "personal":
            if p.agent_id != r.owner:
                raise Forbidden("a personal canned response belongs to its agent alone")
            if r.owner not in self.config.catalog.agents:
                raise ValidationFailed(f"agent {r.owner!r} is not configured")
            return
        p.require("supervisor")
        known = (self.config.catalog.queues if r.scope == "queue"
                 else {getattr(s, "id", None) for s in self.config.list("skills")})
        if r.owner not in known:
            raise ValidationFailed(f"{r.scope} {r.owner!r} is not configured")

    def _existing(self, p: Principal, response_id: str) -> CannedResponse:
        r = self.repo.get(response_id)
        if r is None or not self._visible(p, r):
            raise NotFound(f"canned response {response_id} does not exist")
        return r

    # ------------------------------------------------------------------ use cases

    def find(self, p: Principal, query: str = "", limit: int = 20) -> list[CannedResponse]:
        """The responses ``p`` may use that match ``query`` (the agent's ``/`` shortcut)."""
        return search((r for r in self.repo.list() if self._visible(p, r)), query, limit)

    def get(self, p: Principal, response_id: str) -> CannedResponse:
        return self._existing(p, response_id)

    def save(self, p: Principal, body: Mapping[str, Any], response_id: str | None = None) -> CannedResponse:
        """Create (``response_id`` None) or replace a response; the scope rules apply to the old and the new."""
        if response_id is not None:
            self._check_manage(p, self._existing(p, response_id))
        try:
            r = CannedResponse.model_validate({**body, "id": response_id or self.new_id(),
                                               "updated_at": self.clock.now(), "updated_by": p.username})
        except ValueError as exc:
            raise ValidationFailed(str(exc).splitlines()[-1] if str(exc) else "invalid canned response") from None
        self._check_manage(p, r)
        self.repo.put(r)
        return r

    def delete(self, p: Principal, response_id: str) -> None:
        r = self._existing(p, response_id)
        self._check_manage(p, r)
        self.repo.delete(response_id)

    def render(self, p: Principal, response_id: str, contact_id: str) -> dict[str, Any]:
        """The response's text for ``contact_id`` with its placeholders filled, and those left empty."""
        r = self._existing(p, response_id)
        text, missing = render(r.body, self.values(p, contact_id))
        return {"id": r.id, "contact_id": contact_id, "text": text, "missing": missing}

    def values(self, p: Principal, contact_id: str) -> dict[str, str]:
        """Placeholder values for ``contact_id``: the contact, its customer and the agent ``p``."""
        row = self.reader.interaction(contact_id)
        if row is None:
            raise NotFound(f"contact {contact_id} does not exist")
        attrs = row.get("attributes") or {}
        out = {"contact.id": contact_id, "contact.channel": str(row.get("channel") or ""),
               "contact.subject": str(attrs.get("subject") or ""), "contact.queue": str(row.get("queue_id") or "")}
        agent = self.config.catalog.agents.get(p.agent_id or "")
        if agent is not None:
            out["agent.id"] = agent.id
            out["agent.name"] = agent.name or agent.id
        customer = self.customers.get(row["customer_id"]) if row.get("customer_id") else None
        if customer is not None:
            out["customer.id"] = str(customer.get("id") or "")
            out["customer.name"] = str(customer.get("name") or "")
            out["customer.tier"] = str(customer.get("tier") or "")
            for kind, value in customer.get("identities") or ():
                if kind in ("email", "phone"):
                    out.setdefault(f"customer.{kind}", str(value))
            for name, value in (customer.get("fields") or {}).items():
                if isinstance(value, str | int | float) and not isinstance(value, bool):
                    out[FIELDS_PREFIX + str(name)] = str(value)
        return out
