"""Paging standby and temporary agents, and recipients by role or team: the playbook's ``page`` action reaches
the named users, a team and the active temporary batch at their stored email (a real SMTP server) and phone
(the SMS provider stand-in); ending the crisis tells exactly the same people to stand down. A notify rule's
recipient by role is resolved when each message is sent (a user given an email meanwhile is told)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from blendcc.adapters.manual_clock import FakeClock
from channels.standins import TwilioStandIn
from conftest import PASSWORD, T0, seeded_api
from crisis.test_notifications import SID, TOKEN, free_port

PLAYBOOK: dict[str, Any] = {
    "name": "Storm",
    "triggers": [{"kind": "switch"}],
    "actions": [{"kind": "page", "users": ["cy"], "team": "t1", "temporary": True, "channels": ["email", "sms"],
                 "text": "$playbook: please log in now (since $started).", "stand_down": "$playbook: stand down."}],
    "notify": [{"channels": ["email"], "recipients": [{"name": "Supervisors", "role": "supervisor"}],
                "every_s": 600, "at_end": False, "subject": "[$status] $playbook", "text": "$playbook is $status"}]}


@pytest.fixture
def providers() -> Iterator[tuple[Any, int, TwilioStandIn]]:
    from aiosmtpd.controller import Controller

    from crisis.test_notifications import Sink

    sink, port = Sink(), free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    twilio = TwilioStandIn(SID, TOKEN)
    try:
        yield sink, port, twilio
    finally:
        controller.stop()
        twilio.close()


def test_page_and_stand_down_the_same_people_and_notify_by_role(
        sqlite_url: str, fast_passwords: None, providers: tuple[Any, int, TwilioStandIn]) -> None:
    sink, port, twilio = providers
    overrides = {"email_relay_host": "127.0.0.1", "email_relay_port": port, "email_relay_security": "none",
                 "twilio": {"account_sid": SID, "auth_token": TOKEN, "base_url": twilio.url,
                            "numbers": {"main": {"id": "+14155550100"}}}}
    with seeded_api(sqlite_url, FakeClock(T0), **overrides) as api:
        svc = api.container.crisis
        svc.run = lambda fn: fn()  # send on the calling thread (live: a small pool)
        # addresses: ann and bob are team t1's agents, cy is named, sup the team's supervisor and the role
        api.patch("/api/users/ann", json={"email": "ann@example.com", "phone": "+14155550111"})
        api.patch("/api/users/bob", json={"phone": "+14155550112"})
        api.patch("/api/users/cy", json={"email": "cy@example.com"})
        assert api.get("/api/users/cy")["email"] == "cy@example.com"
        made = api.post("/api/temp-agents/batches", "sup", 201, json={
            "name": "Helpers", "expires_at": T0 + 3600,
            "csv": "name,email,skills,phone\nTia,tia@example.com,tech:1,+14155550113\n"})
        assert made["batch"]["agents"][0]["username"] == "tia@example.com"
        api.put("/api/crisis/playbooks/storm", "sup", json=PLAYBOOK)

        api.post("/api/crisis/playbooks/storm/switch", "sup", json={"on": True})
        (crisis,) = svc.active()
        paged = sorted((m["To"], m["Subject"]) for m in sink.mails if "log in" in m.get_content())
        assert paged == [("ann@example.com", "Standby call: Storm"), ("cy@example.com", "Standby call: Storm"),
                         ("tia@example.com", "Standby call: Storm")]
        assert sorted(s["To"] for s in twilio.sent()) == ["+14155550111", "+14155550112", "+14155550113"]
        assert all(s["Body"].startswith("Storm: please log in now") for s in twilio.sent())
        # the supervisor role has no address yet: the start message reaches nobody; given one, the repeat does
        assert not any(m["Subject"] == "[started] Storm" for m in sink.mails)
        api.patch("/api/users/sup", json={"email": "sup@example.com"})
        api.clock.advance(600)
        svc.evaluate()
        assert [(m["To"], m["Subject"]) for m in sink.mails if m["Subject"].startswith("[")] == [
            ("sup@example.com", "[ongoing] Storm")]
        applied = [s.event for s in api.container.store.events_of_type(["CrisisActionApplied"])]
        assert applied[0].detail == {"paged": ["ann", "bob", "cy", "tia@example.com"], "messages": 6}

        # a user given an address after the page is not told to stand down: exactly those paged are
        api.patch("/api/users/bob", json={"email": "bob@example.com"})
        before_mail, before_sms = len(sink.mails), len(twilio.sent())
        api.post("/api/crisis/playbooks/storm/switch", "sup", json={"on": False})
        assert svc.active() == []
        down = sorted(m["To"] for m in sink.mails[before_mail:])
        assert down == ["ann@example.com", "cy@example.com", "tia@example.com"]
        assert all(m.get_content().strip() == "Storm: stand down." for m in sink.mails[before_mail:])
        assert sorted(s["To"] for s in twilio.sent()[before_sms:]) == ["+14155550111", "+14155550112",
                                                                        "+14155550113"]
        sent = [s.event for s in api.container.store.events_of_type(["CrisisNotificationSent"])]
        assert sorted((e.reason, e.recipient, e.channel) for e in sent if e.reason in ("page", "stand_down")) == sorted(
            [(r, n, c) for r in ("page", "stand_down") for n, c in
             [("ann", "email"), ("ann", "sms"), ("bob", "sms"), ("cy", "email"), ("tia@example.com", "email"),
              ("tia@example.com", "sms")]])
        assert all(e.error is None and e.crisis_id == crisis["id"] for e in sent)
        reverted = [s.event for s in api.container.store.events_of_type(["CrisisActionReverted"])]
        assert reverted[0].detail == {"stood_down": ["ann", "bob", "cy", "tia@example.com"], "messages": 6}


def test_an_expired_or_deactivated_user_is_never_paged(sqlite_url: str, fast_passwords: None) -> None:
    with seeded_api(sqlite_url, FakeClock(T0)) as api:
        api.patch("/api/users/ann", json={"email": "ann@example.com", "active": False})
        api.put("/api/users/temp", json={"password": PASSWORD, "role": "agent", "agent_id": "a2",
                                         "email": "temp@example.com"})
        api.container.auth.users.put(__import__("dataclasses").replace(
            api.container.auth.users.get("temp"), expires_at=T0 + 60))
        directory = api.container.crisis.directory
        assert [r.name for r in directory.people(role="agent")] == ["temp"]
        api.clock.advance(60)
        assert directory.people(role="agent") == []


def test_page_needs_somebody_and_recipients_need_an_address_role_or_team(centre: Any) -> None:
    bad = {**PLAYBOOK, "actions": [{"kind": "page", "text": "hi"}]}
    assert "page whom" in centre.error("PUT", "/api/crisis/playbooks/x", 422, user="sup", json=bad)["detail"]
    bad = {**PLAYBOOK, "actions": [], "notify": [{"channels": ["email"], "recipients": [{"name": "Nobody"}],
                                                  "text": "x"}]}
    assert "a role or a team" in centre.error("PUT", "/api/crisis/playbooks/x", 422, user="sup", json=bad)["detail"]
    centre.error("PATCH", "/api/users/ann", 422, json={"phone": "0123"})
