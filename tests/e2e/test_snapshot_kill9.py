"""Snapshots under SIGKILL (ADR 0052): a server taking a snapshot every few dozen events is killed mid-traffic and
restarted from its newest snapshot plus the events after it; every acknowledged contact is live again exactly when
it was open, and one that was hung up before the kill stays closed."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import httpx
import pytest
from e2e_support import ADMIN_PASSWORD, Client, Server, wait_until
from sqlalchemy import select

from blendcc.adapters.storage.engine import make_engine
from blendcc.adapters.storage.snapshot_tables import engine_snapshots

pytestmark = pytest.mark.slow

CLIENTS = 8


def _snapshot_seqs(url: str) -> list[int]:
    db = make_engine(url)
    try:
        with db.connect() as conn:
            return [int(s) for s in conn.execute(select(engine_snapshots.c.seq)).scalars()]
    finally:
        db.dispose()


def test_restart_after_sigkill_rebuilds_the_live_state_from_a_snapshot(database_url: str,
                                                                      servers: Callable[..., Server]) -> None:
    server = servers(database_url)
    server.env["BLENDCC_SNAPSHOT_EVERY_EVENTS"] = "40"
    server.start()
    admin = Client(server.url, "admin", ADMIN_PASSWORD)
    admin.ok("PUT", "/api/config/queues/q", {"name": "Q", "offer_timeout_s": 600})
    admin.ok("PUT", "/api/config/workflows/main", {"default": [{"queue": "q"}]})
    acked: list[str] = []
    hung_up: list[str] = []
    lock = threading.Lock()
    stop = threading.Event()

    def client(k: int) -> None:
        http = httpx.Client(base_url=server.url, timeout=10.0, headers={"Authorization": f"Bearer {admin.token}"})
        n = 0
        while not stop.is_set():
            cid = f"s{k}-{n}"
            n += 1
            try:
                r = http.post("/api/contacts", json={"channel": "voice", "contact_id": cid})
                if r.status_code == 201 and n % 3 == 0:  # every third leaves again: closed in the live state
                    gone = http.post(f"/api/contacts/{cid}/hangup")
                    with lock:
                        (hung_up if gone.status_code == 200 else acked).append(cid)
                elif r.status_code == 201:
                    with lock:
                        acked.append(cid)
            except httpx.HTTPError:
                continue  # the server died with this request in flight: applied or not
        http.close()

    threads = [threading.Thread(target=client, args=(k,), daemon=True) for k in range(CLIENTS)]
    for th in threads:
        th.start()
    wait_until(lambda: len(acked) >= 200, 60, "200 contacts acknowledged")
    wait_until(lambda: len(_snapshot_seqs(database_url)) >= 2, 30, "two snapshots written")
    time.sleep(0.1)
    server.kill9()
    stop.set()
    for th in threads:
        th.join(30)
    assert _snapshot_seqs(database_url), "no snapshot survived"

    server.start()
    admin = Client(server.url, "admin", ADMIN_PASSWORD)
    for cid in hung_up:  # closed before the kill: not in the live state any more
        r = admin.request("POST", f"/api/contacts/{cid}/hangup")
        assert r.status_code == 404, f"{cid} was hung up before the kill but is live again: {r.status_code}"
    for cid in acked:  # open before the kill: live again (hanging up finds it waiting)
        r = admin.request("POST", f"/api/contacts/{cid}/hangup")
        assert r.status_code == 200, f"acknowledged contact {cid} is not live after the restart: {r.text}"
        assert "ContactAbandoned" in r.json()["events"], r.text
