"""Group commit under SIGKILL: many concurrent clients create contacts on a real server; its /metrics show
that commands were stored several to a transaction; the server is killed mid-traffic and restarted, and
every contact that was answered 201 is in the log, once, and nothing else was invented."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import httpx
import pytest
from e2e_support import ADMIN_PASSWORD, Client, Server, wait_until

pytestmark = pytest.mark.slow

CLIENTS = 24


def _batched_commits(metrics: str) -> float:
    """Transactions that stored more than one command (from the batch-size histogram)."""
    count = le1 = 0.0
    for line in metrics.splitlines():
        if line.startswith("blendcc_commit_batch_commands_count"):
            count = float(line.split()[-1])
        elif line.startswith('blendcc_commit_batch_commands_bucket{le="1.0"}'):
            le1 = float(line.split()[-1])
    return count - le1


def test_acknowledged_contacts_survive_sigkill_with_group_commit(database_url: str,
                                                                 servers: Callable[..., Server]) -> None:
    server = servers(database_url).start()
    admin = Client(server.url, "admin", ADMIN_PASSWORD)
    admin.ok("PUT", "/api/config/queues/q", {"name": "Q", "offer_timeout_s": 600})
    admin.ok("PUT", "/api/config/workflows/main", {"default": [{"queue": "q"}]})
    acked: list[str] = []
    sent: list[str] = []
    lock = threading.Lock()
    stop = threading.Event()
    errors: list[str] = []

    def client(k: int) -> None:
        http = httpx.Client(base_url=server.url, timeout=10.0, headers={"Authorization": f"Bearer {admin.token}"})
        n = 0
        while not stop.is_set():
            cid = f"g{k}-{n}"
            n += 1
            with lock:
                sent.append(cid)
            try:
                r = http.post("/api/contacts", json={"channel": "voice", "contact_id": cid})
            except httpx.HTTPError:
                continue  # the server died with this request in flight: applied or not
            if r.status_code == 201:
                with lock:
                    acked.append(cid)
            elif not stop.is_set():
                errors.append(f"{cid}: {r.status_code} {r.text}")
        http.close()

    threads = [threading.Thread(target=client, args=(k,), daemon=True) for k in range(CLIENTS)]
    for th in threads:
        th.start()
    wait_until(lambda: len(acked) >= 300, 60, "300 contacts acknowledged")
    batched = _batched_commits(httpx.get(server.url + "/metrics").text)
    time.sleep(0.2)
    server.kill9()  # requests in flight from every client
    stop.set()
    for th in threads:
        th.join(30)
    assert not errors, errors[:5]
    assert batched > 0, "no transaction stored more than one command under concurrent load"

    server.start()
    admin = Client(server.url, "admin", ADMIN_PASSWORD)
    stored: list[str] = []
    offset = 0
    while True:
        rows = admin.get(f"/api/contacts?queue_id=q&limit=1000&offset={offset}")
        stored += [r["contact_id"] for r in rows]
        if len(rows) < 1000:
            break
        offset += 1000
    assert len(stored) == len(set(stored))
    missing = set(acked) - set(stored)
    assert not missing, f"{len(missing)} acknowledged contacts lost, e.g. {sorted(missing)[:5]}"
    assert set(stored) <= set(sent)  # nothing invented
