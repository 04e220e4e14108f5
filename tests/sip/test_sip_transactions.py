"""RFC 3261 transactions through the edge, on a manual clock: retransmissions, ACKs, CANCEL, BYE, no leaks."""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from sip_fakes import OFFER, Harness, request

from blendcc.adapters.channels.sip.dialog import Call
from blendcc.adapters.channels.sip.message import SipMessage
from blendcc.adapters.channels.sip.transaction import T1, T2


def test_retransmitted_invite_is_the_same_call_and_gets_the_same_answer() -> None:
    h = Harness()
    h.rx(request("INVITE", body=OFFER))
    assert h.statuses() == [100, 200]
    h.rx(request("INVITE", body=OFFER))  # same branch: a retransmission
    assert h.statuses() == [200]
    assert len(h.calls) == 1


def test_2xx_is_retransmitted_with_doubling_intervals_until_the_ack() -> None:
    h = Harness()
    h.rx(request("INVITE", body=OFFER))
    h.wire.take()
    h.loop.advance(12)
    # T1, then +2T1, +4T1, +T2 (capped), +T2
    assert h.wire.times == [0.5, 1.5, 3.5, 7.5, 11.5]
    h.wire.take()
    tag = h.calls[0].local_tag
    h.rx(request("ACK", branch="z9hG4bKack", to_tag=tag))  # 2xx ACK: new branch, matched by dialog
    assert ("confirmed", None) in h.events
    h.loop.advance(10)
    assert h.wire.take() == []
    h.rx(request("INVITE", body=OFFER))  # a late retransmission after the ACK is absorbed
    assert h.wire.take() == [] and len(h.calls) == 1
    h.loop.advance(40)
    assert h.edge.server_txs == {}


def test_2xx_never_acknowledged_ends_the_call_with_a_bye() -> None:
    h = Harness()
    h.rx(request("INVITE", body=OFFER))
    h.loop.advance(64 * T1 + 0.1)
    sent = h.wire.take()
    assert sent[-1].method == "BYE"
    assert ("ended", "no_ack") in h.events


def test_non_2xx_is_retransmitted_until_the_ack_in_the_transaction() -> None:
    h = Harness(answer=486)
    h.rx(request("INVITE", body=OFFER))
    assert h.statuses() == [100, 486]
    h.loop.advance(T1 + 0.01)
    assert h.statuses() == [486]
    h.rx(request("ACK"))  # same branch as the INVITE
    h.loop.advance(10)
    assert h.wire.take() == []
    assert h.edge.server_txs == {}  # Timer I ended the transaction: nothing kept


def test_cancel_while_ringing_answers_200_then_487() -> None:
    h = Harness(answer=None)
    h.rx(request("INVITE", body=OFFER))
    h.calls[0].ringing()
    assert h.statuses() == [100, 180]
    h.rx(request("CANCEL"))
    msgs = h.wire.take()
    assert [(m.status, m.cseq[1]) for m in msgs] == [(200, "CANCEL"), (487, "INVITE")]
    assert ("cancelled", None) in h.events
    h.rx(request("ACK"))
    h.loop.advance(40)
    assert h.edge.server_txs == {} and h.edge.dialogs == {}


def test_cancel_for_an_unknown_transaction_is_481() -> None:
    h = Harness()
    h.rx(request("CANCEL", branch="z9hG4bKnothing"))
    assert h.statuses() == [481]


def test_bye_ends_the_dialog_and_a_retransmitted_bye_gets_the_same_200() -> None:
    h = Harness()
    h.rx(request("INVITE", body=OFFER))
    tag = h.calls[0].local_tag
    h.rx(request("ACK", branch="z9hG4bKack", to_tag=tag))
    h.wire.take()
    h.rx(request("BYE", branch="z9hG4bKbye", cseq=2, to_tag=tag))
    h.rx(request("BYE", branch="z9hG4bKbye", cseq=2, to_tag=tag))
    assert h.statuses() == [200, 200]
    assert [e for e, _ in h.events].count("ended") == 1
    h.rx(request("BYE", branch="z9hG4bKother", cseq=3, to_tag="nope"))
    assert h.statuses() == [481]
    h.loop.advance(40)
    assert h.edge.dialogs == {} and h.edge.server_txs == {}


def test_options_unknown_methods_and_malformed_requests() -> None:
    h = Harness()
    h.rx(request("OPTIONS"))
    [ok] = h.wire.take()
    assert ok.status == 200 and "INVITE" in (ok.get("Allow") or "")
    h.rx(request("FOOBAR", branch="z9hG4bKp"))
    assert h.statuses() == [501]
    bad = request("INVITE", branch="z9hG4bKbad").replace(b"CSeq: 1 INVITE", b"CSeq: one INVITE")
    h.rx(bad)
    [(raw, _)] = h.wire.sent
    assert raw.startswith(b"SIP/2.0 400 ") and b"Call-ID: call-1" in raw
    h.wire.sent.clear()
    h.rx(b"\x00\x01garbage without headers")
    h.rx(b"SIP/2.0 200 OK\r\n\r\n")
    assert h.wire.take() == []
    assert h.edge.stats["malformed"] == 3


def _client(h: Harness) -> tuple[Call, list[tuple[str, Any]]]:
    events: list[tuple[str, Any]] = []
    call = h.edge.invite("sip:a1@127.0.0.1:5070", ("127.0.0.1", 5070), "caller", b"v=0\r\n")
    call.on_event = lambda c, name, detail: events.append((name, detail))
    return call, events


def _reply(inv: SipMessage, status: int, tag: str = "pt") -> bytes:
    lines = [f"SIP/2.0 {status} X", *(f"Via: {v}" for v in inv.get_all("Via")), f"From: {inv.get('From')}",
             f"To: {inv.get('To')};tag={tag}", f"Call-ID: {inv.call_id}", f"CSeq: {inv.get('CSeq')}",
             "Contact: <sip:a1@127.0.0.1:5070>", "Content-Length: 0"]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def test_client_invite_timer_a_doubles_and_timer_b_fails_the_call() -> None:
    h = Harness()
    _call, events = _client(h)
    h.loop.advance(64 * T1 + 0.01)
    invites = [m for m in h.wire.take() if m.method == "INVITE"]
    assert len(invites) == 7  # 0, .5, 1.5, 3.5, 7.5, 15.5, 31.5
    assert events == [("failed", 408)]
    assert h.edge.client_txs == {}


def test_client_invite_provisional_stops_retransmission_and_error_is_acked_in_transaction() -> None:
    h = Harness()
    _call, events = _client(h)
    [inv] = h.wire.take()
    h.rx(_reply(inv, 180))
    h.loop.advance(5)
    assert h.wire.take() == []
    h.rx(_reply(inv, 486))
    h.rx(_reply(inv, 486))  # retransmitted final response: ACKed again
    acks = h.wire.take()
    assert [m.method for m in acks] == ["ACK", "ACK"]
    assert acks[0].top_via.branch == inv.top_via.branch
    assert events == [("ringing", 180), ("failed", 486)]


def test_client_invite_2xx_is_acked_each_time_it_arrives() -> None:
    h = Harness()
    call, events = _client(h)
    [inv] = h.wire.take()
    h.rx(_reply(inv, 200))
    h.rx(_reply(inv, 200))
    acks = h.wire.take()
    assert [m.method for m in acks] == ["ACK", "ACK"]
    assert acks[0].top_via.branch != inv.top_via.branch and acks[0].to_tag == "pt"
    assert [e for e, _ in events] == ["answered"]
    assert call.state == "confirmed" and call.remote_tag == "pt"
    call.bye()
    [bye] = h.wire.take()
    assert bye.method == "BYE" and bye.to_tag == "pt" and bye.cseq == (2, "BYE")


def test_cancel_waits_for_the_first_provisional() -> None:
    h = Harness()
    call, _events = _client(h)
    [inv] = h.wire.take()
    call.cancel()
    assert [m.method for m in h.wire.take()] == []
    h.rx(_reply(inv, 180))
    [cancel] = h.wire.take()
    assert cancel.method == "CANCEL" and cancel.top_via.branch == inv.top_via.branch


@pytest.mark.parametrize("provisional", [False, True])
def test_non_invite_client_timer_e_is_capped_at_t2(provisional: bool) -> None:
    h = Harness()
    call, _ = _client(h)
    [inv] = h.wire.take()
    h.rx(_reply(inv, 200))
    h.wire.take()
    call.bye()
    [bye] = h.wire.take()
    start = h.loop.now
    if provisional:
        h.loop.advance(0.1)
        h.rx(_reply(bye, 100))
    h.loop.advance(64 * T1 + 1)
    times = [round(x - start, 2) for x in h.wire.times]
    gaps = [round(b - a, 2) for a, b in itertools.pairwise(times)]
    assert max(gaps) <= T2 + 0.01 and len(times) >= 7
    if provisional:  # proceeding: Timer E restarts at T2 from the provisional response
        assert times[:2] == [4.1, 8.1]
    else:
        assert times[:4] == [0.5, 1.5, 3.5, 7.5]
    assert h.edge.client_txs == {}  # Timer F ended it


def _confirmed(h: Harness) -> str:
    h.rx(request("INVITE", body=OFFER))
    tag = h.calls[0].local_tag
    h.rx(request("ACK", branch="z9hG4bKack", to_tag=tag))
    h.wire.take()
    return tag


def test_reinvite_hold_is_answered_with_the_reverse_direction_and_reported() -> None:
    h = Harness()
    h.answer = None
    h.rx(request("INVITE", body=OFFER))
    call = h.calls[0]
    call.answer(b"v=0\r\no=blendcc 1 1 IN IP4 127.0.0.1\r\nc=IN IP4 127.0.0.1\r\nm=audio 20000 RTP/AVP 0\r\n"
                b"a=sendrecv\r\n")
    h.rx(request("ACK", branch="z9hG4bKack", to_tag=call.local_tag))
    h.wire.take()
    hold = OFFER + b"a=sendonly\r\n"
    h.rx(request("INVITE", branch="z9hG4bKhold", cseq=2, to_tag=call.local_tag, body=hold))
    [ok] = h.wire.take()
    assert ok.status == 200 and b"a=recvonly" in ok.body and b" 2 IN IP4" in ok.body  # o= version bumped
    media = [d for e, d in h.events if e == "media"]
    assert media and media[-1].direction == "sendonly"
    h.rx(request("INVITE", branch="z9hG4bKold", cseq=1, to_tag=call.local_tag, body=hold))
    assert h.statuses() == [500]  # CSeq went backwards


def test_sip_info_dtmf_is_reported_as_a_digit() -> None:
    h = Harness()
    tag = _confirmed(h)
    h.rx(request("INFO", branch="z9hG4bKinfo", cseq=2, to_tag=tag, body=b"Signal=7\r\nDuration=160\r\n",
                 extra="Content-Type: application/dtmf-relay\r\n"))
    assert h.statuses() == [200]
    assert ("dtmf", "7") in h.events
