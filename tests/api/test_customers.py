"""Customers over REST: create with identities, find by identity, change tier (which then routes), history."""

from __future__ import annotations

from typing import Any


def test_customer_tier_drives_routing_and_history_follows(centre: Any) -> None:
    wf = centre.get("/api/config/workflows/main")
    wf["filters"].insert(0, {"name": "gold", "expression": "tier == 'gold'", "targets": [{"queue": "billing"}]})
    centre.put("/api/config/workflows/main", json=wf)
    made = centre.post("/api/customers", "sup", 201, json={
        "name": "Grace", "identities": [{"kind": "phone", "value": "+44 20 7946 0001"},
                                        {"kind": "email", "value": "Grace@Example.com"}]})
    cust = made["id"]
    assert made["tier"] == "standard"
    # identities are normalised: other spellings find the same customer
    assert centre.get("/api/customers?kind=phone&value=%2B442079460001", "sup")["id"] == cust
    assert centre.get("/api/customers?kind=email&value=grace@example.com", "sup")["id"] == cust
    first = centre.new_contact(caller_id="+44 20 7946 0001")
    assert (first["customer_id"], first["queue_id"]) == (cust, "sales")
    assert centre.patch(f"/api/customers/{cust}", "sup", json={"tier": "gold"})["tier"] == "gold"
    second = centre.new_contact(caller_id="+442079460001")
    assert (second["customer_id"], second["queue_id"]) == (cust, "billing")
    linked = centre.post(f"/api/customers/{cust}/identities", "sup", json={"kind": "chat", "value": "web-77"})
    assert ["chat", "web-77"] in [list(i) for i in linked["identities"]]
    third = centre.new_contact(channel="chat", caller_id="web-77")
    assert third["customer_id"] == cust
    history = centre.get(f"/api/customers/{cust}", "sup")["interactions"]
    assert {h["contact_id"] for h in history} == {first["contact_id"], second["contact_id"], third["contact_id"]}


def test_customer_errors_are_clear(centre: Any) -> None:
    centre.post("/api/customers", "sup", 201, json={"id": "c-1", "identities": [{"kind": "phone", "value": "+1555"}]})
    assert "already" in centre.error("POST", "/api/customers", 409, user="sup",
                                     json={"identities": [{"kind": "phone", "value": "+1 555"}]})["detail"]
    centre.error("GET", "/api/customers?kind=phone&value=%2B1999", 404, user="sup")
    centre.error("PATCH", "/api/customers/nobody", 404, user="sup", json={"tier": "gold"})
    centre.error("PATCH", "/api/customers/c-1", 422, user="sup", json={"colour": "red"})
    centre.error("POST", "/api/customers", 422, user="sup", json={"identities": [{"kind": "fax", "value": "1"}]})
    centre.error("POST", "/api/customers", 403, user="ann", json={})
