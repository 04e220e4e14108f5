"""A first contact's new customer is stored by the single writer with the contact's events (ADR 0060): first contacts
from one new address arriving together share one customer holding that address; a refused contact leaves no
customer behind."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from blendcc.app.acd.contacts import NewContact
from blendcc.domain.errors import InvalidState


def test_first_contacts_from_one_new_address_together_share_one_customer(centre: Any) -> None:
    contacts = centre.container.contacts
    assert contacts.batched_customers  # the SQL store stores customers in the writer's transaction

    def first(n: int) -> dict[str, Any]:
        out: dict[str, Any] = contacts.create(NewContact(channel="chat", contact_id=f"burst-{n}",
                                                         caller_id="visitor-new", customer_name="Newcomer"))
        return out

    with ThreadPoolExecutor(8) as pool:
        outs = list(pool.map(first, range(16)))
    ids = {o["customer_id"] for o in outs}
    assert len(ids) == 1
    customer = centre.get(f"/api/customers/{ids.pop()}", user="sup")
    assert customer["name"] == "Newcomer" and ["chat", "visitor-new"] in customer["identities"]
    assert sorted(i["contact_id"] for i in customer["interactions"]) == sorted(f"burst-{n}" for n in range(16))


def test_a_refused_contact_leaves_no_customer(centre: Any) -> None:
    centre.new_contact(channel="chat", contact_id="dup-1", caller_id="visitor-a")
    with pytest.raises(InvalidState):  # a retried id: refused by the writer, nothing stored
        centre.container.contacts.create(NewContact(channel="chat", contact_id="dup-1", caller_id="visitor-b"))
    assert centre.container.contacts.customers.find_by_identity("chat", "visitor-b") is None
    again = centre.new_contact(channel="chat", caller_id="visitor-b")  # the address still gets its customer
    assert centre.get(f"/api/customers/{again['customer_id']}", user="sup")["identities"] == [["chat", "visitor-b"]]
