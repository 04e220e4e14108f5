"""Issue 14's RFC 3261/3264 faults, each a SIPp scenario against a running voice server (netns_conformance.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sipp_harness import netns_results

RUNNER = Path(__file__).resolve().parent / "netns_conformance.py"


@pytest.fixture(scope="module")
def results() -> dict[str, Any]:
    return netns_results(RUNNER, ["hold", "codec", "merged", "methods", "extensions", "video", "version", "late",
                                  "late_noanswer", "route", "refer", "prack"], timeout=300)


def _ok(r: dict[str, Any]) -> None:
    assert r["rc"] == 0 and r["failed"] == 0 and r["successful"] == 1, r["stderr"] + r["screen"]


def _result(results: dict[str, Any], name: str) -> dict[str, Any]:
    r: dict[str, Any] = results[name]
    assert "error" not in r, r
    return r


def test_ack_to_a_reinvite_stops_its_200_retransmissions(results: dict[str, Any]) -> None:
    r = _result(results, "hold")
    _ok(r["sipp"])  # SIPp checked recvonly in the hold answer and sendrecv in the resume answer
    # once each (twice only if SIPp's ACK came later than T1 = 0.5 s on a loaded machine); without the ACK
    # stopping them they go on at 0.5, 1.5, 3.5 s...: 4 for the hold (4 s pause) and 3 for the resume
    assert r["ok_hold"] <= 2 and r["ok_resume"] <= 2, r


def test_reinvite_with_another_codec_is_followed_and_an_unusable_one_is_488(results: dict[str, Any]) -> None:
    r = _result(results, "codec")
    _ok(r["sipp"])  # SIPp checked "m=audio <port> RTP/AVP 8 101" in the answer, then 488 with Warning 305
    assert r["moved"]  # the re-INVITE moved the media to another port: the leg sends there now
    assert r["payload_types"] == [8] and r["packets"] > 20  # our prompt arrived there, in PCMA only
    assert r["codec_at_488"] == [8]  # the G.729 offer changed nothing
    assert r["statuses"] == ["200", "488"]


def test_merged_invite_is_482_and_one_call_id_stays_one_interaction(results: dict[str, Any]) -> None:
    r = _result(results, "merged")
    _ok(r["sipp"])
    assert r["calls"] == 1 and r["rows"] == 1


def test_mid_call_methods_get_their_proper_answers(results: dict[str, Any]) -> None:
    r = _result(results, "methods")
    _ok(r["sipp"])  # SIPp checked the UPDATE's SDP answer and the Allow headers
    assert r["answers"] == {"1 INVITE": "200", "2 UPDATE": "200", "3 PRACK": "481", "4 MESSAGE": "405",
                            "5 SUBSCRIBE": "405", "6 NOTIFY": "481", "7 BLENDFOO": "501", "8 OPTIONS": "200",
                            "9 BYE": "200"}


def test_unknown_require_is_420_and_gzip_is_415(results: dict[str, Any]) -> None:
    r = _result(results, "extensions")
    _ok(r["sipp"])  # Unsupported: timer / "x-blendcc-never, timer"; Accept-Encoding: identity
    assert r["rows"] == 0  # none of them became an interaction


@pytest.mark.parametrize("order", ["video_second", "video_first"])
def test_video_offers_keep_the_video_line_rejected_in_the_offers_order(results: dict[str, Any], order: str) -> None:
    _ok(_result(results, "video")[order])  # SIPp matched the answer's m-lines: audio accepted, video port 0


def test_sip_3_is_505_and_requests_without_via_or_call_id_are_logged_and_counted(results: dict[str, Any]) -> None:
    r = _result(results, "version")
    _ok(r["sipp"])
    assert r["dropped"] == 2
    assert len(r["logged"]) == 2 and "missing Via" in r["logged"][0] and "missing Call-ID" in r["logged"][1]


def test_late_offer_gets_our_offer_in_the_200_and_media_from_the_ack(results: dict[str, Any]) -> None:
    r = _result(results, "late")
    _ok(r["sipp"])  # SIPp checked our offer: PCMU, PCMA and telephone-event
    assert r["audio"]
    assert r["media"]["codec"] == 8 and r["media"]["remote"][1] == 26700 and r["media"]["telephone_event"] == 101


def test_late_offer_without_an_answer_in_the_ack_is_hung_up(results: dict[str, Any]) -> None:
    r = _result(results, "late_noanswer")
    _ok(r["sipp"])  # SIPp received our BYE and answered it
    assert r["live_calls"] == 0


def test_refer_from_the_agents_phone_is_a_blind_transfer_with_sipfrag_progress(results: dict[str, Any]) -> None:
    r = _result(results, "refer")
    assert r["register"] == {"a1": 200, "a2": 200}
    _ok(r["a1"])  # 202, NOTIFY "SIP/2.0 100 Trying", NOTIFY "SIP/2.0 200 OK" (terminated), then our BYE
    _ok(r["a2"])  # rung for the transferred caller, answered, hung up when the caller left
    _ok(r["caller"])
    assert r["on_a2"]
    [row] = r["rows"]
    assert row["agent_id"] == "a2" and row["transfers"] == 1 and row["outcome"] == "completed"
    assert r["timeline"].count("ContactTransferred") == 1


def test_record_route_is_echoed_and_in_dialog_requests_go_through_the_proxy(results: dict[str, Any]) -> None:
    r = _result(results, "route")
    route = ["<sip:127.0.0.1:5095;lr>"]
    _ok(r["uas"]["sipp"])  # SIPp checked the Record-Route in our 200 and the Route in our BYE
    assert r["uas"]["proxy"] == [{"method": "BYE", "uri": "sip:rroute@127.0.0.1:5094", "route": route}]
    _ok(r["uac"]["sipp"])  # the callee checked the Route in our ACK and BYE
    assert [(p["method"], p["uri"], p["route"]) for p in r["uac"]["proxy"]] == [
        ("ACK", "sip:callee@127.0.0.1:5096", route), ("BYE", "sip:callee@127.0.0.1:5096", route)]
    assert "answered" in r["uac"]["events"]


@pytest.mark.parametrize("want", ["Require", "Supported"])
def test_100rel_183_is_reliable_until_prack_and_the_200_waits_for_it(results: dict[str, Any], want: str) -> None:
    r = _result(results, "prack")[want]
    _ok(r["sipp"])  # SIPp checked Require: 100rel, an RSeq and our SDP answer in the 183, 481 then 200 to PRACK
    order = [tuple(x) for x in r["order"]]
    statuses = [s for s, _c in order]
    first_200 = order.index(("200", "1 INVITE"))
    # the 183 went out at 0, 0.5 (and 1.5) s while SIPp held its PRACK 1.2 s: retransmitted, nothing final
    assert statuses[:first_200].count("183") >= 2, order
    assert ("481", "2 PRACK") in order[:first_200] and ("200", "3 PRACK") in order[:first_200]
    assert order[first_200 - 1] == ("200", "3 PRACK")  # the 2xx followed the PRACK's 200
    assert r["rows"] == 1
