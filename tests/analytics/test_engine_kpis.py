"""KPIs computed from the events the routing engine really emits (one definition, end to end)."""

from __future__ import annotations

import pytest

from blendcc.analytics.queue_stats import fold, queue_kpis
from blendcc.domain import events as ev
from blendcc.domain.agent import AgentConfig
from blendcc.domain.channels import Channel
from blendcc.domain.queue import QueueConfig
from blendcc.routing.catalog import build_catalog
from blendcc.routing.engine import Engine
from blendcc.routing.workflow import Target, Workflow

T0 = 1_705_309_200.0


def test_queue_kpis_from_engine_events() -> None:
    q = QueueConfig(id="q", wrap_up_s=None, short_abandon_s=5.0)
    cat = build_catalog([q], [], [AgentConfig(id="a", queues=["q"])],
                        [Workflow(id="w", default=[Target(queue="q")])])
    engine = Engine(cat, T0)
    log: list[ev.Event] = []
    log += engine.login("a", T0)
    log += engine.create_contact("c1", "voice", T0)
    log += engine.create_contact("c2", "voice", T0 + 10)
    log += engine.create_contact("c3", "voice", T0 + 20)
    log += engine.create_contact("c4", "voice", T0 + 30)
    log += engine.accept("c1", "a", T0 + 8)
    log += engine.customer_left("c2", T0 + 13)  # short abandon (3 s)
    log += engine.customer_left("c3", T0 + 50)  # abandon after 30 s
    log += engine.end("c1", "a", T0 + 68)
    log += engine.wrap_up("c1", "a", T0 + 78)  # c4 is offered to a now
    log += engine.accept("c4", "a", T0 + 80)
    log += engine.end("c4", "a", T0 + 100)
    log += engine.wrap_up("c4", "a", T0 + 100)

    def thresholds(queue_id: str, channel: str) -> tuple[float, float]:
        queue = cat.queues[queue_id]
        return queue.sl_threshold(Channel(channel)), queue.short_abandon_s

    table = fold(log, thresholds)
    assert list(table) == [(T0, "q", "voice")]
    k = queue_kpis(table[(T0, "q", "voice")])
    assert (k["offered"], k["handled"], k["abandoned"], k["short_abandoned"]) == (4, 2, 1, 1)
    assert k["service_level"] == pytest.approx(1 / 3)  # c1 in 8 s; c4 in 50 s; base 4 - 1
    assert k["abandon_rate"] == pytest.approx(1 / 3)
    assert k["asa_s"] == pytest.approx((8 + 50) / 2)
    assert k["avg_abandon_wait_s"] == pytest.approx(30.0)
    assert k["aht_s"] == pytest.approx(((60 + 10) + (20 + 0)) / 2)
    assert k["max_wait_handled_s"] == 50.0
