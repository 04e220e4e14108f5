"""A transcribed call in the call's thread, on both backends: its utterances in the customer's timeline with the
speaker and the time each was said, scored by the message sentiment analyser; the call counted in the contact's
customer/agent sentiment, the trend, the QA signals and topics; a negative call raises the negative-sentiment
alert until acknowledged. The engine is a scripted stand-in here (tests/speech runs the real one)."""

from __future__ import annotations

import array
from typing import Any

from blendcc.app.channels.voice.transcription import Transcriber
from blendcc.domain import events as ev
from blendcc.domain.transcript import Utterance

#: what each side says (start_s, end_s, text): the customer's channel is the left one
SCRIPT = {
    "customer": [(2.0, 5.0, "my card was stolen and nobody helps me"),
                 (9.0, 12.0, "this is terrible, the worst service, I am furious"),
                 (15.0, 17.0, "horrible, useless, I hate this")],
    "agent": [(0.0, 1.5, "thank you for calling, how can I help"),
              (6.0, 8.0, "I am sorry, I will block the card right now")],
}


class ScriptedStt:
    """Answers the script of the side whose channel it is given (left samples are 1, right samples 2)."""

    name = "scripted"

    def transcribe(self, pcm16: bytes, sample_rate: int) -> list[Utterance]:
        side = "customer" if array.array("h", pcm16[:2])[0] == 1 else "agent"
        return [Utterance(a, b, text) for a, b, text in SCRIPT[side]]


def stereo(_uri: str) -> tuple[int, int, bytes]:
    return 8000, 2, array.array("h", [1, 2] * 8000).tobytes()


def transcribed_call(centre: Any, login: bool = True) -> tuple[str, str, float]:
    """A voice call answered by a1, ended, recorded (20 s, stored at its end) and transcribed:
    (contact id, customer id, the recording's start)."""
    if login:
        centre.put("/api/config/agents/a1", json={"queues": ["sales", "support"], "skills": {"tech": 3}})
        centre.agent_login("a1")
    out = centre.new_contact(channel="voice", caller_id="+442071234567")
    cid = out["contact_id"]
    centre.act("a1", cid, "accept")
    began = centre.clock.now()
    centre.advance(20)
    centre.act("a1", cid, "end")
    centre.act("a1", cid, "wrapup", disposition="fraud")
    store = centre.container.store
    store.append([ev.RecordingStored(at=began + 20, contact_id=cid, recording_id="r1", uri="r1.wav",
                                     duration_s=20.0)])
    transcriber = Transcriber(ScriptedStt(), stereo, centre.container.runtime, store)
    assert len(transcriber.transcribe(cid, "r1", "r1.wav")) == 5
    return cid, out["customer_id"], began


def test_the_transcript_is_in_the_customers_timeline_with_speaker_time_and_sentiment(centre: Any) -> None:
    cid, customer_id, began = transcribed_call(centre)
    got = centre.get(f"/api/contacts/{cid}/transcript", "sup")
    assert [(u["speaker"], u["spoken_at"]) for u in got][:2] == [("agent", began), ("customer", began + 2.0)]
    items = centre.get(f"/api/customers/{customer_id}/timeline?limit=50", "sup")["items"]
    said = sorted((i for i in items if i["kind"] == "utterance"), key=lambda i: i["at"])
    assert [(i["detail"]["speaker"], i["at"] - began, i["text"]) for i in said] == sorted(
        ((side, a, text) for side, lines in SCRIPT.items() for a, _b, text in lines), key=lambda r: r[1])
    assert all(i["contact_id"] == cid and i["channel"] == "voice" for i in said)
    labels = {i["text"]: i["sentiment"]["label"] for i in said}
    assert labels["horrible, useless, I hate this"] == "negative"
    assert labels["thank you for calling, how can I help"] == "positive"
    assert all(i["sentiment"] is None for i in items if i["kind"] not in ("utterance", "message"))
    found = centre.get(f"/api/customers/{customer_id}/timeline?q=furious", "sup")["items"]
    assert [i["kind"] for i in found] == ["utterance"]


def test_call_sentiment_counts_per_contact_in_the_trend_and_in_qa(centre: Any) -> None:
    cid, _customer, began = transcribed_call(centre)
    got = centre.get(f"/api/analytics/sentiment/contacts/{cid}", "sup")
    assert got["messages"][-1]["text"] == "horrible, useless, I hate this"
    assert [(m["author"], m["kind"]) for m in got["messages"]] == [
        ("agent", "utterance"), ("customer", "utterance"), ("agent", "utterance"), ("customer", "utterance"),
        ("customer", "utterance")]
    assert [m["at"] - began for m in got["messages"]] == [0.0, 2.0, 6.0, 9.0, 15.0]
    customer = got["customer"]
    assert customer["messages"] == 3 and customer["end"] == got["messages"][-1]["score"] < -0.25
    assert customer["end_label"] == "negative" and got["agent"]["messages"] == 2
    row = centre.get(f"/api/contacts/{cid}", "sup")
    trend = centre.get(f"/api/analytics/sentiment/trend?start={began - 60}&end={began + 3600}&by=queue", "sup")
    assert [(r["queue"], r["messages"]) for r in trend["rows"]] == [(row["queue_id"], 3)]
    by_agent = centre.get(f"/api/analytics/sentiment/trend?start={began - 60}&end={began + 3600}&by=agent"
                          "&author=agent", "sup")
    assert [(r["agent"], r["messages"]) for r in by_agent["rows"]] == [("a1", 2)]
    signals = centre.get(f"/api/qa/signals/{cid}", "sup")["signals"]
    assert "negative_sentiment" in [s["kind"] for s in signals]


def test_a_negative_call_raises_the_sentiment_alert_until_acknowledged(centre: Any) -> None:
    seen: list[dict[str, Any]] = []
    centre.container.bus.subscribe("alert", lambda _t, m: seen.append(dict(m)))
    cid, _customer, _began = transcribed_call(centre)
    centre.container.alerts.evaluate()  # the next wallboard tick: the whole transcript is in
    raised = [m for m in seen if m["type"] == "AlertRaised" and m["kind"] == "negative_sentiment"]
    assert [(m["subject"], m["detail"]) for m in raised] == [(cid, {"source": "call_transcript"})]
    assert raised[0]["value"] < -0.5
    centre.container.alerts.evaluate()
    (alert,) = [a for a in centre.get("/api/supervisor/alerts", "sup")["alerts"] if a["subject"] == cid]
    centre.post(f"/api/supervisor/alerts/{alert['id']}/ack", "sup")
    assert cid not in [a["subject"] for a in centre.get("/api/supervisor/alerts", "sup")["alerts"]]


def test_a_calls_customer_lines_give_it_topics(centre: Any) -> None:
    start = centre.clock.now()
    calls = {transcribed_call(centre, login=n == 0)[0] for n in range(2)}
    for n, text in enumerate(("question about an invoice", "opening hours of the shop")):
        centre.new_contact(channel="chat", caller_id=f"web-{n}", text=text)
    end = centre.clock.now() + 1
    pareto = centre.get(f"/api/analytics/reasons?start={start}&end={end}&source=topic", "sup")
    assert pareto["contacts"] == 4 and pareto["tagged"] == 2
    first = pareto["rows"][0]["reason"]
    drill = centre.get(f"/api/analytics/reasons/contacts?start={start}&end={end}&source=topic&reason={first}", "sup")
    assert {c["contact_id"] for c in drill["contacts"]} == calls
    said = " ".join(text for *_, text in SCRIPT["customer"]).lower()
    assert all(word in said for c in drill["contacts"] for topic in c["topics"] for word in topic.split())
    agent_only = {"block", "sorry", "calling"}  # words only the agent said: not the customer's topics
    assert not {w for c in drill["contacts"] for topic in c["topics"] for w in topic.split()} & agent_only
