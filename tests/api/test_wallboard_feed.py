"""The wallboard feed: GET /api/stats/live per queue and per queue x channel against each queue's own SL goal and
long-wait threshold, hold as its own agent state (resume returns to on-contact), natural order; the supervisor
socket gets ONE coalesced "stats" frame after a burst of events, reflecting them (``seq``)."""

from __future__ import annotations

from typing import Any

from blendcc.app.reporting.wallboard import natural_key
from blendcc.app.reporting.wallboard_feed import WallboardFeed
from blendcc.testing.scheduler import StepScheduler

from .test_ws import connect, receive


def live(api: Any) -> dict[str, Any]:
    result: dict[str, Any] = api.get("/api/stats/live", "sup")
    return result


def queue(board: dict[str, Any], qid: str) -> dict[str, Any]:
    return next(q for q in board["queues"] if q["id"] == qid)


def agent(board: dict[str, Any], aid: str) -> dict[str, Any]:
    return next(a for a in board["agents"] if a["id"] == aid)


def test_tiles_per_queue_and_channel_against_the_queues_own_targets(centre: Any) -> None:
    centre.put("/api/config/queues/sales", json={"name": "Sales", "wrap_up_s": 30, "offer_timeout_s": 20,
                                                 "sl_target": 0.9, "long_wait_s": 45, "sl_thresholds_s": {"chat": 90}})
    centre.agent_login("a2")  # sales and billing
    voice = centre.new_contact(channel="voice")
    assert voice["offered_to"] == "a2"
    centre.advance(5)
    centre.act("a2", voice["contact_id"], "accept")  # answered after 5 s: within the 20 s voice threshold
    for n in range(2):
        centre.new_contact(channel="chat", contact_id=f"chat{n}")  # a2 is on a (exclusive) call: they wait
    centre.advance(10)
    board = live(centre)
    assert board["timezone"] == "UTC" and board["seq"] > 0
    sales = queue(board, "sales")
    assert (sales["sl_target"], sales["long_wait_s"]) == (0.9, 45)
    tiles = {t["channel"]: t for t in sales["channels"]}
    assert sorted(tiles) == ["chat", "voice"]
    chat, call = tiles["chat"], tiles["voice"]
    assert (chat["waiting"], chat["longest_wait_s"], chat["sl_threshold_s"], chat["sl_target"]) == (2, 10, 90, 0.9)
    assert (call["waiting"], call["today"]["handled"], call["today"]["service_level"], call["sl_threshold_s"]) == (
        0, 1, 1.0, 20)
    assert call["today"]["asa_s"] == 5 and chat["today"]["offered"] == 2 and chat["today"]["abandon_rate"] == 0
    assert call["agents"]["busy"] == 1 and chat["agents"]["busy"] == 1  # a2 takes both channels
    assert call["agents_offline"] == 1  # a1 (sales) is not logged in
    assert sales["agents"]["busy"] == 1 and sales["agents_offline"] == 1 and sales["waiting"] == 2
    # billing has no traffic: no channel tile, its queue figures only, default targets
    billing = queue(board, "billing")
    assert billing["channels"] == [] and (billing["sl_target"], billing["long_wait_s"]) == (0.8, 20)
    assert board["totals"]["waiting"] == 2 and board["totals"]["agents"]["busy"] == 1
    assert board["totals"]["agents"]["offline"] == 2


def test_hold_is_its_own_state_and_resume_returns_to_on_contact(centre: Any) -> None:
    centre.agent_login("a1")
    call = centre.new_contact()
    centre.act("a1", call["contact_id"], "accept")
    assert agent(live(centre), "a1")["state"] == "busy"
    centre.advance(3)
    centre.act("a1", call["contact_id"], "hold")
    board = live(centre)
    a1 = agent(board, "a1")
    assert (a1["state"], a1["since"]) == ("held", centre.T0 + 3)
    assert queue(board, "sales")["agents"]["held"] == 1 and queue(board, "sales")["agents"]["busy"] == 0
    assert board["totals"]["agents"]["held"] == 1
    centre.advance(4)
    centre.act("a1", call["contact_id"], "resume")  # ContactResumed: back on the contact
    board = live(centre)
    assert agent(board, "a1")["state"] == "busy"
    assert queue(board, "sales")["agents"]["held"] == 0 and queue(board, "sales")["agents"]["busy"] == 1


def test_agents_and_queues_in_natural_order(centre: Any) -> None:
    for n in (10, 2, 1):
        centre.put(f"/api/config/queues/q{n}", json={"name": f"Queue {n}"})
        centre.put(f"/api/config/agents/agent{n}", json={"name": f"agent{n}", "queues": [f"q{n}"]})
    board = live(centre)
    names = [a["name"] for a in board["agents"]]
    assert [n for n in names if n.startswith("agent")] == ["agent1", "agent2", "agent10"]
    qnames = [q["name"] for q in board["queues"]]
    assert [n for n in qnames if n.startswith("Queue")] == ["Queue 1", "Queue 2", "Queue 10"]
    assert sorted(["a10", "a9", "A1"], key=natural_key) == ["A1", "a9", "a10"]


def test_queue_targets_are_validated(centre: Any) -> None:
    for bad in ({"sl_target": 1.5}, {"sl_target": 0}, {"long_wait_s": -1}):
        centre.put("/api/config/queues/bad", expect=422, json={"name": "Bad", **bad})


def test_supervisor_socket_gets_one_coalesced_frame_reflecting_the_events(centre: Any) -> None:
    steps = StepScheduler()
    c = centre.container
    feed = WallboardFeed(c.views.wallboard, c.bus, steps, coalesce_s=0.1, heartbeat_s=1.0).start()
    c.runtime.subscribers.append(feed)
    try:
        with connect(centre, "/ws/supervisor", "sup") as ws:
            assert receive(ws)["stream"] == "snapshot"
            centre.agent_login("a1")
            call = centre.new_contact()
            centre.act("a1", call["contact_id"], "accept")
            centre.act("a1", call["contact_id"], "hold")
            assert steps.run_due(0.1) == 1  # a burst of batches armed ONE publication
            frame = None
            while frame is None:
                m = receive(ws)
                frame = m if m["stream"] == "stats" else None
            assert frame["type"] == "Stats" and frame["seq"] == c.runtime.last_seq
            assert agent(frame, "a1")["state"] == "held"
            assert queue(frame, "sales")["agents"]["held"] == 1
            assert steps.run_due(0.1) == 0  # nothing new: no frame armed
            centre.act("a1", call["contact_id"], "resume")
            assert steps.run_due(0.1) == 1
            frame = None
            while frame is None:
                m = receive(ws)
                frame = m if m["stream"] == "stats" else None
            assert agent(frame, "a1")["state"] == "busy"
            assert feed.published == 2
            steps.run_due(1.0)  # the heartbeat re-arms itself
            assert any(d == 1.0 for d, _ in steps.jobs)
    finally:
        feed.stop()
        c.runtime.subscribers.remove(feed)
    assert steps.jobs == []
