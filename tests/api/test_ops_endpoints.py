"""Operations endpoints: Prometheus /metrics counts what the writer committed and shows the live queues;
/ready answers 200 while the store answers and 503 (the error model) when it does not."""

from __future__ import annotations

from typing import Any

import pytest
from prometheus_client.parser import text_string_to_metric_families


def _samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    out = {}
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            out[(s.name, tuple(sorted(s.labels.items())))] = s.value
    return out


def test_metrics_count_contacts_offers_and_commits(centre: Any) -> None:
    before = _samples(centre.client.get("/metrics").text)
    centre.agent_login("a1")
    centre.new_contact(contact_id="m1")
    centre.new_contact(contact_id="m2")
    r = centre.client.get("/metrics")  # no token: like /health
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/plain")
    after = _samples(r.text)

    def grew(name: str, labels: tuple[tuple[str, str], ...] = ()) -> float:
        return after[(name, labels)] - before.get((name, labels), 0.0)

    assert grew("blendcc_events_total", (("type", "ContactCreated"),)) == 2
    assert grew("blendcc_events_total", (("type", "ContactOffered"),)) >= 1
    assert grew("blendcc_commit_seconds_count") >= 3  # the login and two contacts at least
    assert grew("blendcc_commit_batch_commands_count") >= 3
    assert after[("blendcc_contacts_open", ())] >= 2
    assert after[("blendcc_agents_logged_in", ())] >= 1
    assert sum(v for (n, _), v in after.items() if n == "blendcc_queue_depth") >= 1  # m2 waits: a1 has m1
    assert ("blendcc_writer_queue", ()) in after
    assert not any(n == "blendcc_bus_lag_seconds" for n, _ in after)  # the in-process bus has no lag


def test_ready_while_the_store_answers_and_503_when_it_does_not(centre: Any,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    r = centre.client.get("/ready")
    assert r.status_code == 200
    body = r.json()
    assert body["status"] == "ready" and body["checks"] == {"store": "ok", "bus": "in-process"}

    def down(*_a: Any, **_k: Any) -> Any:
        raise OSError("database gone")

    monkeypatch.setattr(centre.container.store, "read", down)
    r = centre.client.get("/ready")
    assert r.status_code == 503
    assert r.json() == {"error": "unavailable", "detail": "the event store is unavailable"}


def test_not_ready_when_the_redis_bus_does_not_answer(centre: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    import redis

    from blendcc.adapters.bus.redis_streams import RedisBus

    dead = RedisBus(redis.Redis(host="127.0.0.1", port=1, socket_connect_timeout=0.5), node_id="n1")
    monkeypatch.setattr(centre.container, "bus", dead)
    r = centre.client.get("/ready")
    assert r.status_code == 503
    assert r.json() == {"error": "unavailable", "detail": "the event bus (Redis) is unavailable"}
