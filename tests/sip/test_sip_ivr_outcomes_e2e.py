"""End to end with SIPp: callers who hang up in the IVR and calls the flow ends become contacts with their IVR path."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sipp_harness import netns_results

RUNNER = Path(__file__).resolve().parent / "netns_ivr.py"


@pytest.fixture(scope="module")
def results() -> dict[str, Any]:
    out = netns_results(RUNNER, [], timeout=180)
    assert "error" not in out, out
    return out


def _one(r: dict[str, Any]) -> dict[str, Any]:
    sipp = r["sipp"]
    assert sipp["rc"] == 0 and sipp["failed"] == 0 and sipp["successful"] == 1, sipp["stderr"] + sipp["screen"]
    [row] = r["rows"]
    assert row["channel"] == "voice" and row["direction"] == "inbound" and row["state"] == "closed"
    assert row["attributes"]["dialled_number"] == "info-line" and row["attributes"]["ivr_flow"] == "info"
    assert row["queue_id"] is None and row["offers"] == 0
    assert r["timeline"] == ["IvrCallEnded"]
    return row


def test_hang_up_in_the_first_menu_is_an_ivr_abandon(results: dict[str, Any]) -> None:
    row = _one(results["early"])
    assert row["outcome"] == "ivr_abandoned" and row["attributes"]["caller_id"] == "gone-early"
    assert row["attributes"]["ivr_path"] == ["top"] and "ivr" not in row["attributes"]


def test_hang_up_after_a_choice_keeps_the_choice_and_the_path(results: dict[str, Any]) -> None:
    row = _one(results["later"])
    assert row["outcome"] == "ivr_abandoned"
    assert row["attributes"]["ivr"] == {"top": "2"} and row["attributes"]["ivr_path"] == ["top", "more"]


def test_a_call_the_flow_ends_is_contained(results: dict[str, Any]) -> None:
    row = _one(results["contained"])
    assert row["outcome"] == "ivr_contained"
    assert row["attributes"]["ivr"] == {"top": "1"} and row["attributes"]["ivr_path"] == ["top", "hours", "bye"]


def test_ivr_figures_count_them_and_queue_figures_do_not(results: dict[str, Any]) -> None:
    assert results["queues_after"] == results["queues_before"]
    expected = {"flow_id": "info", "dialled": "info-line", "ivr_calls": 3, "to_queue": 0, "ivr_abandoned": 2,
                "ivr_contained": 1}
    [live] = results["ivr_today"]["flows"]
    assert {k: live[k] for k in expected} == expected
    [row] = results["report"]["rows"]
    assert {k: row[k] for k in expected} == expected
