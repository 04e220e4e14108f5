"""Pure RFC 3261/3264 decisions: Require and Content-Encoding checks, method answers, SIP version, SDP m-lines."""

from __future__ import annotations

import pytest
from sip_fakes import OFFER, request

from blendcc.adapters.channels.sip.conformance import method_status, precheck, unsupported
from blendcc.adapters.channels.sip.message import SipParseError, SipVersionError, parse
from blendcc.adapters.channels.sip.sdp import PCMA, PCMU, SdpError, answer, parse_sdp, reanswer


def test_require_with_option_tags_we_do_not_implement_is_420_listing_them() -> None:
    req = parse(request("INVITE", body=OFFER, extra="Require: timer, x-foo\r\nRequire: timer\r\n"))
    rej = precheck(req)
    assert rej is not None and rej.status == 420 and dict(rej.extra) == {"Unsupported": "timer, x-foo"}
    assert precheck(req, frozenset({"timer", "x-foo"})) is None
    assert unsupported(parse(request("ACK", extra="Require: 100rel\r\n"))) == []  # ignored on ACK (8.2.2.3)


def test_a_body_in_another_encoding_than_identity_is_415_with_accept_encoding() -> None:
    gz = parse(request("INVITE", body=OFFER, extra="Content-Encoding: gzip\r\n"))
    rej = precheck(gz)
    assert rej is not None and rej.status == 415 and ("Accept-Encoding", "identity") in rej.extra
    assert precheck(parse(request("INVITE", body=OFFER, extra="Content-Encoding: identity\r\n"))) is None
    assert precheck(parse(request("INVITE", body=OFFER))) is None


@pytest.mark.parametrize(("method", "in_dialog", "status"), [
    ("PRACK", True, 481), ("PRACK", False, 481), ("NOTIFY", True, 481), ("NOTIFY", False, 405),
    ("MESSAGE", True, 405), ("SUBSCRIBE", False, 405), ("PUBLISH", False, 405), ("FOOBAR", True, 501),
    ("FOOBAR", False, 501), ("UPDATE", False, 481), ("INFO", False, 481), ("REFER", False, 481),
    ("UPDATE", True, None), ("INFO", True, None), ("OPTIONS", False, None), ("INVITE", False, None),
])
def test_how_each_method_is_answered(method: str, in_dialog: bool, status: int | None) -> None:
    rej = method_status(method, in_dialog)
    assert (rej.status if rej else None) == status
    if status in (405, 501):
        assert rej is not None and "INVITE" in dict(rej.extra)["Allow"]


def test_another_sip_version_is_a_version_error_only_for_requests() -> None:
    with pytest.raises(SipVersionError):
        parse(request("OPTIONS").replace(b"SIP/2.0\r\n", b"SIP/3.0\r\n", 1))
    with pytest.raises(SipParseError) as exc:
        parse(b"SIP/3.0 200 OK\r\nVia: SIP/2.0/UDP h\r\nFrom: a\r\nTo: b\r\nCall-ID: c\r\nCSeq: 1 INVITE\r\n\r\n")
    assert not isinstance(exc.value, SipVersionError)


HEAD = b"v=0\r\no=x 1 1 IN IP4 10.0.0.2\r\ns=-\r\nc=IN IP4 10.0.0.2\r\nt=0 0\r\n"
AUDIO = b"m=audio 4000 RTP/AVP 0 8 101\r\na=rtpmap:101 telephone-event/8000\r\na=sendrecv\r\n"
VIDEO = b"m=video 4002 RTP/AVP 96 97\r\na=rtpmap:96 H264/90000\r\na=sendonly\r\n"


def _mlines(sdp: bytes) -> list[str]:
    return [ln for ln in sdp.decode().splitlines() if ln.startswith("m=")]


@pytest.mark.parametrize("video_first", [False, True])
def test_video_is_rejected_with_port_0_in_the_offers_order(video_first: bool) -> None:
    offer = parse_sdp(HEAD + (VIDEO + AUDIO if video_first else AUDIO + VIDEO))
    assert offer.port == 4000 and offer.direction == "sendrecv" and offer.telephone_event == 101
    assert offer.index == (1 if video_first else 0)
    sdp, codec, _te = answer(offer, "10.0.0.1", 20000)
    lines = _mlines(sdp)
    audio, video = "m=audio 20000 RTP/AVP 0 101", "m=video 0 RTP/AVP 96 97"
    assert lines == ([video, audio] if video_first else [audio, video]) and codec == PCMU
    assert parse_sdp(sdp).port == 20000  # our own answer parses to the accepted audio line


def test_the_first_audio_line_we_can_use_is_taken() -> None:
    offer = parse_sdp(HEAD + b"m=audio 0 RTP/AVP 0\r\nm=audio 5000 RTP/SAVP 0\r\nm=audio 6000 RTP/AVP 18\r\n"
                      b"m=audio 7000 RTP/AVP 8\r\n")
    assert (offer.port, offer.index, offer.audio_codecs) == (7000, 3, [PCMA])
    assert _mlines(answer(offer, "h", 1)[0]) == ["m=audio 0 RTP/AVP 0", "m=audio 0 RTP/SAVP 0",
                                                 "m=audio 0 RTP/AVP 18", "m=audio 1 RTP/AVP 8"]
    with pytest.raises(SdpError):
        parse_sdp(HEAD + VIDEO)


def test_a_new_offer_in_the_session_chooses_its_codec_afresh_keeping_our_address_and_session() -> None:
    ours, _, _ = answer(parse_sdp(HEAD + AUDIO), "10.0.0.1", 20000, session_id=77)
    sdp, codec, te = reanswer(ours, parse_sdp(HEAD + b"m=audio 4100 RTP/AVP 8\r\na=sendonly\r\n"), 2)
    assert codec == PCMA and te is None
    assert "o=blendcc 77 2 IN IP4 10.0.0.1" in sdp.decode() and _mlines(sdp) == ["m=audio 20000 RTP/AVP 8"]
    assert parse_sdp(sdp).direction == "recvonly"
    with pytest.raises(SdpError):
        reanswer(ours, parse_sdp(HEAD + b"m=audio 4100 RTP/AVP 18\r\na=rtpmap:18 G729/8000\r\n"), 3)


def test_refer_to_names_one_user_for_a_blind_transfer() -> None:
    from blendcc.adapters.channels.sip.refer import refer_target

    def refer(*targets: str) -> tuple[str | None, str]:
        return refer_target(parse(request("REFER", to_tag="t", extra="".join(f"Refer-To: {t}\r\n" for t in targets))))

    assert refer("<sip:a2@pbx.example.com>") == ("a2", "")
    assert refer("sip:sales@10.0.0.1;transport=udp") == ("sales", "")
    assert refer()[0] is None and refer("<sip:a2@x>", "<sip:a3@x>")[0] is None
    assert refer("<sip:a2@x?Replaces=abc%3Bto-tag%3D1>")[0] is None  # attended transfer: not this
    assert refer("<sip:pbx.example.com>")[0] is None
