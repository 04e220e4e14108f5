"""The screen pop an agent gets with an offer: the customer, its last contacts and open conversations (from
the projections), and the CRM's data (fetched asynchronously, never delaying the offer)."""

from __future__ import annotations

from typing import Any

from blendcc.domain.customer import CrmUnavailable
from blendcc.ports import CrmLookup, CustomerRepository, ReportReader

#: merged customers point to the customer they were merged into; follow at most this many links
_MAX_LINKS = 10
_OPEN_SCAN = 200


def crm_identities(customer: dict[str, Any]) -> dict[str, str]:
    """The first identity of each kind, the id and name: what the CRM URL template may use."""
    out: dict[str, str] = {"customer_id": customer["id"], "name": customer.get("name") or ""}
    for kind, value in customer.get("identities", ()):
        out.setdefault(kind, value)
    return out


class ScreenPop:
    def __init__(self, customers: CustomerRepository, reader: ReportReader, crm: CrmLookup | None = None,
                 last_contacts: int = 5):
        self.customers = customers
        self.reader = reader
        self.crm_lookup = crm
        self.last_contacts = last_contacts

    def _customer(self, customer_id: str | None) -> dict[str, Any] | None:
        for _ in range(_MAX_LINKS):
            if customer_id is None:
                return None
            found = self.customers.get(customer_id)
            if found is None:
                return None
            if not found.get("merged_into"):
                return dict(found)
            customer_id = found["merged_into"]
        return None

    def local(self, contact_id: str, customer_id: str | None = None) -> dict[str, Any]:
        """Everything but the CRM data: read from the projections (not from the engine)."""
        if customer_id is None:  # the offer names its customer: no need to read the contact's row
            row = self.reader.interaction(contact_id)
            customer_id = row.get("customer_id") if row is not None else None
        customer = self._customer(customer_id)
        if customer is None:
            return {"contact_id": contact_id, "customer": None, "last_contacts": [], "open_conversations": []}
        others = [r for r in self.reader.interactions(customer_id=customer["id"], limit=_OPEN_SCAN)
                  if r["contact_id"] != contact_id]
        return {"contact_id": contact_id, "customer": customer,
                "last_contacts": others[:self.last_contacts],
                "open_conversations": [r for r in others if r["state"] != "closed"]}

    async def crm(self, customer: dict[str, Any] | None) -> dict[str, Any]:
        """``{"status": "ok", "data": {...}}``, or status ``unavailable`` (with the error),
        ``not_configured`` or ``no_customer``."""
        if self.crm_lookup is None:
            return {"status": "not_configured", "data": None, "error": None}
        if customer is None:
            return {"status": "no_customer", "data": None, "error": None}
        try:
            data = await self.crm_lookup.lookup(crm_identities(customer))
        except CrmUnavailable as exc:
            return {"status": "unavailable", "data": None, "error": str(exc)}
        return {"status": "ok", "data": data, "error": None}
