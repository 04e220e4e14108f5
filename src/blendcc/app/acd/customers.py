"""Customer use cases: create, update (tier, name, fields), tags, link identities, and the whole history."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from blendcc.app.acd.limits import FreeForm
from blendcc.domain.customer import IdentityKind, normalise_identity
from blendcc.domain.errors import InvalidState, NotFound, ValidationFailed
from blendcc.ports import Clock, CustomerRepository, ReportReader

#: identity kinds the automatic merge rule trusts once verified
VERIFIABLE = frozenset({IdentityKind.EMAIL, IdentityKind.PHONE})

_TAG = re.compile(r"[A-Za-z0-9_.:\-]{1,64}")


class Identity(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: IdentityKind
    value: str = Field(min_length=1, max_length=256)
    verified: bool = Field(default=False, description="the centre verified the customer owns it (email or phone): "
                                                      "with the auto-merge rule on, its other owner is merged in")


class NewCustomer(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str | None = Field(default=None, min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.\-]+$")
    name: str = Field(default="", max_length=200)
    tier: str = Field(default="standard", min_length=1, max_length=32)
    fields: FreeForm = Field(default_factory=dict, description="JSON values; limits in docs/security.md")
    identities: list[Identity] = Field(default_factory=list, max_length=50)
    tags: list[str] = Field(default_factory=list, max_length=50)


class CustomerChanges(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, max_length=200)
    tier: str | None = Field(default=None, min_length=1, max_length=32)
    fields: FreeForm | None = None


class TagChanges(BaseModel):
    model_config = ConfigDict(extra="forbid")

    add: list[str] = Field(default_factory=list, max_length=50)
    remove: list[str] = Field(default_factory=list, max_length=50)


def check_tags(tags: list[str]) -> list[str]:
    for tag in tags:
        if not _TAG.fullmatch(tag):
            raise ValidationFailed(f"bad tag {tag[:70]!r}: 1-64 letters, digits, '_', '.', ':' or '-'")
    return tags


class CustomerService:
    def __init__(self, customers: CustomerRepository, reader: ReportReader, clock: Clock,
                 region: str | None = None):
        self.customers = customers
        self.reader = reader
        self.clock = clock
        self.region = region  # national phone numbers' region (Settings.phone_region)
        #: the automatic merge rule (set by bootstrap when Settings.customer_auto_merge is on):
        #: merge(into, source) of the customer verifying an identity another customer holds
        self.auto_merge: Callable[[str, str], Any] | None = None

    def normalise(self, kind: IdentityKind, value: str) -> str:
        return normalise_identity(kind, value, self.region)

    def create(self, req: NewCustomer) -> dict[str, Any]:
        customer_id = req.id or "cu-" + uuid.uuid4().hex[:20]
        identities = [(i.kind.value, self.normalise(i.kind, i.value)) for i in req.identities]
        check_tags(req.tags)
        created = dict(self.customers.create(customer_id, identities, req.tier, req.name, req.fields,
                                             self.clock.now()))
        if req.tags:
            created = dict(self.customers.change_tags(customer_id, req.tags, ()))
        return created

    def update(self, customer_id: str, changes: CustomerChanges) -> dict[str, Any]:
        values = changes.model_dump(exclude_none=True)
        found = self.customers.update(customer_id, values)
        if found is None:
            raise NotFound(f"customer {customer_id} does not exist")
        return dict(found)

    def change_tags(self, customer_id: str, changes: TagChanges) -> dict[str, Any]:
        return dict(self.customers.change_tags(customer_id, check_tags(changes.add), check_tags(changes.remove)))

    def with_tag(self, tag: str, limit: int = 100, offset: int = 0) -> list[dict[str, Any]]:
        return [dict(c) for c in self.customers.with_tag(tag, limit, offset)]

    def add_identity(self, customer_id: str, identity: Identity) -> dict[str, Any]:
        value = self.normalise(identity.kind, identity.value)
        try:
            self.customers.add_identity(customer_id, identity.kind.value, value)
        except InvalidState:
            owner = self.customers.find_by_identity(identity.kind.value, value)
            if (owner is None or not identity.verified or identity.kind not in VERIFIABLE
                    or self.auto_merge is None):
                raise
            self.auto_merge(customer_id, owner["id"])  # the rule: a verified identity merges its holder in
        return self.get(customer_id, history=False)

    def find(self, kind: IdentityKind, value: str) -> dict[str, Any]:
        found = self.customers.find_by_identity(kind.value, self.normalise(kind, value))
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
