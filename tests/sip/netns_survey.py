"""Runs inside a private network namespace: the post-call survey answered by DTMF through SIPp.

Agent a1's SIPp phone answers and hangs up after a short talk; the SIPp caller stays on, hears the survey
question and keys 4 (RFC 4733, SIPp's pcap), then is hung up by us. A second caller hangs up during the
question (an unanswered invitation); a third keys 2 by SIP INFO (a low score: an alert for the supervisors).
A fourth asks to be called back and hangs up; agent a3 answers the call-back, the customer is dialled through the
trunk (a SIPp UAS), the agent's phone hangs up and the called-back customer keys 5. Prints one JSON object as its
last line.
"""

from __future__ import annotations

import asyncio
import json
import logging
import shutil
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from netns_voice import Server, wait_for
from sipp_harness import PCAPS, scenario, sipp, workdir

from blendcc.api.app import create_app


def _survey_events(srv: Server, cid: str | None) -> list[dict[str, Any]]:
    return [{"type": s.event.type, **s.event.to_dict()} for s in srv.c.store.contact_events(cid or "")
            if s.event.type.startswith("Survey")]


async def _call(srv: Server, work: Path, caller: str, caller_scenario: Path, port: int, rtp: int) -> dict[str, Any]:
    agent = asyncio.create_task(sipp(scenario("uas_agent_bye", work, talk_ms="1500", play=f"{PCAPS}/g711a.pcap@100"),
                                     work, local_port=5070, uas=True, rtp_port=24000 + port % 100 * 10,
                                     timeout_s=25))
    await asyncio.sleep(0.5)
    r = await sipp(caller_scenario, work, local_port=port, rtp_port=rtp, timeout_s=30)
    agent_r = await agent
    rows = await wait_for(lambda: [x for x in srv.rows(caller) if x["state"] in ("closed", "wrap_up")])
    cid = rows[0]["contact_id"] if rows else None
    await wait_for(lambda: any(e["type"] == "SurveyInvited" for e in _survey_events(srv, cid)))
    await asyncio.sleep(0.5)
    vc = srv.stack.voice.calls.get(cid or "")
    return {"caller": r.__dict__, "agent": agent_r.__dict__, "rows": rows, "survey": _survey_events(srv, cid),
            "digits": vc.digits if vc else None, "call_state": vc.state.value if vc else None,
            "timeline": [e["type"] for e in srv.timeline(cid)] if cid else []}


async def _callback(srv: Server, work: Path) -> dict[str, Any]:
    """The caller presses 1 for a call-back and is hung up; a3's phone answers the offer, the customer is dialled
    through the trunk and answers; a3's phone hangs up 2.5 s later; the customer stays on and keys 5."""
    gw, voice = srv.stack.gateway, srv.stack.voice
    gw.trunk = ("127.0.0.1", 5078)
    voice.dial_out = gw.dial_out
    number = "442079460777"
    caller = await sipp(scenario("uac_hungup", work, caller=number, play=f"{PCAPS}/dtmf_2833_1.pcap@500"),
                        work, local_port=5084, rtp_port=25300, service="cb-line", timeout_s=20)
    queued = await wait_for(lambda: [x for x in srv.rows(number) if x["state"] == "queued"])
    reg = await sipp(scenario("register", work, user="a3"), work, local_port=5079, extra=["-au", "a3", "-ap", "pw-a3"])
    agent = asyncio.create_task(sipp(scenario("uas_agent_bye", work, talk_ms="2500", play=f"{PCAPS}/g711a.pcap@100"),
                                     work, local_port=5079, uas=True, rtp_port=25400, timeout_s=25))
    customer = asyncio.create_task(sipp(scenario("uas_survey", work, ring_ms="300", wait_ms="7000",
                                                 play=f"{PCAPS}/dtmf_2833_5.pcap@500"),
                                        work, local_port=5078, uas=True, rtp_port=25500, timeout_s=30))
    await asyncio.sleep(0.5)
    await srv.login("a3")
    cid = queued[0]["contact_id"] if queued else None
    agent_r, customer_r = await agent, await customer
    await wait_for(lambda: any(e["type"] == "SurveyAnswered" for e in _survey_events(srv, cid)))
    vc = voice.calls.get(cid or "")
    return {"caller": caller.__dict__, "register": reg.__dict__, "agent": agent_r.__dict__,
            "customer": customer_r.__dict__, "rows": [x for x in srv.rows(number)],
            "log": [e for e in voice.callback_log if e["contact_id"] == cid], "survey": _survey_events(srv, cid),
            "digits": vc.digits if vc else None, "call_state": vc.state.value if vc else None,
            "timeline": [e["type"] for e in srv.timeline(cid)] if cid else []}


async def run(srv: Server, work: Path) -> dict[str, Any]:
    out: dict[str, Any] = {}
    out["register"] = (await sipp(scenario("register", work, user="a1"), work, local_port=5070,
                                  extra=["-au", "a1", "-ap", "pw-a1"])).__dict__
    await srv.login("a1")
    # keys 4 some 6.5 s after the answer: the agent hung up 1.5 s into the talk, the question is playing
    answers = scenario("uac_survey", work, caller="rates-4", wait_ms="6500", play=f"{PCAPS}/dtmf_2833_4.pcap@500")
    out["answered"] = await _call(srv, work, "rates-4", answers, 5081, 25000)
    # hangs up 6 s after the answer, during the question
    leaves = scenario("uac", work, caller="leaves", hold_ms="6000")
    out["left"] = await _call(srv, work, "leaves", leaves, 5082, 25100)
    # keys 2 by SIP INFO (application/dtmf-relay)
    low = scenario("uac_survey_info", work, caller="rates-2", wait_ms="6500", digit="2")
    out["info"] = await _call(srv, work, "rates-2", low, 5083, 25200)
    out["alerts"] = [a for a in srv.c.alerts.alerts()["alerts"] if a["kind"] == "low_survey_score"]
    now = srv.c.clock.now()
    from fastapi.testclient import TestClient

    client = TestClient(create_app(srv.c, background=False))  # no lifespan: this voice stack is the running one
    token = client.post("/api/auth/token", json={"username": "admin", "password": "admin-pw"}).json()
    headers = {"Authorization": f"Bearer {token['access_token']}"}
    for group in ("all", "agent", "channel"):
        r = client.get("/api/reports/surveys", params={"start": now - 3600, "end": now + 60, "group": group},
                       headers=headers)
        out[f"report_{group}"] = {"status": r.status_code, **r.json()}
    out["callback"] = await _callback(srv, work)  # after the report: its figures are the three calls above
    r = client.get("/api/reports/surveys", params={"start": now - 3600, "end": srv.c.clock.now() + 60,
                                                   "group": "queue"}, headers=headers)
    out["report_queue_after_callback"] = {"status": r.status_code, **r.json()}
    return out


async def main() -> dict[str, Any]:
    work = workdir()
    srv = Server(work)
    srv.c.config.put("queues", "sales", {"name": "Sales", "wrap_up_s": 0, "offer_timeout_s": 15,
                                         "surveys": {"voice": {"survey": "csat"}}}, "test")
    srv.c.config.put("queues", "cbq", {"name": "Call-backs", "wrap_up_s": 0, "offer_timeout_s": 15,
                                       "surveys": {"voice": {"survey": "csat"}}}, "test")
    await srv.start()
    try:
        return await run(srv, work)
    except Exception as exc:  # reported to the test, which fails with it
        logging.exception("survey run failed")
        return {"error": repr(exc)}
    finally:
        srv.close()
        srv.c.store.engine.dispose()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    print(json.dumps(asyncio.run(main()), default=str))
