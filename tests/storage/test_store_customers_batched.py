"""A first contact's new customer stored in the same transaction as the contact's events (ADR 0060), on SQLite and
PostgreSQL: the rows are there with its identity, the events' projections see it (last contact), a customer id or
an identity already stored is left as it is, and a refused append stores no customer."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine
from storage_events import T0, handled

from blendcc.adapters.storage.sql_repos import SqlCustomerRepository
from blendcc.adapters.storage.sql_store import SqlStore
from blendcc.domain.customer import NewCustomer


def test_the_customer_is_stored_with_the_events_and_seen_by_their_projections(sql_engine: Engine) -> None:
    store, customers = SqlStore(sql_engine), SqlCustomerRepository(sql_engine)
    new = NewCustomer("cu-1", (("phone", "+14155550100"),), "standard", "Ada", T0)
    seqs = store.append_with_customers(handled("c1", "a1", customer_id="cu-1"), [new])
    assert seqs and store.last_seq() == seqs[-1]
    found = customers.find_by_identity("phone", "+14155550100")
    assert found is not None and found["id"] == "cu-1" and found["name"] == "Ada"
    assert found["identities"] == [("phone", "+14155550100")]
    assert found["last_agent_id"] == "a1"  # the contact's projection updated the row stored just before
    assert store.interaction("c1")["customer_id"] == "cu-1"  # type: ignore[index]


def test_a_customer_or_identity_already_stored_is_left_as_it_is(sql_engine: Engine) -> None:
    store, customers = SqlStore(sql_engine), SqlCustomerRepository(sql_engine)
    customers.create("cu-old", [("chat", "visitor-7")], "gold", "Old", {}, T0)
    again = NewCustomer("cu-old", (("chat", "visitor-7"),), "standard", "Renamed", T0)
    racing = NewCustomer("cu-race", (("chat", "visitor-7"),), "standard", "Racer", T0)
    store.append_with_customers(handled("c1", "a1", customer_id="cu-old", channel="chat"), [again, again])
    store.append_with_customers(handled("c2", "a1", customer_id="cu-race", channel="chat"), [racing])
    old = customers.get("cu-old")
    assert old is not None and (old["name"], old["tier"]) == ("Old", "gold")
    assert customers.find_by_identity("chat", "visitor-7")["id"] == "cu-old"  # type: ignore[index]
    race = customers.get("cu-race")
    assert race is not None and race["identities"] == []  # the identity stays with its first holder


def test_a_refused_append_stores_no_customer(sql_engine: Engine) -> None:
    store, customers = SqlStore(sql_engine), SqlCustomerRepository(sql_engine)
    store.append(handled("c1", "a1"))
    new = NewCustomer("cu-2", (("email", "bob@example.com"),), "standard", "Bob", T0)
    with pytest.raises(ValueError):
        store.append_with_customers(handled("c1", "a1", customer_id="cu-2"), [new])  # c1 exists: refused
    assert customers.get("cu-2") is None
    assert customers.find_by_identity("email", "bob@example.com") is None
