"""Record-Route and Route (RFC 3261 12.1, 12.2, 16.12): dialogs through a proxy, as UAS and as UAC."""

from __future__ import annotations

from sip_fakes import OFFER, Harness, request

from blendcc.adapters.channels.sip.dialog import route_headers
from blendcc.adapters.channels.sip.message import parse

P1 = "<sip:127.0.0.1:5099;lr>"
P2 = "<sip:10.0.0.2:5070;lr;ftag=x>"
RR = f"Record-Route: {P1}, {P2}\r\n"


def test_loose_route_set_goes_in_route_headers_and_the_target_stays_the_request_uri() -> None:
    assert route_headers("sip:bob@10.9.9.9:5062", [P1, P2]) == ("sip:bob@10.9.9.9:5062", [P1, P2])
    assert route_headers("sip:bob@10.9.9.9", []) == ("sip:bob@10.9.9.9", [])


def test_strict_first_route_becomes_the_request_uri_and_the_target_goes_last() -> None:
    strict = "<sip:10.0.0.7:5060;transport=udp>"
    assert route_headers("sip:bob@10.9.9.9", [strict, P1]) == ("sip:10.0.0.7:5060;transport=udp",
                                                               [P1, "<sip:bob@10.9.9.9>"])


def test_uas_echoes_record_route_in_18x_and_200_and_routes_its_bye_through_the_proxy() -> None:
    h = Harness(answer=None)
    h.rx(request("INVITE", body=OFFER, extra=RR))
    call = h.calls[0]
    call.ringing()
    call.answer(b"v=0\r\n")
    sent = h.wire.take()
    assert [m.status for m in sent] == [100, 180, 200]
    assert sent[0].get_all("Record-Route") == []  # 100 Trying makes no dialog
    assert sent[1].get_all("Record-Route") == [P1, P2] and sent[2].get_all("Record-Route") == [P1, P2]
    assert call.route_set == [P1, P2]  # the UAS keeps the order received
    h.rx(request("ACK", branch="z9hG4bKack", to_tag=call.local_tag, extra=RR))
    call.bye()
    [(data, addr)] = h.wire.sent
    bye = parse(data)
    assert bye.method == "BYE" and bye.uri == "sip:alice@127.0.0.1:5061"  # the Contact stays the target
    assert bye.get_all("Route") == [P1, P2]
    assert addr == ("127.0.0.1", 5099)  # to the first route, not to the peer's address


def _ok(invite: bytes, record_route: str) -> bytes:
    req = parse(invite)
    lines = ["SIP/2.0 200 OK", *(f"Via: {v}" for v in req.get_all("Via")), f"From: {req.get('From')}",
             f"To: {req.get('To')};tag=callee1", f"Call-ID: {req.call_id}", f"CSeq: {req.get('CSeq')}",
             "Contact: <sip:agent@10.9.9.9:5072>", record_route, "Content-Length: 0"]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def test_uac_reverses_the_2xx_record_route_and_sends_ack_bye_and_reinvite_through_it() -> None:
    h = Harness()
    call = h.edge.invite("sip:agent@10.9.9.9:5072", ("10.9.9.9", 5072), "blendcc", b"v=0\r\n")
    [(invite, addr)] = h.wire.sent
    assert addr == ("10.9.9.9", 5072) and parse(invite).get_all("Route") == []
    h.wire.sent.clear()
    h.edge.datagram(_ok(invite, f"Record-Route: {P2}, {P1}"), ("127.0.0.1", 5099))
    assert call.route_set == [P1, P2]  # the UAC reverses the 2xx's list (RFC 3261 12.1.2)
    [(ack_data, ack_addr)] = h.wire.sent
    ack = parse(ack_data)
    assert ack.method == "ACK" and ack.uri == "sip:agent@10.9.9.9:5072" and ack.get_all("Route") == [P1, P2]
    assert ack_addr == ("127.0.0.1", 5099)
    h.wire.sent.clear()
    call.local_sdp = b"v=0\r\no=blendcc 1 1 IN IP4 127.0.0.1\r\na=sendrecv\r\n"
    call.reinvite("sendonly")
    call.bye()
    sent = [(parse(d), a) for d, a in h.wire.sent]
    assert [(m.method, m.get_all("Route"), a) for m, a in sent] == [
        ("INVITE", [P1, P2], ("127.0.0.1", 5099)), ("BYE", [P1, P2], ("127.0.0.1", 5099))]
