"""Admission control: while the event loop lags, new calls get 503 with Retry-After; the lag is measured."""

from __future__ import annotations

import asyncio
import time

from sip_fakes import OFFER, Harness, request

from blendcc.adapters.channels.sip.admission import Admission, LoopLag
from blendcc.adapters.channels.sip.gateway import SipGateway


class Lag:
    def __init__(self, recent: float) -> None:
        self.recent = recent


def test_a_lagging_loop_refuses_new_calls_with_503_and_retry_after() -> None:
    h = Harness(answer=None)
    gw = SipGateway("127.0.0.1", 0, "127.0.0.1", (40100, 40110))
    gw.admission = Admission(Lag(0.35), max_lag_s=0.1, retry_after_s=7)  # type: ignore[arg-type]
    h.edge.on_invite = gw._on_invite
    h.rx(request("INVITE", body=OFFER))
    sent = h.wire.take()
    assert [m.status for m in sent] == [100, 503] and sent[1].get("Retry-After") == "7"
    assert gw.admission.refused == 1 and gw.legs == {}  # no media allocated, nothing else happened
    h.rx(request("ACK", to_tag=sent[1].to_tag))
    gw.admission.lag.recent = 0.02  # type: ignore[union-attr]
    assert gw.admission.admit() and gw.admission.refused == 1
    assert Admission(Lag(5.0), max_lag_s=0).admit()  # 0 turns it off


def test_the_lag_is_sustained_lateness_over_the_last_second_not_one_pause() -> None:
    async def run() -> tuple[float, float, float]:
        loop = asyncio.get_running_loop()
        lag = LoopLag(loop)
        lag.start()
        await asyncio.sleep(0.2)
        time.sleep(0.3)  # one pause (a garbage collection): absorbed
        await asyncio.sleep(0.12)
        one = lag.recent
        for _ in range(3):  # the loop keeps running late: a lag
            time.sleep(0.3)
            await asyncio.sleep(0.06)
        sustained = lag.recent
        await asyncio.sleep(1.3)  # a second of normal running: the lag has left the window
        after = lag.recent
        lag.stop()
        return one, sustained, after

    one, sustained, after = asyncio.run(run())
    assert one < 0.25 <= sustained
    assert after < sustained and Admission(None).admit()
