"""The communication plan end to end: a KPI playbook fires on live figures, mails reach a real SMTP server
(aiosmtpd) and texts the SMS provider stand-in, with the live figures filled in; nobody acknowledges, so the
next person is told after ``ack_within_s``; the acknowledgement link stops the escalation; repeats go on
while the crisis lasts and everyone told hears that it ended. Every message is an event in the log."""

from __future__ import annotations

import re
import socket
from collections.abc import Iterator
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from blendcc.adapters.manual_clock import FakeClock
from channels.standins import TwilioStandIn
from conftest import T0, seeded_api

SID, TOKEN = "AC" + "1" * 32, "secret-token"


class Sink:
    def __init__(self) -> None:
        self.mails: list[EmailMessage] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 -- aiosmtpd
        import email
        import email.policy

        msg = email.message_from_bytes(envelope.original_content or envelope.content, policy=email.policy.default)
        assert isinstance(msg, EmailMessage)
        self.mails.append(msg)
        return "250 2.0.0 queued"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@pytest.fixture
def providers() -> Iterator[tuple[Sink, int, TwilioStandIn]]:
    sink, port = Sink(), free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    twilio = TwilioStandIn(SID, TOKEN)
    try:
        yield sink, port, twilio
    finally:
        controller.stop()
        twilio.close()


PLAYBOOK: dict[str, Any] = {
    "name": "Queue flood",
    "triggers": [{"kind": "kpi", "metric": "waiting", "threshold": 2, "clear_at": 0, "for_s": 60, "clear_for_s": 60}],
    "actions": [{"kind": "banner", "text": "Long waits: $waiting waiting"}],
    "notify": [{
        "channels": ["email", "sms"],
        "recipients": [{"name": "Duty manager", "email": "duty@example.com", "phone": "+14155550101"}],
        "escalation": [{"name": "Head of service", "email": "head@example.com"},
                       {"name": "Director", "phone": "+14155550103"}],
        "ack_within_s": 300, "every_s": 900,
        "subject": "[$status] $playbook",
        "text": "$waiting waiting, longest $longest_wait_s s, since $started. Acknowledge: $ack_url"}]}


def test_notifications_reach_smtp_and_sms_and_escalate_until_acknowledged(
        sqlite_url: str, fast_passwords: None, providers: tuple[Sink, int, TwilioStandIn]) -> None:
    sink, port, twilio = providers
    clock = FakeClock(T0)
    overrides = {"email_relay_host": "127.0.0.1", "email_relay_port": port, "email_relay_security": "none",
                 "crisis_public_url": "https://centre.example.com",
                 "twilio": {"account_sid": SID, "auth_token": TOKEN, "base_url": twilio.url,
                            "numbers": {"main": {"id": "+14155550100"}}}}
    with seeded_api(sqlite_url, clock, **overrides) as api:
        svc = api.container.crisis
        svc.run = lambda fn: fn()  # send on the calling thread (live: a small pool)
        api.put("/api/crisis/playbooks/flood", "sup", json=PLAYBOOK)

        def tick(seconds: float) -> None:  # what the wallboard publisher does live
            api.advance(seconds)
            api.container.bus.publish("stats", {"type": "Stats", **api.container.views.wallboard()})

        waiting = [api.new_contact(channel="voice", caller_id=f"+1555000{i}")["contact_id"]  # nobody logged in
                   for i in range(3)]
        tick(0)
        tick(30)
        assert svc.active() == [] and sink.mails == []  # held 30 s of the 60 needed
        tick(30)
        (crisis,) = svc.active()
        mails = [(m["To"], m["Subject"]) for m in sink.mails]
        assert mails == [("duty@example.com", "[started] Queue flood")]
        body = sink.mails[0].get_content()
        assert body.startswith("3 waiting, longest 60 s, since 2024-01-15T09:01:00+00:00.")
        link = re.search(r"https://centre\.example\.com(/crisis/ack/\S+)", body)
        assert link is not None
        assert [(s["To"], s["From"]) for s in twilio.sent()] == [("+14155550101", "+14155550100")]
        assert twilio.sent()[0]["Body"] == body.strip()
        # nobody acknowledges: after 300 s the head of service, after 600 s the director (by SMS)
        tick(299)
        assert len(sink.mails) == 1
        tick(1)
        assert [m["To"] for m in sink.mails] == ["duty@example.com", "head@example.com"]
        # the head of service follows the link in the mail: no sign-in needed; the escalation stops
        head_link = re.search(r"https://centre\.example\.com(/crisis/ack/\S+)", sink.mails[1].get_content())
        assert head_link is not None and head_link.group(1) != link.group(1)
        ack = api.get(head_link.group(1), user=None)
        assert ack["acknowledged_by"] == "link:Head of service" and ack["crisis_id"] == crisis["id"]
        tick(300)
        assert len(twilio.sent()) == 1  # the director was never texted
        # the repeat every 900 s goes to everyone told so far; the end to the same people
        tick(300)
        assert [m["To"] for m in sink.mails][2:] == ["duty@example.com", "head@example.com"]
        assert sink.mails[2]["Subject"] == "[ongoing] Queue flood"
        assert len(twilio.sent()) == 2
        for cid in waiting:  # the callers give up: nobody waits any more
            api.post(f"/api/contacts/{cid}/hangup", "sup")
        tick(1)
        tick(60)
        assert svc.active() == []
        assert [m["Subject"] for m in sink.mails][4:] == ["[ended] Queue flood", "[ended] Queue flood"]
        sent = [s.event for s in api.container.store.events_of_type(["CrisisNotificationSent"])]
        assert [(e.reason, e.channel, e.recipient, e.error) for e in sent] == [
            ("start", "email", "Duty manager", None), ("start", "sms", "Duty manager", None),
            ("escalation", "email", "Head of service", None),
            ("repeat", "email", "Duty manager", None), ("repeat", "sms", "Duty manager", None),
            ("repeat", "email", "Head of service", None),
            ("end", "email", "Duty manager", None), ("end", "sms", "Duty manager", None),
            ("end", "email", "Head of service", None)]
        types = [s.event.type for s in api.container.store.events_of_type(["CrisisEscalated", "CrisisAcknowledged"])]
        assert types == ["CrisisEscalated", "CrisisAcknowledged"]
        # an unknown or spent link is a clean 404
        api.error("GET", head_link.group(1), 404, user=None)
        api.error("POST", "/crisis/ack/" + "x" * 20, 404, user=None)


def test_a_failing_channel_is_recorded_and_the_plan_goes_on(
        sqlite_url: str, fast_passwords: None, providers: tuple[Sink, int, TwilioStandIn]) -> None:
    sink, port, twilio = providers
    clock = FakeClock(T0)
    overrides = {"email_relay_host": "127.0.0.1", "email_relay_port": port, "email_relay_security": "none",
                 "twilio": {"account_sid": SID, "auth_token": TOKEN, "base_url": twilio.url,
                            "numbers": {"main": {"id": "+14155550100"}}}}
    with seeded_api(sqlite_url, clock, **overrides) as api:
        api.container.crisis.run = lambda fn: fn()
        twilio.fail(1, 400, TwilioStandIn.error(400, 21610, "Attempt to send to unsubscribed recipient"))
        api.put("/api/crisis/playbooks/sw", "sup", json={"triggers": [{"kind": "switch"}], "notify": [{
            "channels": ["sms", "email", "webhook"], "at_end": False, "text": "Outage ($minutes min)",
            "recipients": [{"name": "Duty", "phone": "+14155550101", "email": "duty@example.com"}]}]})
        api.post("/api/crisis/playbooks/sw/switch", "sup", json={"on": True})
        sent = [s.event for s in api.container.store.events_of_type(["CrisisNotificationSent"])]
        assert [(e.channel, e.error is None) for e in sent] == [("sms", False), ("email", True)]
        assert [m.get_content().strip() for m in sink.mails] == ["Outage (0 min)"]


def test_with_nobody_acknowledging_the_whole_escalation_chain_is_told(
        sqlite_url: str, fast_passwords: None, providers: tuple[Sink, int, TwilioStandIn]) -> None:
    sink, port, twilio = providers
    clock = FakeClock(T0)
    overrides = {"email_relay_host": "127.0.0.1", "email_relay_port": port, "email_relay_security": "none",
                 "twilio": {"account_sid": SID, "auth_token": TOKEN, "base_url": twilio.url,
                            "numbers": {"main": {"id": "+14155550100"}}}}
    with seeded_api(sqlite_url, clock, **overrides) as api:
        svc = api.container.crisis
        svc.run = lambda fn: fn()
        api.put("/api/crisis/playbooks/sw", "sup", json={**PLAYBOOK, "triggers": [{"kind": "switch"}]})
        api.post("/api/crisis/playbooks/sw/switch", "sup", json={"on": True})
        for step in (300, 300, 250):  # the head of service, the director, then nobody is left (no repeat yet)
            api.advance(step)
            svc.evaluate()
        assert [m["To"] for m in sink.mails] == ["duty@example.com", "head@example.com"]
        assert [s["To"] for s in twilio.sent()] == ["+14155550101", "+14155550103"]
        assert twilio.sent()[1]["Body"].startswith("n/a waiting")  # no wallboard frame seen yet: not known
        assert "Acknowledge: /crisis/ack/" in twilio.sent()[1]["Body"]  # no public URL set: the path
        steps = [s.event.step for s in api.container.store.events_of_type(["CrisisEscalated"])]
        assert steps == [0, 1]
