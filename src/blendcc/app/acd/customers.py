"""Customer use cases: create, update (tier, name, fields), link identities, and the whole history."""

from __future__ import annotations

import uuid
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from blendcc.app.acd.limits import FreeForm
from blendcc.domain.customer import IdentityKind
from blendcc.domain.errors import NotFound
from blendcc.ports import Clock, CustomerRepository, ReportReader


class Identity(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: IdentityKind
    value: str = Field(min_length=1, max_length=256)


class NewCustomer(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str | None = Field(default=None, min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.\-]+$")
    name: str = Field(default="", max_length=200)
    tier: str = Field(default="standard", min_length=1, max_length=32)
    fields: FreeForm = Field(default_factory=dict, description="JSON values; limits in docs/security.md")
    identities: list[Identity] = Field(default_factory=list, max_length=50)


class CustomerChanges(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, max_length=200)
    tier: str | None = Field(default=None, min_length=1, max_length=32)
    fields: FreeForm | None = None


class CustomerService:
    def __init__(self, customers: CustomerRepository, reader: ReportReader, clock: Clock):
        self.customers = customers
        self.reader = reader
        self.clock = clock

    def create(self, req: NewCustomer) -> dict[str, Any]:
        customer_id = req.id or "cu-" + uuid.uuid4().hex[:20]
        identities = [(i.kind.value, i.value) for i in req.identities]
        return dict(self.customers.create(customer_id, identities, req.tier, req.name, req.fields, self.clock.now()))

    def update(self, customer_id: str, changes: CustomerChanges) -> dict[str, Any]:
        values = changes.model_dump(exclude_none=True)
        found = self.customers.update(customer_id, values)
        if found is None:
            raise NotFound(f"customer {customer_id} does not exist")
        return dict(found)

    def add_identity(self, customer_id: str, identity: Identity) -> dict[str, Any]:
        self.customers.add_identity(customer_id, identity.kind.value, identity.value)
        return self.get(customer_id, history=False)

    def find(self, kind: IdentityKind, value: str) -> dict[str, Any]:
        from blendcc.domain.customer import normalise_identity

        found = self.customers.find_by_identity(kind.value, normalise_identity(kind, value))
        if found is None:
            raise NotFound(f"no customer has {kind.value} {value!r}")
        return dict(found)

    def get(self, customer_id: str, history: bool = True) -> dict[str, Any]:
        found = self.customers.get(customer_id)
        if found is None:
            raise NotFound(f"customer {customer_id} does not exist")
        out = dict(found)
        if history:
            out["interactions"] = self.reader.interactions(customer_id=customer_id, limit=200)
        return out
