"""Runs inside a private network namespace: the call controls with real SIPp peers (a caller, two agent
phones registered with digest). Usage: python netns_controls.py; prints one JSON object as its last line.

The caller is offered to a1 and answered; a1 sends DTMF to the caller, consults a2 (whose phone rings and
answers), makes it a conference, then leaves: a2 keeps the caller, who hangs up later. Each SIPp peer
checks its own SIP (a1 must receive our BYE when it leaves, a2 the BYE when the caller hangs up)."""

from __future__ import annotations

import asyncio
import json
import logging
import shutil
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from netns_voice import Server, register, wait_for, wav_info
from sipp_harness import PCAPS, scenario, sipp, workdir

from blendcc.domain.lifecycle.voice import VoiceCallState as V


async def conference(srv: Server, work: Path) -> dict[str, Any]:
    voice = srv.stack.voice
    srv.c.config.put("agents", "a2", {"name": "Bob", "queues": ["support", "sales"]}, "test")
    status = {u: await register(p, u, f"pw-{u}") for u, p in (("a1", 5070), ("a2", 5071))}
    await srv.login("a1")
    await srv.login("a2")
    await asyncio.to_thread(srv.c.agents.set_status, "a2", "aux", "meeting")  # only a1 takes the offer
    play = f"{PCAPS}/g711a.pcap@100"
    a1 = asyncio.create_task(sipp(scenario("uas_agent", work, ring_ms="300", play=play), work, local_port=5070,
                                  uas=True, rtp_port=25000, timeout_s=30))
    a2 = asyncio.create_task(sipp(scenario("uas_agent", work, ring_ms="300", play=play), work, local_port=5071,
                                  uas=True, rtp_port=25100, timeout_s=30))
    await asyncio.sleep(0.5)
    caller = asyncio.create_task(sipp(scenario("uac", work, caller="conf", hold_ms="9000", play=play), work,
                                      local_port=5068, rtp_port=25200, timeout_s=30))
    vc = await wait_for(lambda: next((c for c in voice.calls.values()
                                      if c.caller_id == "conf" and c.state is V.CONNECTED), None))
    out: dict[str, Any] = {"register": status}
    if vc is None:
        return out | {"error": "the call never reached a1", "caller": (await caller).__dict__}
    cid = vc.contact_id
    await asyncio.sleep(0.5)
    out["dtmf"] = voice.send_dtmf(cid, "a1", "12#")
    await asyncio.to_thread(srv.c.agents.set_status, "a2", "available", None)
    voice.consult(cid, "a1", "a2")
    out["consult_up"] = bool(await wait_for(lambda: vc.consult_up, 5))
    out["card_consult"] = voice.call_card(cid, "a1")
    out["card_conference"] = voice.start_conference(cid, "a1")
    await asyncio.sleep(2.0)
    out["mixed_frames"] = vc.customer.mixer.frames if vc.customer.mixer is not None else None
    out["leave"] = voice.leave_conference(cid, "a1")
    out["after_leave"] = bool(await wait_for(lambda: vc.agent_id == "a2" and vc.state is V.CONNECTED, 5))
    out["caller"] = (await caller).__dict__
    out["a1"] = (await a1).__dict__
    out["a2"] = (await a2).__dict__
    rows = await wait_for(lambda: [x for x in srv.rows("conf") if x["outcome"] == "completed"])
    out["rows"] = rows
    out["timeline"] = [e["type"] for e in srv.timeline(cid)]
    recs = voice.recordings(cid)
    out["recordings"] = recs
    out["wav"] = [wav_info(r["path"]) for r in recs]
    return out


async def main() -> dict[str, Any]:
    work = workdir()
    srv = Server(work)
    await srv.start()
    try:
        try:
            return {"conference": await conference(srv, work)}
        except Exception as exc:  # reported to the test, which fails with it
            return {"conference": {"error": repr(exc)}}
    finally:
        srv.close()
        srv.c.store.engine.dispose()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    print(json.dumps(asyncio.run(main()), default=str))
