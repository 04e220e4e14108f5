"""RFC 3262 (100rel) through the edge on a manual clock: reliable 18x, RSeq, retransmission, PRACK, the held 2xx."""

from __future__ import annotations

from sip_fakes import OFFER, Harness, request

from blendcc.adapters.channels.sip.message import SipMessage, parse
from blendcc.adapters.channels.sip.prack import Reliable, peer_wants, rack_of
from blendcc.adapters.channels.sip.transaction import T1

OURS = b"v=0\r\nm=audio 20000 RTP/AVP 0\r\n"


def _ringing(h: Harness, header: str = "Require") -> tuple[str, int]:
    """An INVITE announcing 100rel; the application sends a 183 with SDP and answers at once."""
    h.rx(request("INVITE", body=OFFER, extra=f"{header}: 100rel\r\n"))
    call = h.calls[-1]
    call.progress(OURS)
    call.answer(OURS)
    sent = h.wire.take()
    assert [m.status for m in sent] == [100, 183]  # the 200 waits for the PRACK
    p = sent[1]
    assert p.get("Require") == "100rel" and p.body == OURS and p.to_tag == call.local_tag
    return call.local_tag, int(p.get("RSeq") or 0)


def test_a_reliable_183_is_retransmitted_t1_doubling_until_its_prack_then_the_200_goes() -> None:
    h = Harness(answer=None)
    tag, rseq = _ringing(h)
    assert 1 <= rseq < 2**31
    h.loop.advance(3.6)  # at 0.5, 1.5, 3.5 s
    again = h.wire.take()
    assert [m.status for m in again] == [183, 183, 183] and {m.get("RSeq") for m in again} == {str(rseq)}
    h.rx(request("PRACK", branch="z9hG4bKp1", cseq=2, to_tag=tag, extra=f"RAck: {rseq + 7} 1 INVITE\r\n"))
    assert h.statuses() == [481]  # names no outstanding response: still held
    h.rx(request("PRACK", branch="z9hG4bKp2", cseq=3, to_tag=tag, extra=f"RAck: {rseq} 1 INVITE\r\n"))
    sent = h.wire.take()
    assert [(m.status, m.cseq[1]) for m in sent] == [(200, "PRACK"), (200, "INVITE")]
    assert sent[1].body == OURS
    h.rx(request("ACK", branch="z9hG4bKack", to_tag=tag))
    h.loop.advance(40)
    assert h.statuses() == []  # no more 183s, the 200 acknowledged
    assert ("confirmed", None) in h.events
    h.rx(request("PRACK", branch="z9hG4bKp3", cseq=4, to_tag=tag, extra=f"RAck: {rseq} 1 INVITE\r\n"))
    assert h.statuses() == [481]  # already acknowledged


def test_without_a_prack_the_invite_is_rejected_504_after_64_t1() -> None:
    h = Harness(answer=None)
    _ringing(h, "Supported")
    h.loop.advance(64 * T1 - 0.1)
    assert {m.status for m in h.wire.take()} == {183}
    h.loop.advance(0.2)
    final = [m for m in h.wire.take() if m.status and m.status >= 200]
    assert [m.status for m in final] == [504]
    assert ("ended", "no_prack") in h.events and h.edge.live_calls() == 0


def test_a_caller_without_100rel_gets_unreliable_18x_and_the_200_at_once_and_prack_481() -> None:
    h = Harness(answer=None)
    h.rx(request("INVITE", body=OFFER))
    call = h.calls[-1]
    call.progress(OURS)
    call.answer(OURS)
    sent = h.wire.take()
    assert [m.status for m in sent] == [100, 183, 200] and sent[1].get("RSeq") is None
    h.rx(request("PRACK", branch="z9hG4bKp", cseq=2, to_tag=call.local_tag, extra="RAck: 1 1 INVITE\r\n"))
    assert h.statuses() == [481]


def test_cancel_while_the_200_waits_for_prack_is_487() -> None:
    h = Harness(answer=None)
    _ringing(h)
    h.rx(request("CANCEL"))
    sent = h.wire.take()
    assert sorted((m.status, m.cseq[1]) for m in sent) == [(200, "CANCEL"), (487, "INVITE")]
    h.loop.advance(40)
    assert all(m.status != 183 for m in h.wire.take())


def _prack(rack: str, cseq: int) -> SipMessage:
    return parse(request("PRACK", cseq=cseq, to_tag="t", extra=f"RAck: {rack}\r\n"))


def test_hanging_up_while_the_200_waits_for_prack_rejects_the_invite() -> None:
    h = Harness(answer=None)
    _ringing(h)
    h.calls[-1].bye()
    [rej] = h.wire.take()
    assert rej.status == 480 and rej.cseq[1] == "INVITE"  # never a BYE in an early dialog we serve
    h.loop.advance(40)
    assert all(m.status != 183 and m.method != "BYE" for m in h.wire.take())


def test_a_second_reliable_18x_waits_for_the_first_ones_prack() -> None:
    sent: list[int] = []
    timers: list[tuple[float, object]] = []

    class H:
        def cancel(self) -> None: ...

    rel = Reliable(1, lambda r: sent.append(int(r.get("RSeq") or 0)), lambda d, f: timers.append((d, f)) or H(),
                   lambda: None, rseq=10)
    first, second = SipMessage(status=180, reason="Ringing"), SipMessage(status=183, reason="Session Progress")
    rel.provisional(first)
    rel.provisional(second)
    assert sent == [10]
    assert rel.hold_final(lambda: sent.append(200))
    assert rel.prack(_prack("10 1 INVITE", 2))
    rel.next()
    assert sent == [10, 11]
    assert not rel.prack(_prack("11 1 BYE", 3))
    assert rel.prack(_prack("11 1 INVITE", 4))
    rel.next()
    assert sent == [10, 11, 200]


def test_parsing_100rel_and_rack() -> None:
    assert peer_wants(parse(request("INVITE", extra="Supported: timer, 100REL\r\n"))) == "supported"
    assert peer_wants(parse(request("INVITE", extra="k: 100rel\r\nRequire: 100rel\r\n"))) == "require"
    assert peer_wants(parse(request("INVITE", extra="Supported: timer\r\n"))) is None
    assert rack_of(parse(request("PRACK", extra="RAck: 5 1 invite\r\n"))) == (5, 1, "INVITE")
    assert rack_of(parse(request("PRACK", extra="RAck: x 1 INVITE\r\n"))) is None


def test_outbound_invites_offer_100rel_and_a_reliable_18x_from_a_carrier_is_pracked_once_per_rseq() -> None:
    h = Harness()
    call = h.edge.invite("sip:15551234@127.0.0.1:5070", ("127.0.0.1", 5070), "dialer", b"v=0\r\n")
    events: list[str] = []
    call.on_event = lambda c, name, detail: events.append(name)
    [inv] = h.wire.take()
    assert inv.get("Supported") == "100rel"

    def reply(status: int, extra: str = "") -> bytes:
        lines = [f"SIP/2.0 {status} X", *(f"Via: {v}" for v in inv.get_all("Via")), f"From: {inv.get('From')}",
                 f"To: {inv.get('To')};tag=ct", f"Call-ID: {inv.call_id}", f"CSeq: {inv.get('CSeq')}",
                 "Contact: <sip:gw@127.0.0.1:5070>", *([extra] if extra else []), "Content-Length: 0"]
        return ("\r\n".join(lines) + "\r\n\r\n").encode()

    h.rx(reply(183, "Require: 100rel\r\nRSeq: 77"))
    h.rx(reply(183, "Require: 100rel\r\nRSeq: 77"))  # retransmitted before our PRACK got there: no second PRACK
    [prack] = h.wire.take()
    assert prack.method == "PRACK" and prack.get("RAck") == "77 1 INVITE" and prack.to_tag == "ct"
    assert prack.uri == "sip:gw@127.0.0.1:5070" and prack.cseq == (2, "PRACK")
    h.rx(reply(180))  # unreliable: nothing to acknowledge
    assert h.wire.take() == []
    h.rx(reply(200))
    [ack] = h.wire.take()
    assert ack.method == "ACK" and ack.cseq == (1, "ACK")  # the INVITE's CSeq, not the PRACK's
    assert "answered" in events
