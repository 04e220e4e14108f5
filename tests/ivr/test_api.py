"""IVR over the API: flows as config documents, prompt upload/rendering/audio, flow simulation, refusals."""

from __future__ import annotations

import io
import wave
from pathlib import Path
from typing import Any

import pytest

from blendcc.adapters.prompts import PromptStore

from .flows import bank_flow
from .test_prompts import tone_wav


@pytest.fixture
def ivr(centre: Any, tmp_path: Path) -> Any:
    centre.client.app.state.ivr_prompts = PromptStore(tmp_path / "prompts")
    office = {"timezone": "Europe/London",
              "weekly": {d: [{"start": "08:00", "end": "18:00"}] for d in ("mon", "tue", "wed", "thu", "fri")}}
    centre.put("/api/config/calendars/office", json=office)
    return centre


@pytest.fixture
def sqlite_ivr(make_api: Any, sqlite_url: str, clock: Any, containers: Any, seed: Any, tmp_path: Path) -> Any:
    api = make_api(containers(sqlite_url, clock), clock)
    seed(api)
    api.client.app.state.ivr_prompts = PromptStore(tmp_path / "prompts")
    return api


def test_flows_are_versioned_config_documents(ivr: Any) -> None:
    r = ivr.put("/api/config/ivr_flows/bank", json={k: v for k, v in bank_flow().items() if k != "id"})
    assert r["version"] == 1 and r["document"]["start"] == "hours"
    assert ivr.get("/api/config/ivr_flows/bank", user="sup")["nodes"][0]["kind"] == "hours"
    bad = bank_flow()
    bad["nodes"].append({"id": "orphan", "kind": "hangup"})
    err = ivr.error("PUT", "/api/config/ivr_flows/bank", 422, json=bad)
    assert "unreachable nodes: orphan" in err["detail"]
    assert ivr.error("PUT", "/api/config/ivr_flows/bank", 422, json={**bank_flow(), "colour": 1})
    assert len(ivr.get("/api/config/ivr_flows/bank/history", user="sup")) == 1
    ivr.error("PUT", "/api/config/ivr_flows/bank", 403, user="sup", json=bank_flow())
    # calendars are cross-checked: a flow cannot name a missing one, a used one cannot be deleted
    nowhere = bank_flow()
    nowhere["nodes"][0]["calendar"] = "nowhere"
    err = ivr.error("PUT", "/api/config/ivr_flows/bank", 422, json=nowhere)
    assert err["detail"] == "ivr flow bank, node hours: unknown calendar 'nowhere'"
    assert "unknown calendar 'office'" in ivr.error("DELETE", "/api/config/calendars/office", 422)["detail"]


def test_simulate_stored_flow_with_customer_store_lookup(ivr: Any) -> None:
    ivr.put("/api/config/ivr_flows/bank", json=bank_flow())
    ivr.post("/api/customers", "sup", 201, json={"id": "c-gold", "tier": "gold", "name": "Ann",
                                                 "identities": [{"kind": "phone", "value": "+44 20 7946 0001"}]})
    out = ivr.post("/api/ivr/flows/bank/simulate", "sup",
                   json={"caller_id": "+442079460001", "inputs": ["7", "3", {"dtmf": "4556737586899855#"}]})
    assert out["warnings"] == ["prompt 'moh' has not been uploaded", "prompt 'welcome' has not been uploaded"]
    steps = out["steps"]
    assert steps[0]["input"] is None and steps[0]["actions"][0] == {
        "type": "Play", "prompt": {"prompt_id": "welcome", "text": "Welcome to the bank.", "language": "en"},
        "loop": False}
    auto = [s["input"]["type"] for s in steps if s["automatic"]]
    assert auto == ["PromptFinished", "LookupResult"]
    assert steps[2]["actions"][0] == {"type": "SetAttributes", "attributes": {"vip": True}}
    invalid = steps[3]
    assert invalid["input"] == {"type": "Dtmf", "digits": "7"}
    assert invalid["actions"][0]["prompt"]["text"] == "Sorry, that is not an option."
    final = out["session"]
    assert final["status"] == "queued" and final["node"] == "billing"
    assert final["ivr"] == {"customer": "known", "tier": "gold", "menu": "3", "account": "4556737586899855"}
    enq = steps[-1]["actions"][0]
    assert enq["type"] == "EnqueueContact" and enq["attributes"]["team"] == "billing" and enq["attributes"]["vip"]
    # the same call at night: voicemail, nothing else is used
    night = ivr.post("/api/ivr/flows/bank/simulate", "sup", json={"at": ivr.T0 + 11 * 3600, "inputs": ["1"]})
    assert night["session"]["outcome"] == "voicemail" and len(night["steps"]) == 1
    # a given customer answer, queue updates and the announcement timer
    out = ivr.post("/api/ivr/flows/bank/simulate", "sup", json={
        "caller_id": "+15550000", "customer": {"customer_known": False},
        "inputs": ["2", {"queue": {"position": 3, "expected_wait_s": 100}}, {"timeout": True, "after_s": 30}]})
    texts = [a["prompt"].get("text") for a in out["steps"][-1]["actions"] if a["type"] == "Play"]
    assert "You are number 3 in line." in texts and "Your expected wait is about 2 minutes." in texts
    assert out["session"]["ivr"]["customer"] == "unknown"


def test_simulate_draft_and_refusals(ivr: Any) -> None:
    out = ivr.post("/api/ivr/simulate", "sup", json={"flow": {k: v for k, v in bank_flow().items() if k != "id"},
                                                     "inputs": ["0"]})
    assert out["flow_id"] == "draft" and out["session"]["outcome"] == "hangup"
    assert out["warnings"] == ["prompt 'moh' has not been uploaded", "prompt 'welcome' has not been uploaded"]
    flow = bank_flow()
    flow["nodes"][0]["calendar"] = "nowhere"
    out = ivr.post("/api/ivr/simulate", "sup", json={"flow": flow, "inputs": []})
    assert "calendar 'nowhere' does not exist" in out["warnings"][0]
    bad = bank_flow()
    bad["nodes"][2]["next"] = "nope"
    assert "unknown node 'nope'" in ivr.error("POST", "/api/ivr/simulate", 422, "sup",
                                              json={"flow": bad, "inputs": []})["detail"]
    ivr.error("POST", "/api/ivr/flows/missing/simulate", 404, "sup", json={"inputs": []})
    ivr.put("/api/config/ivr_flows/bank", json=bank_flow())
    path = "/api/ivr/flows/bank/simulate"
    assert "DTMF keys" in ivr.error("POST", path, 422, "sup", json={"inputs": ["hello"]})["detail"]
    assert "exactly one" in ivr.error("POST", path, 422, "sup",
                                      json={"inputs": [{"dtmf": "1", "timeout": True}]})["detail"]
    assert "only 0-9" in ivr.error("POST", path, 422, "sup", json={"inputs": [{"dtmf": "1a"}]})["detail"]
    ivr.error("POST", path, 422, "sup", json={"inputs": ["1"] * 501})
    ivr.error("POST", path, 403, "ann", json={"inputs": []})
    ivr.error("POST", path, 401, None, json={"inputs": []})


def test_prompts_rendered_uploaded_and_served(sqlite_ivr: Any) -> None:
    api = sqlite_ivr
    tts = api.post("/api/ivr/prompts", "admin", 201, json={"text": "Bonjour et bienvenue.", "language": "fr"})
    assert tts["id"].startswith("tts-") and tts["sample_rate"] == 8000 and tts["voice"] == "fr-fr"
    assert api.post("/api/ivr/prompts", "admin", 201, json={"text": "Bonjour et bienvenue.",
                                                           "language": "fr"})["id"] == tts["id"]
    audio = api.client.get(f"/api/ivr/prompts/{tts['id']}/audio", headers=api.headers("sup"))
    assert audio.status_code == 200 and audio.headers["content-type"] == "audio/wav"
    with wave.open(io.BytesIO(audio.content)) as w:
        assert (w.getframerate(), w.getnchannels(), w.getsampwidth()) == (8000, 1, 2)
        assert w.getnframes() / 8000 == pytest.approx(tts["seconds"], abs=0.001)
    ulaw = api.client.get(f"/api/ivr/prompts/{tts['id']}/audio?format=ulaw", headers=api.headers("sup"))
    assert ulaw.headers["content-type"] == "audio/basic"
    assert len(ulaw.content) == pytest.approx(tts["seconds"] * 8000, abs=8)
    raw = api.post("/api/ivr/prompts?prompt_id=welcome", "admin", 201, content=tone_wav(2.0),
                   headers={"content-type": "audio/wav"})
    assert raw["id"] == "welcome" and raw["seconds"] == pytest.approx(2.0, abs=0.01)
    multi = api.post("/api/ivr/prompts", "admin", 201, files={"file": ("moh.wav", tone_wav(1.0), "audio/wav")},
                     data={"prompt_id": "moh"})
    assert (multi["id"], multi["name"]) == ("moh", "moh.wav")
    assert {p["id"] for p in api.get("/api/ivr/prompts", "sup")} == {tts["id"], "welcome", "moh"}
    assert api.get("/api/ivr/prompts/moh", "sup")["source"] == "upload"
    # the flow's uploaded prompt now exists: no warning
    api.put("/api/config/calendars/office", json={"weekly": {"mon": [{"start": "00:00", "end": "24:00"}]}})
    api.put("/api/config/ivr_flows/bank", json=bank_flow())
    assert api.post("/api/ivr/flows/bank/simulate", "sup", json={"inputs": []})["warnings"] == []
    assert api.delete("/api/ivr/prompts/moh") == {"deleted": "moh"}
    api.error("GET", "/api/ivr/prompts/moh", 404, "sup")
    api.error("GET", "/api/ivr/prompts/welcome/audio?format=mp3", 422, "sup")
    assert "not a WAV" in api.error("POST", "/api/ivr/prompts", 422, content=b"hello",
                                    headers={"content-type": "audio/wav"})["detail"]
    assert "no such voice" in api.error("POST", "/api/ivr/prompts", 422, json={"text": "x", "language": "xx"})["detail"]
    assert "text" in api.error("POST", "/api/ivr/prompts", 422, json={"language": "en"})["detail"]
    assert "JSON" in api.error("POST", "/api/ivr/prompts", 422, content=b"{nope",
                               headers={"content-type": "application/json"})["detail"]
    assert "file" in api.error("POST", "/api/ivr/prompts", 422, files={"other": ("a", b"x")})["detail"]
    api.error("POST", "/api/ivr/prompts?prompt_id=../x", 422, content=tone_wav(0.1),
              headers={"content-type": "audio/wav"})
    api.error("POST", "/api/ivr/prompts", 403, "sup", json={"text": "Hi"})
    api.error("GET", "/api/ivr/prompts", 403, "ann")


def test_simulate_refuses_non_finite_and_far_times(sqlite_ivr: Any) -> None:
    api = sqlite_ivr
    api.put("/api/config/calendars/office", json={"weekly": {"mon": [{"start": "00:00", "end": "24:00"}]}})
    api.put("/api/config/ivr_flows/bank", json=bank_flow())
    path = "/api/ivr/flows/bank/simulate"
    for bad in ('{"at": NaN}', '{"at": 1e300}', '{"inputs": [{"timeout": true, "after_s": Infinity}]}',
                '{"inputs": [{"queue": {"expected_wait_s": NaN}}]}'):
        api.error("POST", path, 422, "sup", content=bad.encode(), headers={"content-type": "application/json"})
