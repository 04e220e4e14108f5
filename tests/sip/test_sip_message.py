"""SIP message parsing and serialisation: folding, compact forms, multi-value headers, malformed input."""

from __future__ import annotations

import contextlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from blendcc.adapters.channels.sip.message import (
    SipParseError,
    display_name,
    parse,
    response,
    uri_of,
    uri_user,
)

INVITE = (
    b"INVITE sip:main@10.0.0.1 SIP/2.0\r\n"
    b"v: SIP/2.0/UDP 10.0.0.2:5061;branch=z9hG4bK776asdhds, SIP/2.0/UDP 10.0.0.9;branch=z9hG4bKproxy\r\n"
    b"Max-Forwards: 70\r\n"
    b'f: "Alice Smith" <sip:+442079460000@10.0.0.2>;tag=1928301774\r\n'
    b"t: <sip:main@10.0.0.1>\r\n"
    b"i: a84b4c76e66710@pc33\r\n"
    b"CSeq: 314159 INVITE\r\n"
    b"Subject: I know you're there,\r\n"
    b"   pick up the phone\r\n"
    b"\tand talk to me!\r\n"
    b"m: <sip:alice@10.0.0.2:5061>\r\n"
    b"c: application/sdp\r\n"
    b"l: 4\r\n\r\n"
    b"v=0\r\nextra"
)


def test_compact_forms_folding_and_multi_value_via() -> None:
    m = parse(INVITE)
    assert m.method == "INVITE" and m.uri == "sip:main@10.0.0.1"
    assert m.call_id == "a84b4c76e66710@pc33"
    assert m.cseq == (314159, "INVITE")
    assert m.get_all("Via") == ["SIP/2.0/UDP 10.0.0.2:5061;branch=z9hG4bK776asdhds",
                                "SIP/2.0/UDP 10.0.0.9;branch=z9hG4bKproxy"]
    via = m.top_via
    assert (via.host, via.port, via.branch) == ("10.0.0.2", 5061, "z9hG4bK776asdhds")
    assert m.get("Subject") == "I know you're there, pick up the phone and talk to me!"
    assert m.from_tag == "1928301774" and m.to_tag is None
    assert m.body == b"v=0\r"  # Content-Length wins over trailing bytes
    assert uri_user(uri_of(m.get("From") or "")) == "+442079460000"
    assert display_name(m.get("From") or "") == "Alice Smith"
    assert m.get("content-type") == "application/sdp"


def test_round_trip_and_response_copies_the_right_headers() -> None:
    m = parse(INVITE)
    again = parse(m.encode())
    assert again.headers == m.headers and again.body == m.body
    r = response(m, 180, to_tag="abc")
    back = parse(r.encode())
    assert back.status == 180 and back.reason == "Ringing"
    assert back.get_all("Via") == m.get_all("Via")
    assert back.to_tag == "abc" and back.from_tag == "1928301774"
    assert back.cseq == (314159, "INVITE")
    assert parse(response(m, 100, to_tag="abc").encode()).to_tag is None  # no tag on 100 Trying


H = b"Via: SIP/2.0/UDP h;branch=z9hG4bKx\r\nFrom: a;tag=1\r\nTo: b\r\nCall-ID: c\r\n"


@pytest.mark.parametrize("data", [
    b"",
    b"garbage",
    b"INVITE sip:x SIP/2.0\r\n\r\n",  # no mandatory headers
    b"INVITE sip:x SIP/3.0\r\n" + H + b"CSeq: 1 INVITE\r\n\r\n",
    b"INVITE sip:x SIP/2.0\r\n" + H + b"CSeq: x INVITE\r\n\r\n",
    b"INVITE sip:x SIP/2.0\r\n" + H + b"CSeq: 1 BYE\r\n\r\n",
    b"INVITE sip:x SIP/2.0\r\n" + H + b"CSeq: 1 INVITE\r\nContent-Length: 99\r\n\r\nshort",
    b"SIP/2.0 99 Nope\r\nVia: SIP/2.0/UDP h\r\nFrom: a\r\nTo: b\r\nCall-ID: c\r\nCSeq: 1 INVITE\r\n\r\n",
    b"\xff\xfe INVITE\r\n\r\n",
    b" leading continuation\r\n\r\n",
])
def test_malformed_messages_raise_parse_error_only(data: bytes) -> None:
    with pytest.raises(SipParseError):
        parse(data)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=300))
def test_arbitrary_bytes_never_raise_anything_but_parse_error(data: bytes) -> None:
    with contextlib.suppress(SipParseError):
        parse(INVITE[:40] + data)
