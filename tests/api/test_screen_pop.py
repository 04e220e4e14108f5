"""The screen pop: in the offer on the agent's socket (customer, tags, last contacts, open conversations),
CRM data from a real HTTP stand-in (cached, with its headers), and a slow or failing CRM never delaying the
offer: the offer goes out and the CRM's outcome follows as its own message."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from blendcc.adapters.crm.http_lookup import HttpCrmLookup, check_template
from conftest import Api, seeded_api

from .crm_standin import CrmStandIn, crm_standin
from .test_ws import connect, receive


@pytest.fixture
def crm() -> Iterator[CrmStandIn]:
    with crm_standin() as server:
        yield server


@pytest.fixture
def pop_centre(db_url: str, clock: Any, fast_passwords: None, crm: CrmStandIn) -> Iterator[Api]:
    with seeded_api(db_url, clock, crm_url_template=crm.url + "/lookup?phone={phone}&email={email}&id={customer_id}",
                    crm_headers={"Authorization": "Bearer crm-key"}, crm_timeout_s=0.5,
                    crm_cache_ttl_s=60.0) as api:
        yield api


def _known_customer(api: Api) -> str:
    api.post("/api/customers", "sup", 201, json={
        "id": "cu-pop", "name": "Ada", "tier": "gold", "fields": {"account": "1815"}, "tags": ["vip"],
        "identities": [{"kind": "phone", "value": "+44 20 7946 0123"}, {"kind": "email", "value": "ada@x.org"}]})
    return "cu-pop"


def test_the_offer_carries_the_customer_and_the_crm_data_follows(pop_centre: Api, crm: CrmStandIn) -> None:
    api = pop_centre
    customer = _known_customer(api)
    earlier = api.new_contact(channel="email", caller_id="ada@x.org", text="old question")["contact_id"]
    # a1 takes calls only, so the email stays open in its queue while the call is offered
    api.put("/api/config/agents/a1", json={"name": "Ann", "queues": ["sales", "support"], "skills": {"tech": 3},
                                           "team_id": "t1", "capacity": {"limits": {"voice": 1}}})
    api.agent_login("a1")
    with connect(api, "/ws/agent", "ann") as ws:
        assert receive(ws)["stream"] == "snapshot"
        # the email waits in sales (a1 is voice only), the call is offered to a1
        call = api.new_contact(caller_id="+442079460123", ivr={"menu": "2"})
        assert call["offered_to"] == "a1"
        offer = receive(ws)
        assert offer["stream"] == "offer" and offer["contact_id"] == call["contact_id"]
        pop = offer["screen_pop"]
        assert (pop["customer"]["id"], pop["customer"]["tier"], pop["customer"]["tags"]) == (customer, "gold", ["vip"])
        assert pop["customer"]["fields"] == {"account": "1815"}
        assert [c["contact_id"] for c in pop["last_contacts"]] == [earlier]
        assert [c["contact_id"] for c in pop["open_conversations"]] == [earlier]
        follow = [receive(ws), receive(ws)]
        crm_msg = next(m for m in follow if m["stream"] == "screen_pop_crm")
        assert crm_msg["contact_id"] == call["contact_id"]
        assert crm_msg["crm"] == {"status": "ok", "error": None,
                                  "data": {"account": "ACME-+442079460123", "segment": "enterprise",
                                           "open_tickets": 2}}
    (request,) = crm.requests
    assert request["query"] == {"phone": "+442079460123", "email": "ada@x.org", "id": customer}
    assert request["auth"] == "Bearer crm-key" and request["path"] == "/lookup"
    # the same pop over REST: answered from the cache (no second request) until the TTL passes
    got = api.get(f"/api/contacts/{call['contact_id']}/screen-pop", "ann")
    assert got["crm"]["status"] == "ok" and got["customer"]["id"] == customer
    assert len(crm.requests) == 1
    api.clock.advance(61)
    assert api.get(f"/api/contacts/{call['contact_id']}/screen-pop", "sup")["crm"]["status"] == "ok"
    assert len(crm.requests) == 2
    api.error("GET", f"/api/contacts/{call['contact_id']}/screen-pop", 403, user="bob")
    api.error("GET", "/api/contacts/ghost/screen-pop", 404, user="sup")


def test_a_slow_crm_never_delays_the_offer(pop_centre: Api, crm: CrmStandIn) -> None:
    api = pop_centre
    _known_customer(api)
    crm.mode, crm.delay_s = "slow", 30.0  # far beyond the 0.5 s timeout: only the timeout ends the wait
    api.agent_login("a1")
    with connect(api, "/ws/agent", "ann") as ws:
        assert receive(ws)["stream"] == "snapshot"
        call = api.new_contact(caller_id="+442079460123", ivr={"menu": "2"})
        offer = receive(ws)
        assert offer["stream"] == "offer" and offer["screen_pop"]["customer"]["id"] == "cu-pop"
        state = receive(ws)
        assert state["type"] == "AgentStateChanged"  # the stream goes on while the CRM is still silent
        api.act("a1", call["contact_id"], "accept")
        msgs = [receive(ws) for _ in range(3)]
        crm_msg = next(m for m in msgs if m["stream"] == "screen_pop_crm")
        assert crm_msg["crm"]["status"] == "unavailable" and "Timeout" in crm_msg["crm"]["error"]
        assert {m.get("type") for m in msgs} >= {"ContactConnected"}
    crm.release.set()  # the CRM answers at once again: the failure was not cached
    assert api.get(f"/api/contacts/{call['contact_id']}/screen-pop", "ann")["crm"]["status"] == "ok"


def test_a_failing_crm_is_reported_and_not_cached(pop_centre: Api, crm: CrmStandIn) -> None:
    api = pop_centre
    _known_customer(api)
    crm.mode = "error"
    cid = api.new_contact(caller_id="+442079460123")["contact_id"]
    got = api.get(f"/api/contacts/{cid}/screen-pop", "sup")
    assert got["crm"] == {"status": "unavailable", "data": None, "error": "CRM answered HTTP 500"}
    assert got["customer"]["id"] == "cu-pop"
    crm.mode = "ok"
    assert api.get(f"/api/contacts/{cid}/screen-pop", "sup")["crm"]["status"] == "ok"
    assert len(crm.requests) == 2


def test_an_unknown_caller_gets_an_empty_pop_and_no_crm_call(pop_centre: Api, crm: CrmStandIn) -> None:
    cid = pop_centre.new_contact()["contact_id"]
    got = pop_centre.get(f"/api/contacts/{cid}/screen-pop", "sup")
    assert (got["customer"], got["last_contacts"], got["crm"]["status"]) == (None, [], "no_customer")
    assert crm.requests == []


def test_without_a_crm_the_pop_says_not_configured(centre: Any) -> None:
    cid = centre.new_contact(caller_id="+15550001")["contact_id"]
    got = centre.get(f"/api/contacts/{cid}/screen-pop", "sup")
    assert got["crm"]["status"] == "not_configured" and got["customer"] is not None


def test_url_templates_are_checked_and_values_encoded(clock: Any) -> None:
    with pytest.raises(ValueError, match="placeholder"):
        check_template("https://crm/lookup?x={secret}")
    with pytest.raises(ValueError, match="http"):
        check_template("ftp://crm/{phone}")
    lookup = HttpCrmLookup("https://crm/l?p={phone}&e={email}", clock)
    assert lookup.url({"phone": "+44 20&x=1", "email": None}) == "https://crm/l?p=%2B44%2020%26x%3D1&e="
