"""Forecast background jobs: submit, progress, result as the synchronous route's, failure, cancel, ownership."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from typing import Any

import numpy as np
import pytest

HOURLY = np.array([0] * 8 + [4, 8, 8, 6, 4, 6, 6, 4, 2, 1] + [0] * 6)
JOBS = "/api/wfm/forecast/jobs"
END = ("done", "failed", "cancelled")


def body(days: int = 42, **change: Any) -> dict[str, Any]:
    start = datetime(2024, 1, 1)  # a Monday
    points = [{"interval_start": (start + timedelta(hours=h)).isoformat(), "volume": int(HOURLY[h % 24]) + h % 3,
               "aht_s": 180} for h in range(days * 24)]
    return {"points": points, "interval_min": 60, "horizon": "3d", "origins": 3,
            "models": ["seasonal_naive_4w", "daily_ets_profile"], **change}


def submit(api: Any, json: dict[str, Any], user: str = "admin") -> dict[str, Any]:
    r = api.client.post(JOBS, json=json, headers=api.headers(user))
    assert r.status_code == 202, r.text
    job: dict[str, Any] = r.json()
    assert r.headers["location"] == f"{JOBS}/{job['id']}"
    assert job["state"] in ("queued", "running") and job["result"] is None
    return job


def wait(api: Any, job_id: str, until: Callable[[dict[str, Any]], bool], user: str = "admin") -> dict[str, Any]:
    for _ in range(1200):  # a guard against a hang, not a timing assertion
        job: dict[str, Any] = api.get(f"{JOBS}/{job_id}", user)
        if until(job):
            return job
        time.sleep(0.05)
    raise AssertionError(f"job {job_id} never reached the state: {job}")


@pytest.fixture
def gate(shared_centre: Any) -> Iterator[tuple[threading.Event, threading.Event]]:
    """Pause the (real) job at its first fit boundary: yields (reached, release)."""
    reached, release = threading.Event(), threading.Event()

    def hook(job: Any) -> None:
        if not reached.is_set():
            reached.set()
            assert release.wait(60)

    jobs = shared_centre.container.forecast_jobs
    jobs.between_steps = hook
    try:
        yield reached, release
    finally:
        release.set()
        jobs.between_steps = None


def test_a_job_reports_progress_and_gives_the_synchronous_result(shared_centre: Any, gate: Any) -> None:
    api, (reached, release) = shared_centre, gate
    job = submit(api, body())
    assert reached.wait(60)
    paused = api.get(f"{JOBS}/{job['id']}")
    assert paused["state"] == "running" and paused["started_at"] is not None
    assert 1 == paused["progress"]["done"] < paused["progress"]["total"]
    release.set()
    done = wait(api, job["id"], lambda j: j["state"] in END)
    assert done["state"] == "done", done
    progress = done["progress"]
    origins = done["result"]["series"][0]["backtest"]["origins"]
    assert origins >= 2
    assert progress["done"] == progress["total"] == 2 * origins  # 2 models x origins, as the CLI's bar counts
    assert progress["series"] == [{"name": "default/voice", "done": 2 * origins, "total": 2 * origins}]
    assert done["finished_at"] is not None and done["error"] is None
    assert done["result"] == api.post("/api/wfm/forecast", "admin", json=body())
    listed = api.get(JOBS)["jobs"]
    assert [j["state"] for j in listed if j["id"] == job["id"]] == ["done"]
    assert all(j["result"] is None for j in listed)


def test_the_default_is_twelve_origins(shared_centre: Any) -> None:
    api = shared_centre
    default = {k: v for k, v in body(days=120, models=["seasonal_naive_4w"]).items() if k != "origins"}
    done = wait(shared_centre, submit(api, default)["id"], lambda j: j["state"] in END)
    assert done["state"] == "done", done
    assert done["result"]["series"][0]["backtest"]["origins"] == 12
    assert done["progress"]["total"] == 12


def test_bad_input_fails_the_job_with_its_message_or_is_refused_at_submit(shared_centre: Any) -> None:
    api = shared_centre
    job = submit(api, body(days=3))
    failed = wait(api, job["id"], lambda j: j["state"] in END)
    assert failed["state"] == "failed" and failed["result"] is None
    assert failed["error"]["error"] == "invalid" and "at least 7 days" in failed["error"]["detail"]
    assert "Traceback" not in str(failed)
    assert "interval_min" in api.error("POST", JOBS, 422, json=body(interval_min=20))["detail"]
    assert "horizon" in api.error("POST", JOBS, 422, json=body(horizon="soon"))["detail"]


def test_cancel_a_running_job_and_a_queued_one(shared_centre: Any, gate: Any) -> None:
    api, (reached, release) = shared_centre, gate
    running = submit(api, body())
    assert reached.wait(60)
    queued = submit(api, body())  # one worker: waits behind the first
    assert api.get(f"{JOBS}/{queued['id']}")["state"] == "queued"
    r = api.client.delete(f"{JOBS}/{running['id']}", headers=api.headers("admin"))
    assert r.status_code == 202 and r.json()["cancel_requested"] is True
    asked = api.post(f"{JOBS}/{queued['id']}/cancel", expect=202)
    assert asked["state"] == "queued" and asked["cancel_requested"] is True
    release.set()
    stopped = wait(api, running["id"], lambda j: j["state"] in END)
    assert stopped["state"] == "cancelled" and stopped["result"] is None
    assert stopped["progress"]["done"] < stopped["progress"]["total"]  # stopped at the next fit boundary
    never = wait(api, queued["id"], lambda j: j["state"] in END)
    assert never["state"] == "cancelled" and never["started_at"] is None and never["progress"]["done"] == 0


def test_jobs_belong_to_their_caller_and_need_a_supervisor(shared_centre: Any) -> None:
    api = shared_centre
    job = submit(api, body(days=3))
    wait(api, job["id"], lambda j: j["state"] in END)
    api.error("GET", f"{JOBS}/{job['id']}", 404, "sup")
    api.error("DELETE", f"{JOBS}/{job['id']}", 404, "sup")
    assert job["id"] not in [j["id"] for j in api.get(JOBS, "sup")["jobs"]]
    api.error("POST", JOBS, 403, "ann", json=body(days=3))
    api.error("GET", JOBS, 403, "bob")
    api.error("GET", f"{JOBS}/nope", 404)
    api.error("DELETE", f"{JOBS}/{job['id']}", 409)  # already ended
