"""The SIP trunk's health by OPTIONS (on a manual clock): answered is healthy, 5xx or no answer (timer F) is
not, each change reported once; and a trunk taken down triggers the outage playbook, which puts the centre in
emergency mode until the trunk answers again."""

from __future__ import annotations

from typing import Any

from sip_fakes import PEER, Harness

from blendcc.adapters.channels.sip.message import response
from blendcc.adapters.channels.sip.transaction import T1
from blendcc.adapters.channels.sip.trunk import TrunkMonitor


def answer(h: Harness, status: int) -> None:
    (options,) = [m for m in h.wire.take() if m.method == "OPTIONS"]
    h.rx(response(options, status, to_tag="trk").encode())


def test_options_answers_and_silence_make_the_trunk_healthy_or_not() -> None:
    h = Harness()
    reports: list[tuple[str, bool, str]] = []
    monitor = TrunkMonitor(h.edge, PEER, lambda *r: reports.append(r), interval_s=30)
    monitor.start()
    sent = h.wire.messages()
    assert [(m.method, m.uri, m.cseq) for m in sent] == [("OPTIONS", "sip:127.0.0.1:5061", (1, "OPTIONS"))]
    answer(h, 200)
    assert reports == [("sip:trunk", True, "OPTIONS answered 200")]
    h.loop.advance(30)
    answer(h, 200)  # the same again: no new report
    h.loop.advance(30)
    assert [m.method for m in h.wire.messages()] == ["OPTIONS"]
    h.loop.advance(64 * T1)  # the trunk is down: nothing answers, the transaction times out (timer F)
    assert reports[1:] == [("sip:trunk", False, "no answer to OPTIONS")]
    assert len(h.wire.take()) > 1  # retransmitted before giving up
    h.loop.advance(30)
    answer(h, 503)
    assert len(reports) == 2  # still unhealthy
    h.loop.advance(30)
    answer(h, 405)  # any final answer below 500: the trunk is there
    assert reports[2:] == [("sip:trunk", True, "OPTIONS answered 405")]
    monitor.stop()
    h.loop.advance(120)
    assert h.wire.take() == [] and monitor.probes == 5


def test_a_trunk_taken_down_triggers_the_outage_playbook(centre: Any) -> None:
    crisis = centre.container.crisis
    centre.put("/api/crisis/playbooks/trunk-outage", "sup", json={
        "name": "Trunk outage",
        "triggers": [{"kind": "channel", "channel": "sip:trunk", "for_s": 0, "clear_for_s": 0}],
        "actions": [{"kind": "emergency", "scope": "*", "mode": "closed", "message": "Phone lines are down"}]})
    h = Harness()
    monitor = TrunkMonitor(h.edge, PEER, lambda ch, ok, detail: crisis.set_health(ch, ok, detail, "sip-options"))
    monitor.start()
    answer(h, 200)
    assert centre.get("/api/crisis/active", "sup") == []
    h.loop.advance(30 + 64 * T1)  # the next OPTIONS gets no answer
    (active,) = centre.get("/api/crisis/active", "sup")
    assert active["triggers"] == ["channel sip:trunk unhealthy"]
    assert [(m["scope"], m["mode"]) for m in centre.get("/api/crisis/status", "ann")["emergency"]] == [("*", "closed")]
    assert centre.new_contact(channel="chat", caller_id="web-1", text="hi")["state"] == "rejected"
    health = centre.get("/api/crisis/health", "sup")
    assert [(x["channel"], x["healthy"], x["by"]) for x in health] == [("sip:trunk", False, "sip-options")]
    h.wire.take()
    h.loop.advance(30)
    answer(h, 200)  # back
    assert centre.get("/api/crisis/active", "sup") == []
    assert centre.get("/api/crisis/status", "sup")["emergency"] == []
    assert centre.new_contact(channel="chat", caller_id="web-2", text="hi")["state"] == "queued"
    monitor.stop()
