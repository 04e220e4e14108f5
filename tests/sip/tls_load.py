"""bench/sip.py's TLS+SRTP run: N calls, callers and agents' phones on TLS with SRTP both ways, counted OK.

A helper beside the SIP tests whose phones it reuses (bench/*.py are each run as a bench of their own).

A call is OK when the caller's RTP/SAVP INVITE got a 200 with our SDES key, the agent's phone (registered over
TLS, rung on its connection) got an RTP/SAVP offer, each side decrypted and authenticated the other's tone
through the relay (no authentication failure, audible), and the BYE got its 200.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from netns_transport import agent_answers, media_socket, srtp_caller
from stream_phone import StreamPhone

QUEUE = "tls"
TALK_S = 3.0


def _ok_caller(r: dict[str, Any]) -> bool:
    return bool(r.get("invite_status") == 200 and r.get("bye_status") == 200 and r["answer_keyed"]
                and r["received"] > 50 and r["auth_failures"] == 0 and r["peak"] > 5000 and not r["raw_is_clear"])


async def tls_srtp(c: Any, stack: Any, n: int, rate: float = 10.0) -> dict[str, Any]:
    """``n`` TLS+SRTP calls started ``rate`` per second to as many agents' phones registered over TLS."""
    cert = stack.settings.sip_tls_cert
    c.config.put("queues", QUEUE, {"name": "TLS", "wrap_up_s": 0, "offer_timeout_s": 30}, "bench")
    wf = c.config.get("workflows", "main").model_dump(mode="json", exclude_none=True)
    wf = {**wf, "filters": [{"name": "tls", "expression": f"dialled_number == '{QUEUE}'",
                             "targets": [{"queue": QUEUE}]}, *wf.get("filters", [])]}
    c.config.put("workflows", "main", wf, "bench")
    phones, media = [], []
    for i in range(n):
        user = f"t{i}"
        stack.registrar.passwords[user] = f"pw-{user}"
        c.config.put("agents", user, {"name": f"T{i}", "queues": [QUEUE]}, "bench")
        phone = StreamPhone("TLS", user, cafile=cert)
        await phone.connect(stack.gateway.edge.tls_port)
        if await phone.register(f"pw-{user}") == 200:
            await asyncio.to_thread(c.agents.login, user)
        phones.append(phone)
        media.append(await media_socket(44000 + 4 * i))
    agents = [asyncio.create_task(agent_answers(p, m, True, TALK_S)) for p, m in zip(phones, media, strict=True)]
    t0 = time.monotonic()

    async def one(i: int) -> dict[str, Any]:
        await asyncio.sleep(i / rate)
        return await srtp_caller(StreamPhone("TLS", f"tlsb{i}", cafile=cert), QUEUE,
                                 await media_socket(44002 + 4 * i), TALK_S + 1.5)

    callers = await asyncio.gather(*(one(i) for i in range(n)), return_exceptions=True)
    results = await asyncio.gather(*agents, return_exceptions=True)
    # which agent took which call is up to routing: a caller that decrypted its agent's tone proves that
    # leg too; the run's count is the smaller of fully good callers and fully good agents
    agent_good = sum(1 for r in results if isinstance(r, dict) and r["offer_keyed"] and r["received"] > 50
                     and r["auth_failures"] == 0 and r["peak"] > 5000 and not r["raw_is_clear"])
    caller_good = sum(1 for r in callers if isinstance(r, dict) and _ok_caller(r))
    for p in phones:
        await p.close()
    return {"calls": n, "ok": min(agent_good, caller_good), "rate_cps": rate,
            "seconds": round(time.monotonic() - t0, 1), "callers_ok": caller_good, "agents_ok": agent_good,
            "errors": [repr(r) for r in (*callers, *results) if isinstance(r, BaseException)][:5]}
