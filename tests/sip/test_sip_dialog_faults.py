"""Issue 14's faults through the edge on a manual clock: re-INVITE ACKs, merged requests, late offers, drops."""

from __future__ import annotations

from sip_fakes import OFFER, Harness, request

from blendcc.adapters.channels.sip.transaction import T1

OURS = (b"v=0\r\no=blendcc 9 1 IN IP4 127.0.0.1\r\ns=blendcc\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
        b"m=audio 20000 RTP/AVP 0 101\r\na=rtpmap:101 telephone-event/8000\r\na=sendrecv\r\n")
PCMA_ONLY = OFFER.replace(b"RTP/AVP 0 8 101", b"RTP/AVP 8")


def _up(h: Harness, body: bytes = OFFER, branch: str = "z9hG4bKaaa") -> str:
    h.answer = None
    h.rx(request("INVITE", branch=branch, body=body))
    call = h.calls[-1]
    call.answer(OURS)
    h.rx(request("ACK", branch="z9hG4bKack", to_tag=call.local_tag, body=b""))
    h.wire.take()
    return call.local_tag


def test_the_ack_of_a_reinvite_stops_its_200_and_an_unacknowledged_one_ends_the_call() -> None:
    h = Harness()
    tag = _up(h)
    h.rx(request("INVITE", branch="z9hG4bKhold", cseq=2, to_tag=tag, body=OFFER + b"a=sendonly\r\n"))
    h.loop.advance(1.0)
    assert h.statuses() == [200, 200]  # sent, then repeated at T1 while no ACK came
    h.rx(request("ACK", branch="z9hG4bKack2", cseq=2, to_tag=tag))
    h.loop.advance(20)
    assert h.wire.take() == []
    h.rx(request("INVITE", branch="z9hG4bKres", cseq=3, to_tag=tag, body=OFFER))
    h.loop.advance(64 * T1 + 1)
    sent = h.wire.take()
    assert [m.status for m in sent if m.status] == [200] * 11  # at 0, 0.5, 1.5 ... 31.5 s
    assert sent[-1].method == "BYE"
    assert ("ended", "no_ack") in h.events


def test_reinvite_offering_another_codec_is_answered_in_it_and_an_unusable_one_is_488() -> None:
    h = Harness()
    tag = _up(h)
    h.rx(request("INVITE", branch="z9hG4bKa", cseq=2, to_tag=tag, body=PCMA_ONLY))
    [ok] = h.wire.take()
    assert ok.status == 200 and b"m=audio 20000 RTP/AVP 8\r\n" in ok.body
    assert [d.audio_codecs for e, d in h.events if e == "media"] == [[8]]
    g729 = OFFER.replace(b"RTP/AVP 0 8 101", b"RTP/AVP 18")
    h.rx(request("UPDATE", branch="z9hG4bKb", cseq=3, to_tag=tag, body=g729))
    [bad] = h.wire.take()
    assert bad.status == 488 and (bad.get("Warning") or "").startswith("305 ")
    assert h.calls[0].remote_media is not None and h.calls[0].remote_media.audio_codecs == [8]  # unchanged
    h.rx(request("UPDATE", branch="z9hG4bKc", cseq=4, to_tag=tag))
    [refresh] = h.wire.take()
    assert refresh.status == 200 and refresh.body == b""


def test_merged_invite_is_482_while_ringing_and_once_up_and_a_new_call_after_the_end() -> None:
    h = Harness(answer=None)
    h.rx(request("INVITE", body=OFFER))
    h.rx(request("INVITE", branch="z9hG4bKmerged", body=OFFER))  # forked and merged: new branch, no To tag
    assert h.statuses() == [100, 482] and len(h.calls) == 1
    h.rx(request("CANCEL"))  # the original is still cancellable
    assert [m.status for m in h.wire.take()] == [200, 487]
    h.rx(request("ACK"))
    h.rx(request("INVITE", branch="z9hG4bKretry", cseq=2, body=OFFER))  # after it ended: a new call
    assert h.statuses() == [100] and len(h.calls) == 2
    h.calls[1].answer(OURS)
    h.rx(request("ACK", branch="z9hG4bKack", cseq=2, to_tag=h.calls[1].local_tag))
    h.wire.take()
    h.rx(request("INVITE", branch="z9hG4bKmerged2", cseq=2, body=OFFER))
    assert h.statuses() == [482] and len(h.calls) == 2 and h.edge.stats["merged"] == 2


def test_late_offer_takes_the_answer_from_the_ack_or_hangs_up_without_one() -> None:
    h = Harness(answer=None)
    h.rx(request("INVITE"))
    call = h.calls[0]
    assert call.late_offer and call.remote_media is None
    call.answer(OURS)
    h.rx(request("ACK", branch="z9hG4bKack", to_tag=call.local_tag, body=PCMA_ONLY))
    assert [e for e, _ in h.events] == ["confirmed", "media"] and call.remote_media is not None
    assert call.remote_media.audio_codecs == [8]
    h.rx(request("INVITE", branch="z9hG4bK2", call_id="call-2"))
    other = h.calls[1]
    other.answer(OURS)
    h.wire.take()
    h.rx(request("ACK", branch="z9hG4bKack2", call_id="call-2", to_tag=other.local_tag))
    [bye] = h.wire.take()
    assert bye.method == "BYE" and other.state == "ended" and ("ended", "no_answer") in h.events


def test_unanswerable_requests_are_dropped_counted_and_sip_3_gets_505() -> None:
    h = Harness()
    h.rx(request("OPTIONS").replace(b"SIP/2.0\r\n", b"SIP/3.0\r\n", 1))
    [(raw, _)] = h.wire.sent
    assert raw.startswith(b"SIP/2.0 505 ") and b"Call-ID: call-1" in raw
    h.wire.sent.clear()
    h.rx(request("OPTIONS").replace(b"Call-ID: call-1\r\n", b""))
    h.rx(b"\r\n".join(ln for ln in request("OPTIONS").split(b"\r\n") if not ln.startswith(b"Via:")))
    h.rx(b"SIP/3.0 200 OK\r\nVia: SIP/2.0/UDP h;branch=z9hG4bKx\r\nFrom: a\r\nTo: b\r\nCall-ID: c\r\n"
         b"CSeq: 1 OPTIONS\r\n\r\n")  # a response is never answered
    assert h.wire.sent == [] and h.edge.stats["dropped"] == 3


def test_require_and_content_encoding_are_checked_before_a_call_is_made() -> None:
    h = Harness()
    h.rx(request("INVITE", body=OFFER, extra="Require: timer\r\n"))
    [rej] = h.wire.take()
    assert rej.status == 420 and rej.get("Unsupported") == "timer" and rej.to_tag
    h.rx(request("INVITE", branch="z9hG4bKgz", body=OFFER, extra="Content-Encoding: gzip\r\n"))
    [gz] = h.wire.take()
    assert gz.status == 415 and gz.get("Accept-Encoding") == "identity"
    assert h.calls == []
    tag = _up(h, branch="z9hG4bKup")
    h.rx(request("INVITE", branch="z9hG4bKr", cseq=2, to_tag=tag, body=OFFER, extra="Require: timer\r\n"))
    assert h.statuses() == [420]
