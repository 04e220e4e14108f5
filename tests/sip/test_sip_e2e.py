"""End to end with real SIPp peers in a private network namespace: calls, retransmission, CANCEL, bridging."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sipp_harness import netns_results

RUNNER = Path(__file__).resolve().parent / "netns_voice.py"


@pytest.fixture(scope="module")
def results() -> dict[str, Any]:
    return netns_results(RUNNER, ["basic", "retrans", "cancel", "bridged", "dtmf", "ivr", "full", "dialer",
                                  "voicemail", "callback", "amd"], timeout=300)


def _ok(r: dict[str, Any]) -> None:
    assert r["rc"] == 0 and r["failed"] == 0, r["stderr"] + r["screen"]


def test_basic_call_becomes_a_voice_interaction_and_hangup_while_queued_is_abandoned(results: dict[str, Any]) -> None:
    r = results["basic"]
    assert "error" not in r, r
    _ok(r["sipp"])
    assert r["sipp"]["successful"] == 1
    [row] = r["rows"]
    assert row["channel"] == "voice" and row["direction"] == "inbound"
    assert row["attributes"]["caller_id"] == "basic" and row["attributes"]["dialled_number"] == "main"
    assert row["outcome"] == "abandoned" and row["queue_id"] == "sales"
    assert 1.0 <= row["wait_s"] <= 2.5  # the caller waited 1.5 s in queue before hanging up
    assert r["timeline"] == ["ContactCreated", "ContactRouted", "ContactQueued", "ContactAbandoned", "ContactClosed"]
    assert r["live_calls"] == 0


def test_retransmitted_invite_is_the_same_call(results: dict[str, Any]) -> None:
    r = results["retrans"]
    assert "error" not in r, r
    _ok(r["sipp"])
    assert len(r["rows"]) == 1  # one interaction, not two
    assert r["retransmissions_seen"] >= 1
    assert r["sipp"]["retransmissions"] >= 1  # SIPp saw our 200 repeated for its repeated INVITE


def test_ringing_agent_phone_is_cancelled_when_the_caller_hangs_up(results: dict[str, Any]) -> None:
    r = results["cancel"]
    assert "error" not in r, r
    assert r["register_status"] == 200
    _ok(r["agent"])  # the SIPp phone received CANCEL, answered 200 + 487 and got the ACK
    _ok(r["caller"])
    [row] = r["rows"]
    assert row["outcome"] == "abandoned" and row["queue_id"] == "support" and row["offers"] == 1


def test_registered_agent_phone_answers_bridged_audio_both_ways_and_recorded(results: dict[str, Any]) -> None:
    r = results["bridged"]
    assert "error" not in r, r
    _ok(r["register"])  # SIPp's own digest implementation against our registrar
    _ok(r["agent"])
    _ok(r["caller"])
    [row] = r["rows"]
    assert row["agent_id"] == "a1" and row["outcome"] == "completed"
    assert r["timeline"][:6] == ["ContactCreated", "ContactRouted", "ContactQueued", "ContactOffered",
                                 "ContactConnected", "ContactEnded"]
    [rec] = r["recordings"]
    wav = r["wav"]
    assert wav["channels"] == 2
    # both directions carried audio (left: the caller's pcap, right: the agent's)
    assert wav["left_peak"] > 1000 and wav["right_peak"] > 1000
    # the recording lasts as long as the conversation (connected -> ended), within 0.3 s
    assert abs(wav["seconds"] - r["talk_s"]) < 0.3, (wav, r["talk_s"])
    assert rec["seconds"] == pytest.approx(wav["seconds"], abs=0.05)


def test_rfc4733_digits_from_sipp_pcaps_are_decoded_once_each(results: dict[str, Any]) -> None:
    r = results["dtmf"]
    assert "error" not in r, r
    _ok(r["sipp"])
    # each pcap holds one key press sent as several packets with three redundant end packets
    assert r["digits"] == "25#"


def test_dialer_telephony_over_sip_reports_answered_busy_and_no_answer(results: dict[str, Any]) -> None:
    r = results["dialer"]
    assert "error" not in r, r
    assert r["answered"]["events"] == [["ringing", None, None], ["answered", "unknown", None]]
    _ok(r["answered"]["peer"])  # the SIPp callee got our ACK and, on hangup, our BYE
    assert r["busy"]["events"] == [["busy", None, None]]
    _ok(r["busy"]["peer"])  # 486 acknowledged inside the transaction
    assert r["no_answer"]["events"] == [["ringing", None, None], ["no_answer", None, None]]
    _ok(r["no_answer"]["peer"])  # the ring timeout sent CANCEL; 487 acknowledged


def test_ivr_menu_choice_by_rfc4733_digit_routes_to_the_right_queue(results: dict[str, Any]) -> None:
    r = results["ivr"]
    assert "error" not in r, r
    _ok(r["sipp"])
    assert r["digits"] == "2"
    assert len(r["prompts"]) == 1  # the menu prompt, spoken by espeak-ng and converted to 8 kHz by sox
    [row] = r["rows"]
    assert row["attributes"]["ivr"] == {"menu": "2"} and row["attributes"]["dialled_number"] == "ivr-line"
    assert row["queue_id"] == "support"  # the workflow's "ivr.menu == '2'" filter
    assert r["timeline"][:3] == ["ContactCreated", "ContactRouted", "ContactQueued"]


def test_dial_in_choose_in_ivr_wait_answered_by_registered_phone_recorded_logged_and_counted(
        results: dict[str, Any]) -> None:
    r = results["full"]
    assert "error" not in r, r
    for peer in ("register", "agent", "caller"):
        _ok(r[peer])
    [row] = r["rows"]
    assert row["attributes"]["ivr"] == {"menu": "2"}
    assert row["queue_id"] == "support" and row["agent_id"] == "a2" and row["outcome"] == "completed"
    assert [t for t in r["timeline"] if t != "RecordingStored"] == [
        "ContactCreated", "ContactRouted", "ContactQueued", "ContactOffered", "ContactConnected", "ContactEnded",
        "WrapUpCompleted", "ContactClosed"]
    assert r["timeline"].count("RecordingStored") == 1  # the recording's file is referenced in the log
    assert r["wav"]["left_peak"] > 1000 and r["wav"]["right_peak"] > 1000
    assert abs(r["wav"]["seconds"] - row["talk_s"]) < 0.3
    before, after = r["support_before"], r["support_after"]
    assert after["offered"] == before["offered"] + 1 and after["handled"] == before["handled"] + 1


def test_voicemail_records_what_the_caller_sent_until_bye(results: dict[str, Any]) -> None:
    r = results["voicemail"]
    assert "error" not in r, r
    _ok(r["sipp"])
    [msg] = r["messages"]
    assert msg["caller_id"] == "vmcaller" and msg["mailbox"] == "sales"
    assert r["wav"]["channels"] == 1 and r["wav"]["peak"] > 1000  # the caller's audio, not silence
    assert abs(r["wav"]["seconds"] - 4.1) < 0.6  # from the answer to the BYE (4 s of speech + 0.1 s)
    assert abs(msg["seconds"] - r["wav"]["seconds"]) < 0.05
    assert r["rows"] == []  # straight to voicemail: no contact was queued


def test_callback_keeps_the_place_dials_the_customer_through_the_trunk_and_bridges(results: dict[str, Any]) -> None:
    r = results["callback"]
    assert "error" not in r, r
    for peer in ("caller", "register", "agent", "customer"):
        _ok(r[peer])  # the caller was hung up by us (its BYE answered); both phones were hung up at the end
    [queued] = r["queued"]
    assert queued["queue_id"] == "cbq"  # still queued after the caller's leg was gone
    assert [(e["attempt"], e["outcome"]) for e in r["log"]] == [(1, "answered")]
    assert r["relayed"] > 20  # RTP relayed between the agent's phone and the called-back customer
    [row] = r["rows"]
    assert row["outcome"] == "completed" and row["agent_id"] == "a3"
    contact = [t for t in r["timeline"] if not t.startswith("Callback")]
    assert "ContactAbandoned" not in contact and contact[:5] == [
        "ContactCreated", "ContactRouted", "ContactQueued", "ContactOffered", "ContactConnected"]
    assert [t for t in r["timeline"] if t.startswith("Callback")] == [
        "CallbackRequested", "CallbackAttempted", "CallbackCompleted"]


def test_amd_on_a_dialer_call_hears_a_person_and_a_voicemail_greeting(results: dict[str, Any]) -> None:
    """SIPp callees answer (after a reliable 183 that we PRACK) and play espeak-ng greetings over RTP."""
    r = results["amd"]
    assert "error" not in r, r
    for kind in ("human", "machine"):
        _ok(r[kind]["peer"])  # the callee got our PRACK (RAck 4711 1 INVITE), our ACK and, at the end, our BYE
        assert r[kind]["events"] == [["ringing", None, None], ["answered", kind, None]], r[kind]
    assert r["human"]["verdict"]["result"] == "HUMAN" and r["machine"]["verdict"]["result"] == "MACHINE"
    # decided on the greeting itself, well before the 5 s analysis limit
    assert r["human"]["verdict"]["decided_ms"] < 3000 and r["machine"]["verdict"]["decided_ms"] < 3500
