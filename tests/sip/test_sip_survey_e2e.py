"""End to end with SIPp: the agent's phone hangs up, the caller stays on and answers the post-call survey by DTMF
(RFC 4733 or SIP INFO)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sipp_harness import netns_results

RUNNER = Path(__file__).resolve().parent / "netns_survey.py"


@pytest.fixture(scope="module")
def results() -> dict[str, Any]:
    out = netns_results(RUNNER, [], timeout=180)
    assert "error" not in out, out
    return out


def _ok(r: dict[str, Any]) -> None:
    assert r["rc"] == 0 and r["failed"] == 0 and r["successful"] == 1, r["stderr"] + r["screen"]


def test_the_caller_keys_4_after_the_agent_hangs_up_and_it_is_stored(results: dict[str, Any]) -> None:
    r = results["answered"]
    _ok(r["agent"])  # the agent's phone sent BYE and got 200
    _ok(r["caller"])  # the caller was not hung up with the agent: it keyed 4 and then got our BYE
    [row] = r["rows"]
    assert row["outcome"] == "completed" and row["agent_id"] == "a1" and row["queue_id"] == "sales"
    assert r["digits"] == "4" and r["call_state"] == "ended"
    invited, answered = r["survey"]
    assert (invited["type"], invited["via"], invited["channel"]) == ("SurveyInvited", "ivr", "voice")
    assert answered["type"] == "SurveyAnswered"
    assert {k: answered[k] for k in ("survey", "score", "agent_id", "queue_id", "channel")} == {
        "survey": "csat", "score": 4, "agent_id": "a1", "queue_id": "sales", "channel": "voice"}
    assert r["timeline"].index("ContactEnded") < r["timeline"].index("SurveyInvited")


def test_a_caller_hanging_up_during_the_question_leaves_the_invitation_unanswered(results: dict[str, Any]) -> None:
    r = results["left"]
    _ok(r["agent"])
    _ok(r["caller"])
    assert [e["type"] for e in r["survey"]] == ["SurveyInvited"] and r["call_state"] == "ended"


def test_a_key_by_sip_info_counts_and_a_low_score_alerts_the_supervisors(results: dict[str, Any]) -> None:
    r = results["info"]
    _ok(r["agent"])
    _ok(r["caller"])  # its INFO got 200, then our BYE came after the thanks
    assert r["digits"] == "2"
    assert [(e["type"], e.get("score")) for e in r["survey"]] == [("SurveyInvited", None), ("SurveyAnswered", 2)]
    [alert] = results["alerts"]
    assert alert["subject"] == r["rows"][0]["contact_id"] and alert["value"] == 2
    assert alert["detail"]["agent_id"] == "a1" and alert["detail"]["queue_id"] == "sales"


def test_the_survey_report_counts_them_all(results: dict[str, Any]) -> None:
    expected = {"survey": "csat", "invited": 3, "answers": 2, "response_rate": 2 / 3, "mean": 3.0, "csat": 0.5,
                "low_answers": 1}
    for group, key in (("all", "all"), ("agent", "a1"), ("channel", "voice")):
        report = results[f"report_{group}"]
        assert report["status"] == 200
        [row] = report["rows"]
        assert row[group] == key and {k: row[k] for k in expected} == expected


def test_a_called_back_customer_is_offered_the_survey_and_keys_5(results: dict[str, Any]) -> None:
    """A call-back contact ends as an inbound call does: the agent's phone hangs up, the customer (on the leg we
    dialled through the trunk) stays on, hears the question and keys 5; then we hang up."""
    r = results["callback"]
    _ok(r["caller"])  # asked for the call-back and was hung up
    _ok(r["agent"])  # a3's phone answered, talked and hung up
    _ok(r["customer"])  # answered our call, keyed 5 after the agent left, then got (and answered) our BYE
    assert [(e["attempt"], e["outcome"]) for e in r["log"]] == [(1, "answered")]
    [row] = r["rows"]
    assert (row["outcome"], row["agent_id"], row["queue_id"]) == ("completed", "a3", "cbq")
    assert r["digits"].endswith("5") and r["call_state"] == "ended"
    invited, answered = r["survey"]
    assert (invited["type"], invited["via"], invited["channel"], invited["agent_id"]) == (
        "SurveyInvited", "ivr", "voice", "a3")
    assert {k: answered[k] for k in ("type", "survey", "score", "agent_id", "queue_id", "channel")} == {
        "type": "SurveyAnswered", "survey": "csat", "score": 5, "agent_id": "a3", "queue_id": "cbq", "channel": "voice"}
    timeline = r["timeline"]
    assert timeline.index("CallbackCompleted") < timeline.index("ContactEnded") < timeline.index("SurveyInvited")


def test_the_called_back_customers_answer_counts_for_the_call_back_queue(results: dict[str, Any]) -> None:
    report = results["report_queue_after_callback"]
    assert report["status"] == 200
    rows = {row["queue"]: row for row in report["rows"]}
    cbq = rows["cbq"]
    assert (cbq["invited"], cbq["answers"], cbq["response_rate"], cbq["mean"], cbq["csat"]) == (1, 1, 1.0, 5.0, 1.0)
    assert rows["sales"]["invited"] == 3  # the three calls before it
