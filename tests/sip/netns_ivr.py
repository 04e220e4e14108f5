"""Runs inside a private network namespace: SIPp callers that leave the IVR by hanging up or are ended by the flow.

Usage: python netns_ivr.py ; prints one JSON object (results per scenario) as its last line.
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

#: "info-line": 1 hears the opening hours and goodbye (the flow ends the call: contained), 2 a second menu
INFO_FLOW = {
    "id": "info", "name": "Information line", "language": "en", "start": "top",
    "nodes": [
        {"id": "top", "kind": "menu", "prompt": {"text": "For opening hours press 1. For sales press 2."},
         "options": [{"key": "1", "next": "hours"}, {"key": "2", "next": "more"}],
         "timeout_s": 8, "retries": 0, "on_failure": "bye"},
        {"id": "hours", "kind": "play", "prompt": {"text": "We are open from nine to five."}, "next": "bye"},
        {"id": "more", "kind": "menu", "prompt": {"text": "For new orders press 1."},
         "options": [{"key": "1", "next": "to-sales"}], "timeout_s": 8, "retries": 0, "on_failure": "bye"},
        {"id": "to-sales", "kind": "queue"},
        {"id": "bye", "kind": "hangup", "prompt": {"text": "Goodbye."}},
    ],
}


def _queue_figures(srv: Server) -> dict[str, Any]:
    return {q: {k: v[k] for k in ("offered", "abandoned", "short_abandoned", "handled")}
            for q, v in srv.c.stats.queues_today().items()}


async def _caller(srv: Server, caller: str) -> dict[str, Any]:
    rows = await wait_for(lambda: [r for r in srv.rows(caller) if r["state"] == "closed"])
    cid = rows[0]["contact_id"] if rows else None
    return {"rows": rows, "timeline": [e["type"] for e in srv.timeline(cid)] if cid else []}


async def run(srv: Server, work: Path) -> dict[str, Any]:
    before = _queue_figures(srv)
    out: dict[str, Any] = {}
    # hangs up 1.5 s into the first menu, without a key
    r = await sipp(scenario("uac", work, caller="gone-early", hold_ms="1500"), work, local_port=5081,
                   rtp_port=25000, service="info-line")
    out["early"] = {"sipp": r.__dict__, **await _caller(srv, "gone-early")}
    # presses 2 (RFC 4733 from SIPp's pcap), then hangs up in the second menu
    r = await sipp(scenario("uac", work, caller="gone-later", hold_ms="1500", play=f"{PCAPS}/dtmf_2833_2.pcap@1500"),
                   work, local_port=5082, rtp_port=25100, service="info-line")
    out["later"] = {"sipp": r.__dict__, **await _caller(srv, "gone-later")}
    # presses 1: hears the opening hours and goodbye, and is hung up by the flow
    r = await sipp(scenario("uac_hungup", work, caller="self-served", play=f"{PCAPS}/dtmf_2833_1.pcap@500"),
                   work, local_port=5083, rtp_port=25200, service="info-line", timeout_s=25)
    out["contained"] = {"sipp": r.__dict__, **await _caller(srv, "self-served")}
    await asyncio.sleep(0.5)
    out["queues_before"], out["queues_after"] = before, _queue_figures(srv)
    out["ivr_today"] = srv.c.stats.ivr_today(srv.c.clock.now())
    now = srv.c.clock.now()
    out["report"] = srv.c.reports.ivr(now - 3600, now + 60, "day")
    return out


async def main() -> dict[str, Any]:
    work = workdir()
    srv = Server(work)
    srv.settings.ivr_numbers["info-line"] = "info"
    srv.c.config.put("ivr_flows", "info", INFO_FLOW, "test")
    await srv.start()
    try:
        return await run(srv, work)
    except Exception as exc:  # reported to the test, which fails with it
        return {"error": repr(exc)}
    finally:
        srv.close()
        srv.c.store.engine.dispose()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    print(json.dumps(asyncio.run(main()), default=str))
