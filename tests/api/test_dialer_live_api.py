"""The live dialer through the API with BLENDCC_TELEPHONY=fake: every mode places, connects, wraps up, counts."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import pytest
from pydantic import ValidationError

from blendcc.api.app import create_app
from blendcc.bootstrap import build_container
from blendcc.config import Settings

# 09:00 in London at the test clock's start (T0): inside the default 08:00-21:00 calling window
LIST = "id,phone,name,tz\n" + "".join(f"r{i},+4420794600{i:02d},Customer {i},Europe/London\n" for i in range(1, 5))
CSV = {"content-type": "text/csv"}


def settings(url: str, **kw: Any) -> Settings:
    values: dict[str, Any] = {"database_url": url, "admin_password": "admin-secret", "secret_key": "test-secret-key",
                              "timezone": "UTC", "token_ttl_s": 3600}
    values.update(kw)
    return Settings(**values)


@pytest.fixture
def live(db_url: str, clock: Any, make_api: Any, fast_passwords: None, seed: Any) -> Iterator[Any]:
    """A seeded centre whose container was built with telephony=fake: every call is answered by a
    person after 2-20 s who hangs up 40 s later."""
    container = build_container(settings(db_url, telephony="fake", fake_telephony_mix={"human": 1.0},
                                         fake_telephony_talk_s=(40.0, 40.0)), clock=clock, run_migrations=False)
    api = make_api(container, clock)
    seed(api)
    yield api
    container.store.engine.dispose()


def run(centre: Any, seconds: float) -> None:
    """What the live tick thread and timers do, second by second on the fake clock."""
    dialing = centre.container.dialing
    for _ in range(int(seconds)):
        centre.clock.advance(1.0)
        with dialing.lock:
            dialing.telephony.deliver_due()
        centre.container.runtime.tick()
        dialing.tick()


def talking(centre: Any, agent_id: str) -> list[str]:
    return [cid for cid, stage in centre.work(agent_id).items() if stage == "busy"]


@pytest.mark.parametrize("mode", ["preview", "progressive", "power", "predictive"])
def test_each_mode_places_connects_wraps_up_and_counts(live: Any, mode: str) -> None:
    centre = live
    assert centre.container.dialing is not None and centre.container.dialing.ticker is None  # no thread in tests
    cid = f"c-{mode}"
    centre.put(f"/api/campaigns/{cid}", json={"name": mode, "mode": mode, "queue_id": "sales",
                                              "caller_id": "+14155550100"})
    imported = centre.post(f"/api/campaigns/{cid}/lists", "sup", content=LIST.encode(), headers=CSV)
    assert imported["accepted"] == 4
    centre.agent_login("a1")
    centre.agent_login("a2")
    centre.post(f"/api/campaigns/{cid}/start", "sup", json={})
    if mode == "preview":
        record = centre.get(f"/api/agent/preview/{cid}", "ann")["record"]
        centre.post(f"/api/agent/preview/{cid}/dial", "ann", json={"record_id": record["record_id"]})
    run(centre, 1)
    assert centre.get(f"/api/campaigns/{cid}/pacing", "sup")["counts"]["placed"] >= 1  # the loop's next tick
    run(centre, 20)  # every call is answered within 20 s
    busy = {a: talking(centre, a) for a in ("a1", "a2")}
    assert busy["a1"], busy  # a1 is connected to a callee (preview: the one it dialled)
    contact = busy["a1"][0]
    centre.act("a1", contact, "end")
    # a callback disposition needs its time; callback fields on no callback are refused
    assert "callback_at" in centre.error("POST", f"/api/agent/contacts/{contact}/wrapup", 422, user="ann",
                                         json={"disposition": "callback"})["detail"]
    centre.error("POST", f"/api/agent/contacts/{contact}/wrapup", 422, user="ann",
                 json={"disposition": "sale", "callback_at": centre.clock.now() + 60})
    at = centre.clock.now() + 7200
    centre.act("a1", contact, "wrapup", disposition="callback", callback_at=at, callback_personal=True)
    for other in busy["a2"]:
        centre.act("a2", other, "end")
        centre.act("a2", other, "wrapup", disposition="sale")
    run(centre, 1)
    records = {r["record_id"]: r for r in centre.get(f"/api/campaigns/{cid}/records", "sup")["records"]}
    called_back = [r for r in records.values() if r["state"] == "callback"]
    assert len(called_back) == 1 and called_back[0]["next_attempt_at"] == pytest.approx(at)
    assert called_back[0]["callback_agent_id"] == "a1"
    assert len([r for r in records.values() if r["final_reason"] == "sale"]) == len(busy["a2"])
    stats = centre.get(f"/api/campaigns/{cid}/stats", "sup")
    assert stats["attempts"] >= 1 + len(busy["a2"]) and stats["connected"] >= 1 + len(busy["a2"])
    assert stats["talk_s"] > 0 and stats["calls_outside_window"] == 0 and stats["dnc_hits"] == 0
    centre.post(f"/api/campaigns/{cid}/stop", "sup", json={})
    run(centre, 100)  # calls in flight end: callees hang up, timed wrap-ups complete
    assert not centre.work("a1") and not centre.work("a2")
    assert centre.get(f"/api/campaigns/{cid}/pacing", "sup")["state"] == "stopped"


def test_the_tick_job_runs_with_the_server_and_stops_with_it(sqlite_url: str, fast_passwords: None) -> None:
    """The dialing loop ticks as a periodic job on the server's scheduler (no thread of its own)."""
    import time

    from fastapi.testclient import TestClient

    container = build_container(settings(sqlite_url, telephony="fake", dialer_tick_s=0.05), run_migrations=False)
    try:
        with TestClient(create_app(container, background=True)):
            dialing = container.dialing
            assert dialing is not None and dialing.ticker is not None and dialing.ticker.active
            job = dialing.ticker
            deadline = time.monotonic() + 10
            while job.runs < 3 and time.monotonic() < deadline:
                time.sleep(0.02)
            assert job.runs >= 3
            assert container.scheduler is not None
        assert dialing.ticker is None and not job.active and container.scheduler is None
        ran = job.runs
        time.sleep(0.2)
        assert job.runs == ran  # nothing ticks after shutdown
    finally:
        container.store.engine.dispose()


def test_telephony_settings(sqlite_url: str, fast_passwords: None) -> None:
    with contextlib.ExitStack() as stack:
        none = build_container(settings(sqlite_url), run_migrations=False)
        stack.callback(none.store.engine.dispose)
        assert none.dialing is None  # the default: no live dialing
    with pytest.raises(ValidationError, match="sip_trunk_uri"):
        settings(sqlite_url, telephony="sip")
    with pytest.raises(ValidationError):
        settings(sqlite_url, telephony="pstn")
    with pytest.raises(ValidationError, match="fake_telephony_mix"):
        settings(sqlite_url, telephony="fake", fake_telephony_mix={"robot": 1.0})
    assert settings(sqlite_url, telephony="sip", sip_enabled=True, sip_trunk_uri="sip:10.0.0.5:5060").telephony == "sip"


def test_health_and_metrics_name_the_leader_only_listeners_running_on_a_single_node(
        sqlite_url: str, fast_passwords: None) -> None:
    """One node is always the writer: its leader-only loops start with the server (ADR 0063), /health and
    /metrics say which run, and they stop with the server."""
    from fastapi.testclient import TestClient

    container = build_container(settings(sqlite_url, telephony="fake", dialer_tick_s=0.05), run_migrations=False)
    try:
        with TestClient(create_app(container, background=True)) as client:
            listeners = client.get("/health").json()["listeners"]
            assert listeners["dialing"] is True and listeners["callbacks"] is True and listeners["crisis"] is True
            metrics = client.get("/metrics").text
            assert 'blendcc_listener_running{listener="dialing"} 1.0' in metrics
            assert container.leader_only.starts("dialing") == 1
        assert container.leader_only.running() == {} and not container.leader_only.active
    finally:
        container.store.engine.dispose()
