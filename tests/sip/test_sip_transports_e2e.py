"""SIP over TCP (a SIPp caller, ``-t t1``) and TLS with SRTP (Python phones: Debian's SIPp has neither TLS nor
SRTP) against a running voice server: netns_transport.py."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sipp_harness import netns_results

RUNNER = Path(__file__).resolve().parent / "netns_transport.py"


@pytest.fixture(scope="module")
def results() -> dict[str, Any]:
    return netns_results(RUNNER, ["tcp", "tls_srtp"], timeout=180)


def _result(results: dict[str, Any], name: str) -> dict[str, Any]:
    r: dict[str, Any] = results[name]
    assert "error" not in r, r
    return r


def test_tcp_caller_reaches_an_agent_registered_over_tcp_and_audio_flows(results: dict[str, Any]) -> None:
    r = _result(results, "tcp")
    sipp = r["caller"]
    assert sipp["rc"] == 0 and sipp["successful"] == 1 and sipp["failed"] == 0, sipp["stderr"] + sipp["screen"]
    assert r["register"] == 200 and r["pongs"] == 1  # RFC 5626: the double-CRLF ping got its pong
    agent = r["agent"]
    # the agent's phone was rung on the connection it registered on, and told to come back over TCP
    assert agent["invite_via"].startswith("SIP/2.0/TCP ") and agent["invite_contact"].endswith(";transport=tcp>")
    assert agent["offer_proto"] == "RTP/AVP" and not agent["offer_keyed"]
    assert agent["ack"] == "ACK" and agent["bye"] == "BYE"
    assert agent["received"] > 50 and agent["peak"] > 1000  # the SIPp caller's audio, relayed
    assert [x["outcome"] for x in r["rows"]] == ["completed"] and r["rows"][0]["agent_id"] == "a1"
    assert r["stream_stats"]["framing_errors"] == 0


def test_tls_caller_and_agent_talk_in_srtp_both_ways(results: dict[str, Any]) -> None:
    r = _result(results, "tls_srtp")
    assert r["register"] == 200 and r["invite_status"] == 200 and r["bye_status"] == 200
    assert r["answer_proto"] == "RTP/SAVP" and r["answer_keyed"]  # our answer carries our own SDES key
    assert r["answer_contact"].endswith(":5061;transport=tls>")
    agent = r["agent"]
    assert agent["invite_via"].startswith("SIP/2.0/TLS ")
    assert agent["offer_proto"] == "RTP/SAVP" and agent["offer_keyed"]  # the agent's leg is SRTP too
    # each side decrypts (and authenticates) what the relay sends it with the key of our SDP: the other
    # side's tone; nothing on the wire was readable RTP
    for side in (r, agent):
        assert side["received"] > 50 and side["auth_failures"] == 0, side
        assert side["peak"] > 5000 and not side["raw_is_clear"], side
    assert [x["outcome"] for x in r["rows"]] == ["completed"] and r["rows"][0]["agent_id"] == "a2"
    wav = r["wav"]  # the recording holds both decrypted directions
    assert wav is not None and wav["left_peak"] > 5000 and wav["right_peak"] > 5000
