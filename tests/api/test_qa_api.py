"""Quality management over the API on both backends: scorecards written and versioned by supervisors with field
errors; evaluations scored against a version, seen by the agent, acknowledged or disputed and re-scored;
calibration spread; QA scores per agent, team and queue; automatic signals and the seeded sample."""

from __future__ import annotations

from typing import Any

import pytest

from blendcc.domain.conversation import ChannelRef, ReceiveMessage
from blendcc.testing.fake_channel import ManualTimers
from conftest import PASSWORD

CARD: dict[str, Any] = {
    "name": "Chat quality",
    "channels": ["chat"],
    "sections": [
        {"id": "open", "title": "Opening", "questions": [
            {"id": "greet", "text": "Greeted the customer?"},
            {"id": "verify", "text": "Verified identity?", "auto_fail": True, "weight": 2, "na_allowed": True}]},
        {"id": "solve", "title": "Resolution", "questions": [
            {"id": "skill", "text": "Product knowledge", "kind": "scale", "scale_max": 5, "weight": 3}]},
    ],
    "signals": {"long_silence_s": 60, "required": [{"id": "greeting", "phrases": ["hello", "good morning"]},
                                                   {"id": "disclosure", "phrases": ["this chat is recorded"]}],
                "prohibited": ["calm down"]},
}
GOOD = {"greet": "yes", "verify": "yes", "skill": 4}  # (1 + 2 + 12) / (1 + 2 + 15)


@pytest.fixture
def qa(centre: Any) -> Any:
    centre.container.conversations.later = ManualTimers(centre.clock)
    for aid, queues, skills in (("a1", ["sales", "support"], {"tech": 3}), ("a2", ["sales", "billing"], {})):
        team = "t1" if aid == "a1" else None
        centre.put(f"/api/config/agents/{aid}", json={"queues": queues, "team_id": team, "skills": skills,
                                                      "capacity": {"limits": {"voice": 1, "chat": 9}}})
    centre.put("/api/qa/scorecards/chat", "sup", json=CARD)
    return centre


def chat_with(centre: Any, agent: str, address: str, text: str) -> str:
    logged_in: set[str] = centre.__dict__.setdefault("qa_logged_in", set())
    if agent not in logged_in:
        centre.agent_login(agent)
        logged_in.add(agent)
    for other in logged_in:  # only ``agent`` takes the new contact
        centre.set_status(other, "available" if other == agent else "aux", None if other == agent else "lunch")
    out = centre.new_contact(channel="chat", caller_id=address, text=text)
    centre.act(agent, out["contact_id"], "accept")
    return str(out["contact_id"])


def evaluate(centre: Any, cid: str, answers: dict[str, Any], user: str = "sup", **extra: Any) -> dict[str, Any]:
    out: dict[str, Any] = centre.post("/api/qa/evaluations", user,
                                      json={"contact_id": cid, "scorecard_id": "chat", "answers": answers, **extra})
    return out


def test_scorecards_are_versioned_documents(qa: Any) -> None:
    v2 = qa.put("/api/qa/scorecards/chat", "sup", json={**CARD, "name": "Chat quality 2"})
    assert v2["version"] == 2 and v2["document"]["name"] == "Chat quality 2"
    assert qa.get("/api/qa/scorecards/chat?version=1", "ann")["document"]["name"] == "Chat quality"
    assert [h["version"] for h in qa.get("/api/qa/scorecards/chat/history", "sup")] == [1, 2]
    assert [c["document"]["id"] for c in qa.get("/api/qa/scorecards", "ann")] == ["chat"]
    assert qa.post("/api/qa/scorecards/other/check", "sup", json=CARD)["document"]["id"] == "other"
    assert qa.get("/api/qa/scorecards", "sup")[0]["version"] == 2  # check stored nothing
    qa.put("/api/qa/scorecards/sales", "sup", json={**CARD, "queues": ["sales"]})
    refused = qa.error("DELETE", "/api/config/queues/sales", 409)
    assert "scorecard(s) sales" in refused["detail"]
    qa.delete("/api/qa/scorecards/sales", "sup")
    qa.error("GET", "/api/qa/scorecards/sales", 404, "sup")


@pytest.mark.parametrize(("body", "loc", "words"), [
    ({**CARD, "queues": ["nope"]}, ["queues", 0], "unknown queue 'nope'"),
    ({**CARD, "sections": [{"id": "s", "title": "S", "questions": [{"id": "q", "text": "Q", "kind": "scale"}]}]},
     ["sections", 0, "questions", 0], "needs scale_max"),
    ({**CARD, "sections": [*CARD["sections"], {"id": "more", "title": "M", "questions": [{"id": "greet",
                                                                                          "text": "again"}]}]},
     ["sections", 2, "questions", 0, "id"], "used twice"),
    ({**CARD, "sections": [{"id": "s", "title": "S", "questions": [{"id": "q", "text": "Q", "weight": -1}]}]},
     ["sections", 0, "questions", 0, "weight"], "greater than 0"),
    ({**CARD, "colour": "red"}, ["colour"], "Extra inputs"),
    ({**CARD, "id": "other"}, ["id"], "does not match"),
])
def test_scorecard_validation_errors_have_field_paths(qa: Any, body: dict[str, Any], loc: list[Any],
                                                      words: str) -> None:
    got = qa.error("PUT", "/api/qa/scorecards/chat", 422, "sup", json=body)
    assert got["errors"][0]["loc"] == loc and words in got["errors"][0]["msg"]
    assert words in got["detail"]


def test_an_evaluation_is_acknowledged_or_disputed_and_rescored(qa: Any) -> None:
    cid = chat_with(qa, "a1", "web-1", "Hi, my router is broken")
    e = evaluate(qa, cid, {**GOOD, "skill": 2}, comments={"skill": "check the FAQ"}, comment="ok")
    assert e["score"] == pytest.approx((1 + 2 + 6) / 18) and e["agent_id"] == "a1" and e["team_id"] == "t1"
    assert (e["queue_id"], e["channel"], e["revision"], e["status"]) == ("support", "chat", 1, "open")
    assert [x["id"] for x in qa.get("/api/qa/evaluations", "ann")] == [e["id"]]  # the agent sees its own
    assert qa.get("/api/qa/evaluations", "bob") == []
    qa.error("GET", f"/api/qa/evaluations/{e['id']}", 404, "bob")
    qa.error("GET", "/api/qa/evaluations?agent_id=a1", 403, "bob")
    qa.error("POST", f"/api/qa/evaluations/{e['id']}/acknowledge", 404, "bob")  # not bob's: not shown
    qa.error("POST", f"/api/qa/evaluations/{e['id']}/dispute", 422, "ann", json={"reason": ""})

    disputed = qa.post(f"/api/qa/evaluations/{e['id']}/dispute", "ann", json={"reason": "I did verify the caller"})
    assert [x["id"] for x in qa.get("/api/qa/evaluations?status=disputed", "sup")] == [e["id"]]
    assert qa.get("/api/qa/evaluations?status=open", "sup") == []
    assert (disputed["status"], disputed["response"], disputed["responded_by"]) == (
        "disputed", "I did verify the caller", "ann")
    qa.error("POST", f"/api/qa/evaluations/{e['id']}/acknowledge", 409, "ann")
    qa.error("POST", f"/api/qa/evaluations/{e['id']}/rescore", 403, "ann", json={"answers": GOOD})
    r2 = qa.post(f"/api/qa/evaluations/{e['id']}/rescore", "admin", json={"answers": GOOD, "reply": "agreed"})
    assert (r2["revision"], r2["status"], r2["reply"], r2["evaluator"]) == (2, "open", "agreed", "admin")
    assert r2["score"] == pytest.approx(15 / 18)
    acked = qa.post(f"/api/qa/evaluations/{e['id']}/acknowledge", "ann", json={"note": "thanks"})
    assert acked["status"] == "acknowledged" and acked["revision"] == 2
    qa.error("POST", f"/api/qa/evaluations/{e['id']}/rescore", 409, "sup", json={"answers": GOOD})
    revisions = qa.get(f"/api/qa/evaluations/{e['id']}/revisions", "ann")
    assert [(r["revision"], r["status"], r["response"]) for r in revisions] == [
        (1, "disputed", "I did verify the caller"), (2, "acknowledged", "thanks")]


def test_an_evaluation_uses_the_scorecard_version_it_names(qa: Any) -> None:
    cid = chat_with(qa, "a1", "web-2", "Hello")
    qa.put("/api/qa/scorecards/chat", "sup", json={**CARD, "sections": CARD["sections"][:1]})
    current = evaluate(qa, cid, {"greet": "yes", "verify": "na"})
    assert current["scorecard_version"] == 2 and current["score"] == 1.0
    old = evaluate(qa, cid, {"greet": "yes", "verify": "no", "skill": 5}, scorecard_version=1, agent_id="a2")
    assert old["scorecard_version"] == 1 and old["score"] == 0.0  # auto-fail
    assert (old["agent_id"], old["team_id"]) == ("a2", None)  # named: e.g. the agent before a transfer
    bad = qa.error("POST", "/api/qa/evaluations", 422, "sup", json={
        "contact_id": cid, "scorecard_id": "chat", "scorecard_version": 1, "answers": {"greet": "yes", "skill": 9}})
    assert {tuple(x["loc"]) for x in bad["errors"]} == {("answers", "verify"), ("answers", "skill")}


@pytest.mark.parametrize(("user", "body", "status", "words"), [
    ("ann", {"contact_id": "x", "scorecard_id": "chat", "answers": GOOD}, 403, "supervisor"),
    ("sup", {"contact_id": "nope", "scorecard_id": "chat", "answers": GOOD}, 404, "nope"),
    ("sup", {"contact_id": "CID", "scorecard_id": "nope", "answers": GOOD}, 404, "nope"),
    ("sup", {"contact_id": "CID", "scorecard_id": "chat", "scorecard_version": 7, "answers": GOOD}, 404, "version 7"),
    ("sup", {"contact_id": "CID", "scorecard_id": "chat", "answers": {**GOOD, "greet": True}}, 422, "greet"),
    ("sup", {"contact_id": "CID", "scorecard_id": "chat", "answers": GOOD, "comments": {"zz": "x"}}, 422, "zz"),
    ("sup", {"contact_id": "CID", "scorecard_id": "chat", "answers": GOOD, "extra": 1}, 422, "extra"),
    ("sup", {"contact_id": "CID", "scorecard_id": "chat", "answers": GOOD, "agent_id": "zz9"}, 422, "no agent 'zz9'"),
])
def test_bad_evaluations_are_refused(qa: Any, user: str, body: dict[str, Any], status: int, words: str) -> None:
    cid = chat_with(qa, "a1", "web-3", "Hi")
    body = {**body, "contact_id": cid if body["contact_id"] == "CID" else body["contact_id"]}
    assert words in qa.error("POST", "/api/qa/evaluations", status, user, json=body)["detail"]


def test_a_scorecard_for_another_channel_does_not_apply(qa: Any) -> None:
    qa.agent_login("a1")
    voice = qa.new_contact(channel="voice", caller_id="+48600100200")["contact_id"]
    qa.act("a1", voice, "accept")
    assert "does not apply" in qa.error("POST", "/api/qa/evaluations", 422, "sup", json={
        "contact_id": voice, "scorecard_id": "chat", "answers": GOOD})["detail"]


def test_calibration_reports_the_spread(qa: Any) -> None:
    qa.put("/api/users/sue", json={"password": PASSWORD, "role": "supervisor"})
    cid = chat_with(qa, "a1", "web-4", "Hi")
    session = qa.post("/api/qa/calibrations", "sup", json={"contact_id": cid, "scorecard_id": "chat"})
    assert session["scorecard_version"] == 1
    for user, answers in (("sup", GOOD), ("admin", {**GOOD, "skill": 2}),
                          ("sue", {"greet": "no", "verify": "na", "skill": 5})):
        qa.post("/api/qa/evaluations", user, json={"contact_id": cid, "scorecard_id": "chat", "answers": answers,
                                                    "calibration_id": session["id"]})
    qa.error("POST", "/api/qa/evaluations", 409, "sue", json={
        "contact_id": cid, "scorecard_id": "chat", "answers": GOOD, "calibration_id": session["id"]})
    report = qa.get(f"/api/qa/calibrations/{session['id']}", "sup")
    assert report["evaluations"] == 3 and sorted(s["evaluator"] for s in report["scores"]) == ["admin", "sue", "sup"]
    q = {r["question_id"]: r for r in report["questions"]}
    assert (q["skill"]["min"], q["skill"]["max"]) == (0.4, 1.0)
    assert q["skill"]["stdev"] == pytest.approx(0.2494438, abs=1e-6)
    assert q["verify"]["n"] == 2 and q["verify"]["stdev"] == 0.0
    scores = sorted(s["score"] for s in report["scores"])
    assert (report["overall"]["min"], report["overall"]["max"]) == (scores[0], scores[-1])
    assert qa.get("/api/qa/evaluations", "ann") == []  # calibration scores are not the agent's evaluations
    qa.error("GET", f"/api/qa/calibrations/{session['id']}", 403, "ann")
    qa.error("GET", "/api/qa/calibrations/nope", 404, "sup")


def test_qa_scores_per_agent_team_and_queue(qa: Any) -> None:
    start = qa.clock.now()
    c1 = chat_with(qa, "a1", "web-5", "my router is broken")  # support
    c2 = chat_with(qa, "a1", "web-6", "Hi")  # sales
    c3 = chat_with(qa, "a2", "web-7", "Hi")  # sales
    evaluate(qa, c1, GOOD)
    evaluate(qa, c2, {**GOOD, "verify": "no"})
    evaluate(qa, c3, {"greet": "yes", "verify": "yes", "skill": 5})
    span = f"start={start}&end={start + 3600}"
    by_agent = qa.get(f"/api/qa/scores?{span}&by=agent", "sup")["rows"]
    assert by_agent == [{"key": "a1", "bucket_start": start, "evaluations": 2, "mean_score": pytest.approx(15 / 36)},
                        {"key": "a2", "bucket_start": start, "evaluations": 1, "mean_score": 1.0}]
    assert qa.get(f"/api/qa/scores?{span}&by=team&bucket=day", "sup")["rows"] == [
        {"key": "t1", "bucket_start": start, "evaluations": 2, "mean_score": pytest.approx(15 / 36)}]
    by_queue = {r["key"]: r for r in qa.get(f"/api/qa/scores?{span}&by=queue", "sup")["rows"]}
    assert by_queue["sales"]["evaluations"] == 2 and by_queue["sales"]["mean_score"] == 0.5
    assert qa.get(f"/api/qa/scores?start={start + 3600}&end={start + 7200}", "sup")["rows"] == []
    qa.advance(86400)  # a contact of the next day: its own day bucket
    evaluate(qa, chat_with(qa, "a1", "web-9", "Hi"), GOOD)
    daily = qa.get(f"/api/qa/scores?start={start}&end={start + 7 * 86400}&by=agent&bucket=day", "sup")["rows"]
    assert [(r["key"], r["bucket_start"], r["evaluations"]) for r in daily] == [
        ("a1", start, 2), ("a1", start + 86400, 1), ("a2", start, 1)]
    weekly = qa.get(f"/api/qa/scores?start={start}&end={start + 7 * 86400}&by=agent&bucket=week", "sup")["rows"]
    assert [(r["key"], r["evaluations"]) for r in weekly] == [("a1", 3), ("a2", 1)]
    qa.error("GET", f"/api/qa/scores?{span}", 403, "ann")
    qa.error("GET", f"/api/qa/scores?start={start}&end={start - 1}", 422, "sup")
    qa.error("GET", f"/api/qa/scores?{span}&by=day", 422, "sup")


def test_signals_and_the_seeded_sample(qa: Any) -> None:
    start = qa.clock.now()
    cid = chat_with(qa, "a1", "web-8", "Hi, I need help with my bill")
    qa.advance(90)
    qa.post(f"/api/contacts/{cid}/messages", "ann", 201, json={"body": "Hello! Please calm down."})
    qa.container.conversations.receive(ReceiveMessage(ChannelRef("chat"), "web-8",
                                                      "This is terrible, awful service, I hate it", "p2"))
    got = qa.get(f"/api/qa/signals/{cid}", "sup")
    assert got["scorecard_id"] == "chat"
    assert [(s["kind"], s["value"]) for s in got["signals"]] == [
        ("long_silence", 90.0), ("negative_sentiment", pytest.approx(got["signals"][1]["value"])),
        ("required_phrase_missing", "disclosure"), ("prohibited_phrase", "calm down")]
    assert got["signals"][1]["value"] < -0.25
    for i in range(6):  # a2's contacts raise no signal: only the random pick takes them
        other = chat_with(qa, "a2", f"web-s{i}", "Good day")
        qa.post(f"/api/contacts/{other}/messages", "bob", 201, json={"body": "Hello, this chat is recorded."})
    span = f"start={start}&end={start + 86400}"
    picks = qa.get(f"/api/qa/sample?{span}&per_agent=2&seed=7", "sup")
    assert picks == qa.get(f"/api/qa/sample?{span}&per_agent=2&seed=7", "sup")  # reproducible
    assert {p["contact_id"]: p["reasons"] for p in picks}[cid] in (["flagged"], ["random", "flagged"])
    assert sum(1 for p in picks if p["agent_id"] == "a2" and "random" in p["reasons"]) == 2
    seeds = {tuple(p["contact_id"] for p in qa.get(f"/api/qa/sample?{span}&per_agent=2&seed={s}", "sup")
                   if p["agent_id"] == "a2") for s in range(8)}
    assert len(seeds) > 1  # the seed changes the pick
    qa.error("GET", f"/api/qa/sample?start={start}&end={start + 40 * 86400}", 422, "sup")
    qa.error("GET", f"/api/qa/signals/{cid}", 403, "ann")
    qa.error("GET", "/api/qa/signals/nope", 404, "sup")


def test_the_preview_scores_a_form_being_filled_in_as_the_evaluation_will(qa: Any) -> None:
    url = "/api/qa/scorecards/chat/preview"
    empty = qa.post(url, "sup", json={"answers": {}})
    assert (empty["score"], empty["complete"], sorted(empty["missing"])) == (None, False, ["greet", "skill", "verify"])
    part = qa.post(url, "sup", json={"answers": {"greet": "yes", "skill": 2}})
    assert part["score"] == pytest.approx((1 + 6) / (1 + 15)) and part["missing"] == ["verify"]
    failed = qa.post(url, "sup", json={"answers": {"greet": "yes", "verify": "no"}})
    assert (failed["score"], failed["auto_failed"], failed["failed_by"]) == (0.0, True, ["verify"])
    full = qa.post(url, "sup", json={"answers": {**GOOD, "skill": 2}})
    cid = chat_with(qa, "a1", "web-1", "Hi, my router is broken")
    saved = evaluate(qa, cid, {**GOOD, "skill": 2})
    assert full["complete"] and full["score"] == pytest.approx(saved["score"])
    qa.error("POST", url, 422, "sup", json={"answers": {"skill": 9}})
    qa.error("POST", url, 422, "sup", json={"answers": {"nope": "yes"}})
    qa.error("POST", url, 403, "ann", json={"answers": {}})
    qa.error("POST", "/api/qa/scorecards/none/preview", 404, "sup", json={"answers": {}})


def test_calibration_sessions_are_listed_with_their_evaluators_and_spread(qa: Any) -> None:
    cid = chat_with(qa, "a1", "web-9", "Hi")
    other = chat_with(qa, "a1", "web-10", "Hello")
    start = qa.clock.now()
    first = qa.post("/api/qa/calibrations", "sup", json={"contact_id": cid, "scorecard_id": "chat"})
    qa.clock.advance(60)
    second = qa.post("/api/qa/calibrations", "admin", json={"contact_id": other, "scorecard_id": "chat"})
    for user, answers in (("sup", GOOD), ("admin", {"greet": "no", "verify": "na", "skill": 5})):
        qa.post("/api/qa/evaluations", user, json={"contact_id": cid, "scorecard_id": "chat", "answers": answers,
                                                    "calibration_id": first["id"]})
        qa.clock.advance(5)
    listed = qa.get("/api/qa/calibrations", "sup")
    assert [s["session"]["id"] for s in listed] == [second["id"], first["id"]]  # newest first
    empty, scored = listed
    assert (empty["evaluations"], empty["evaluators"], empty["overall"]) == (
        0, [], {"n": 0, "min": None, "max": None, "stdev": None})
    assert (scored["evaluations"], scored["evaluators"], scored["session"]["created_by"]) == (
        2, ["sup", "admin"], "sup")
    report = qa.get(f"/api/qa/calibrations/{first['id']}", "sup")
    assert scored["overall"] == report["overall"]  # the same spread as the session's own report
    overall = scored["overall"]
    assert (overall["n"], overall["min"], overall["max"]) == (2, pytest.approx(15 / 18), pytest.approx(15 / 16))
    assert overall["stdev"] == pytest.approx((15 / 16 - 15 / 18) / 2)  # population stdev of two scores
    only = qa.get(f"/api/qa/calibrations?contact_id={other}", "sup")
    assert [s["session"]["id"] for s in only] == [second["id"]]
    assert [s["session"]["id"] for s in qa.get(f"/api/qa/calibrations?start={start + 30}", "sup")] == [second["id"]]
    assert [s["session"]["id"] for s in qa.get("/api/qa/calibrations?limit=1", "sup")] == [second["id"]]
    qa.error("GET", "/api/qa/calibrations", 403, "ann")
    assert "end must be after start" in qa.error("GET", f"/api/qa/calibrations?start={start}&end={start}", 422,
                                                 "sup")["detail"]
