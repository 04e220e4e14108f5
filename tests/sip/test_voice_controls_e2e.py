"""The call controls end to end with real SIPp peers in a private network namespace: DTMF out, consult,
three-way conference and the first agent leaving (a transfer the reports count); see netns_controls.py."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sipp_harness import netns_results

RUNNER = Path(__file__).resolve().parent / "netns_controls.py"


@pytest.fixture(scope="module")
def result() -> dict[str, Any]:
    out: dict[str, Any] = netns_results(RUNNER, [], timeout=120)["conference"]
    return out


def _ok(r: dict[str, Any]) -> None:
    assert r["rc"] == 0 and r["failed"] == 0 and r["successful"] == 1, r["stderr"] + r["screen"]


def test_sip_peers_complete_their_dialogs(result: dict[str, Any]) -> None:
    assert "error" not in result, result
    assert result["register"] == {"a1": 200, "a2": 200}
    _ok(result["caller"])  # hung up on a2 after the conference
    _ok(result["a1"])  # received our BYE when a1 left the conference
    _ok(result["a2"])  # received the BYE when the caller hung up


def test_controls_on_a_real_call(result: dict[str, Any]) -> None:
    assert "error" not in result, result
    assert result["dtmf"]["mode"] == "rfc4733" and result["dtmf"]["digits"] == "12#"  # SIPp offered telephone-event
    consult = result["card_consult"]
    assert consult["held"] and consult["consult"] == {"agent_id": "a2", "answered": True} and consult["phone"] == "sip"
    conf = result["card_conference"]
    assert conf["conference"] and conf["conference_with"] == ["a2"] and not conf["held"] and conf["recording"]
    assert result["mixed_frames"] > 0  # the Mixer ran
    assert result["leave"] == {"contact_id": conf["contact_id"], "transferred_to": "a2", "remaining_agent_id": "a2"}
    assert result["after_leave"]


def test_reports_see_the_conference_and_the_transfer(result: dict[str, Any]) -> None:
    assert "error" not in result, result
    [row] = result["rows"]
    assert row["outcome"] == "completed" and row["agent_id"] == "a2" and row["transfers"] == 1
    tl = result["timeline"]
    order = ["ContactHeld", "ContactResumed", "ConferenceStarted", "ConferenceLeft", "ContactTransferred"]
    assert [t for t in tl if t in order] == order
    first, second = result["recordings"]
    assert (first["agent_id"], second["agent_id"]) == ("a1", "a2")
    mixed = result["wav"][0]  # bridge, consultation (held) and conference: the caller left, the agents right
    assert mixed["channels"] == 2 and mixed["left_peak"] > 1000 and mixed["right_peak"] > 1000
