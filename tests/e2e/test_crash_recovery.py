"""Crash recovery: SIGKILL a real server during traffic, restart it on the same database, check nothing broke.

Accepted contacts (201) must all exist after the restart, in a state consistent with what the server
acknowledged before it died; no contact is ever offered to two agents at once; logged-in agents keep
their contacts; waiting contacts are offered again and new contacts are routed.
"""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from e2e_support import ADMIN_PASSWORD, Client, Server, wait_until

pytestmark = pytest.mark.slow

PASSWORD = "agent-pw"
ALWAYS = {d: [{"start": "00:00", "end": "24:00"}] for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
#: Offers ring long enough that none times out during the test: every offer ends by an agent's action.
QUEUE = {"calendar_id": "always", "closed_action": "reject", "wrap_up_s": None, "offer_timeout_s": 120}
QUEUES = {"sales": {}, "support": {"skills": {"tech": 1}}, "vip": {}}
AGENTS = {
    "keeper": ["sales"],            # accepts one contact and keeps it connected
    "holder": ["support"],          # accepts one contact and puts it on hold
    "cycler1": ["sales", "support"],  # accept -> end -> wrap-up, again and again
    "cycler2": ["sales"],           # accept -> wrap-up (ends and completes in one step)
    "spare": ["vip"],               # idle until after the restart; 'vip' gets no traffic before it
}
WORKFLOW = {"filters": [{"name": "vip", "expression": "ivr.menu == '9'", "targets": [{"queue": "vip"}]},
                        {"name": "tech", "expression": "ivr.menu == '2'", "targets": [{"queue": "support"}]}],
            "default": [{"queue": "sales"}]}
#: Interaction state after an acknowledged agent action.
AFTER = {"accept": "connected", "hold": "held", "end": "wrap_up", "wrapup": "closed"}
STAGE = {"connected": "busy", "held": "held", "wrap_up": "wrap_up", "offered": "reserved"}
WAITING = {"queued", "offered"}


@dataclass
class Ledger:
    """What the clients were told before the crash (acked) and what was in flight when it died."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    created: list[str] = field(default_factory=list)
    unanswered: list[str] = field(default_factory=list)
    acked: dict[str, list[tuple[str, str]]] = field(default_factory=dict)  # contact -> [(agent, action)]
    pending: dict[str, tuple[str, str]] = field(default_factory=dict)  # contact -> (agent, action)
    hung_up: set[str] = field(default_factory=set)
    hangup_pending: set[str] = field(default_factory=set)
    wrapups: dict[str, int] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)

    def ack(self, contact_id: str, agent: str, action: str) -> None:
        with self.lock:
            self.acked.setdefault(contact_id, []).append((agent, action))
            if action == "wrapup":
                self.wrapups[agent] = self.wrapups.get(agent, 0) + 1


def configure(admin: Client) -> None:
    admin.ok("PUT", "/api/config/skills/tech", {"name": "Tech"})
    admin.ok("PUT", "/api/config/calendars/always", {"weekly": ALWAYS})
    for qid, body in QUEUES.items():
        admin.ok("PUT", f"/api/config/queues/{qid}", {**QUEUE, **body})
    for aid, queues in AGENTS.items():
        admin.ok("PUT", f"/api/config/agents/{aid}", {"queues": queues, "skills": {"tech": 2}})
        admin.ok("PUT", f"/api/users/{aid}", {"password": PASSWORD, "role": "agent", "agent_id": aid})
    admin.ok("PUT", "/api/config/workflows/main", WORKFLOW)
    admin.ok("PUT", "/api/users/sup", {"password": PASSWORD, "role": "supervisor", "agent_id": None})


# ---------------------------------------------------------------------- traffic threads


def _guard(ledger: Ledger, stop: threading.Event, fn: Callable[[], None]) -> Callable[[], None]:
    """Run ``fn`` until ``stop``; a transport error (the server died) ends the thread quietly."""
    def run() -> None:
        try:
            while not stop.is_set():
                fn()
        except httpx.TransportError:
            pass
        except Exception as exc:  # surfaced by the test, not lost in a thread
            ledger.errors.append(repr(exc))
    return run


def creator(sup: Client, prefix: str, ledger: Ledger) -> Callable[[], None]:
    numbers = itertools.count()

    def step() -> None:
        n = next(numbers)
        cid = f"{prefix}-{n}"
        # repeat callers, but each thread has its own pool: concurrent first contacts from one new number
        # race in customer creation (409), a separate bug outside what this test is about
        body = {"channel": "voice", "contact_id": cid, "caller_id": f"+44207{ord(prefix[0])}{n % 50:04d}",
                "ivr": {"menu": "2" if n % 3 == 0 else "1"}}
        with ledger.lock:
            ledger.unanswered.append(cid)
        r = sup.request("POST", "/api/contacts", body)
        assert r.status_code == 201, f"create {cid}: {r.status_code} {r.text}"
        with ledger.lock:
            ledger.unanswered.remove(cid)
            ledger.created.append(cid)
        time.sleep(0.005)
    return step


def hanger(sup: Client, ledger: Ledger) -> Callable[[], None]:
    """Every few contacts, the customer of a recent one hangs up (abandons if still waiting)."""
    seen: set[str] = set()

    def step() -> None:
        with ledger.lock:
            candidates = [c for c in ledger.created[-6:] if c not in seen and c not in ledger.acked]
        if not candidates:
            time.sleep(0.02)
            return
        cid = candidates[0]
        seen.add(cid)
        if len(seen) % 4:
            return
        ledger.hangup_pending.add(cid)
        r = sup.request("POST", f"/api/contacts/{cid}/hangup")
        assert r.status_code == 200, f"hangup {cid}: {r.status_code} {r.text}"
        ledger.hangup_pending.discard(cid)
        ledger.hung_up.add(cid)
    return step


def agent_worker(agent: Client, name: str, ledger: Ledger) -> Callable[[], None]:
    """One scripted agent: what it does with each contact depends on its role (see AGENTS)."""
    def act(cid: str, action: str, body: dict[str, Any] | None = None) -> bool:
        ledger.pending[cid] = (name, action)
        r = agent.request("POST", f"/api/agent/contacts/{cid}/{action}", body)
        del ledger.pending[cid]
        if r.status_code == 200:
            ledger.ack(cid, name, action)
            return True
        assert r.status_code in (404, 409), f"{name} {action} {cid}: {r.status_code} {r.text}"
        return False

    def step() -> None:
        work = agent.get("/api/agent")["work"]
        for w in work:
            cid, stage = w["contact_id"], w["stage"]
            if stage == "reserved":
                act(cid, "accept")
            elif name == "holder" and stage == "busy":
                act(cid, "hold")
            elif name == "cycler1" and stage == "busy":
                act(cid, "end")
            elif name.startswith("cycler"):
                act(cid, "wrapup", {"disposition": "resolved", "notes": "done"})
        if not work:
            time.sleep(0.01)
    return step


# ---------------------------------------------------------------------- checks


def check_timeline(events: list[dict[str, Any]], cid: str) -> None:
    """Between an offer and its end (revoked or connected) there is never a second offer."""
    holder: str | None = None
    for e in events:
        if e["type"] == "ContactOffered":
            assert holder is None, f"{cid} offered to {e['agent_id']} while still offered to {holder}"
            holder = e["agent_id"]
        elif e["type"] in ("OfferRevoked", "ContactConnected"):
            assert holder == e["agent_id"], f"{cid}: {e['type']} for {e['agent_id']}, but the offer was to {holder}"
            holder = None


def expected_states(cid: str, ledger: Ledger) -> tuple[set[str], str | None]:
    """States the contact may be in after the restart, and the agent it must belong to (if any)."""
    acked = ledger.acked.get(cid, [])
    pending = ledger.pending.get(cid)
    if cid in ledger.hung_up and not acked and pending is None:
        return {"closed"}, None  # an acknowledged abandon
    allowed = {AFTER[acked[-1][1]]} if acked else set(WAITING)
    if pending is not None:  # sent, never answered: applied or not
        allowed.add(AFTER[pending[1]])
    if cid in ledger.hung_up or cid in ledger.hangup_pending:  # abandoned, or a conversation cut short
        allowed |= {"closed", "wrap_up"}
    return allowed, acked[-1][0] if acked else None


def test_nothing_accepted_is_lost_after_sigkill(database_url: str, servers: Callable[..., Server]) -> None:
    server = servers(database_url).start()
    admin = Client(server.url, "admin", ADMIN_PASSWORD)
    configure(admin)
    sup = Client(server.url, "sup", PASSWORD)
    agents = {a: Client(server.url, a, PASSWORD) for a in AGENTS}
    for client in agents.values():
        assert client.ok("POST", "/api/agent/login", {"status": "available"})["logged_in"]

    ledger = Ledger()
    stop = threading.Event()
    workers = [_guard(ledger, stop, creator(Client(server.url, "sup", PASSWORD), p, ledger)) for p in ("x", "y")]
    workers.append(_guard(ledger, stop, hanger(Client(server.url, "sup", PASSWORD), ledger)))
    workers += [_guard(ledger, stop, agent_worker(Client(server.url, a, PASSWORD), a, ledger))
                for a in AGENTS if a != "spare"]
    threads = [threading.Thread(target=w, daemon=True) for w in workers]

    def busy_enough() -> bool:
        acted = {a for pairs in ledger.acked.values() for a, _ in pairs}
        return (len(ledger.created) >= 40 and ledger.wrapups.get("cycler1", 0) >= 3
                and ledger.wrapups.get("cycler2", 0) >= 3 and {"keeper", "holder"} <= acted
                and len(ledger.hung_up) >= 2)

    def killer() -> None:
        if wait_until_or_none(busy_enough, 45.0):
            server.kill9()  # requests are in flight from every worker thread
        stop.set()

    kill_thread = threading.Thread(target=killer, daemon=True)
    for t in [*threads, kill_thread]:
        t.start()
    for t in [kill_thread, *threads]:
        t.join(60)
    assert not ledger.errors, ledger.errors
    assert server.proc is not None and server.proc.returncode is not None, (
        f"the traffic never got busy enough to crash the server: {len(ledger.created)} contacts, "
        f"wrap-ups {ledger.wrapups}\n{server.log_tail()}")

    server.start()
    admin, sup = Client(server.url, "admin", ADMIN_PASSWORD), Client(server.url, "sup", PASSWORD)
    views = {a: Client(server.url, a, PASSWORD).get("/api/agent") for a in AGENTS}
    owners: dict[str, list[str]] = {}
    for a, view in views.items():
        assert view["logged_in"], f"agent {a} was logged in before the crash but not after"
        for w in view["work"]:
            owners.setdefault(w["contact_id"], []).append(a)
    assert all(len(held) == 1 for held in owners.values()), {c: h for c, h in owners.items() if len(h) > 1}

    maybe_created = [c for c in ledger.unanswered if sup.request("GET", f"/api/contacts/{c}").status_code == 200]
    for cid in ledger.created + maybe_created:
        row = sup.get(f"/api/contacts/{cid}")  # 404 here: an acknowledged contact was lost
        check_timeline(sup.get(f"/api/contacts/{cid}/events"), cid)
        allowed, agent = expected_states(cid, ledger)
        assert row["state"] in allowed, f"{cid}: state {row['state']}, expected one of {allowed}"
        if row["state"] == "closed" and cid in ledger.hung_up and cid not in ledger.acked:
            assert row["outcome"] == "abandoned", row
        if agent is not None:
            assert row["agent_id"] == agent, f"{cid}: agent {row['agent_id']}, acknowledged by {agent}"
        if row["state"] in STAGE:
            held_by = owners.get(cid, [])
            assert len(held_by) == 1, f"{cid} is {row['state']} but held by {held_by}"
            stage = {w["contact_id"]: w["stage"] for w in views[held_by[0]]["work"]}[cid]
            assert stage == STAGE[row["state"]], f"{cid}: row {row['state']}, agent stage {stage}"
            if row["state"] != "offered":
                assert held_by[0] == row["agent_id"]
        else:
            assert cid not in owners, f"{cid} is {row['state']} yet held by {owners[cid]}"
    kept = [c for c, pairs in ledger.acked.items() if pairs[-1] == ("keeper", "accept")]
    assert kept and kept[0] in owners and owners[kept[0]] == ["keeper"], "keeper lost its connected contact"

    # the restarted server keeps routing: waiting contacts reach a freed agent, new contacts are offered
    cycler = Client(server.url, "cycler2", PASSWORD)
    rows = [sup.get(f"/api/contacts/{c}") for c in ledger.created]
    waiting_sales = [r["contact_id"] for r in rows if r["state"] == "queued" and r["queue_id"] == "sales"]
    for w in views["cycler2"]["work"]:
        if w["stage"] == "reserved":
            cycler.ok("POST", f"/api/agent/contacts/{w['contact_id']}/accept")
        cycler.ok("POST", f"/api/agent/contacts/{w['contact_id']}/wrapup", {"disposition": "resolved"})
    if waiting_sales:
        offered = wait_until(lambda: [w for w in cycler.get("/api/agent")["work"] if w["stage"] == "reserved"],
                             10.0, "a contact waiting since before the crash to be offered to cycler2")
        assert offered[0]["contact_id"] in ledger.created + maybe_created
    fresh = sup.ok("POST", "/api/contacts", {"channel": "voice", "caller_id": "+442000000001",
                                              "ivr": {"menu": "9"}}, expect=201)
    assert fresh["state"] == "offered" and fresh["offered_to"] == "spare", fresh
    spare = Client(server.url, "spare", PASSWORD)
    spare.ok("POST", f"/api/agent/contacts/{fresh['contact_id']}/accept")
    spare.ok("POST", f"/api/agent/contacts/{fresh['contact_id']}/wrapup", {"disposition": "resolved"})
    assert sup.get(f"/api/contacts/{fresh['contact_id']}")["state"] == "closed"
    assert admin.get("/health")["status"] == "ok"


def wait_until_or_none(predicate: Callable[[], bool], timeout: float) -> bool:
    """Like ``wait_until`` but for threads: returns False on timeout instead of failing the test."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False
