"""The opt-in directory feed of /ws/agent on SQLite and PostgreSQL: after {"type": "directory", "on": true}
the socket also gets every agent's state changes (id, state, reason, at only) and the queues' waiting counts
when they change, until {"on": false}."""

from __future__ import annotations

import json
from typing import Any

from .test_ws import assert_silent, connect, receive


def _publish_stats(centre: Any) -> None:
    """What the server's stats job does every stats_interval_s (the test app runs without background jobs)."""
    centre.container.bus.publish("stats", {"type": "Stats", **centre.container.views.wallboard()})


def test_directory_feed_is_opt_in_and_carries_no_contact_data(centre: Any) -> None:
    centre.agent_login("a1")
    with connect(centre, "/ws/agent", "ann") as ws:
        assert receive(ws)["stream"] == "snapshot"
        centre.agent_login("a2")
        assert_silent(ws)  # off: bob's state is not ann's business
        _publish_stats(centre)
        assert_silent(ws)
        ws.send_text(json.dumps({"type": "directory", "on": "yes"}))
        assert receive(ws) == {"stream": "directory", "type": "Error", "detail": "'on' must be true or false"}
        ws.send_text(json.dumps({"type": "directory", "on": True}))
        assert receive(ws) == {"stream": "directory", "type": "DirectoryFeed", "on": True}
        centre.set_status("a2", "aux", "lunch")
        change = receive(ws)
        assert change == {"stream": "directory", "type": "AgentStateChanged", "agent_id": "a2", "state": "aux",
                          "reason": "lunch", "at": centre.T0}
        contact = centre.new_contact(caller_id="+442079460123", ivr={"menu": "3"})  # billing: only bob (aux)
        assert contact["state"] == "queued"
        centre.clock.advance(7)
        _publish_stats(centre)
        counts = receive(ws)
        assert counts["stream"] == "directory" and counts["type"] == "QueueWaiting"
        billing = next(q for q in counts["queues"] if q["id"] == "billing")
        assert billing == {"id": "billing", "waiting": 1, "longest_wait_s": 7.0, "agents_available": 0,
                           "agents_logged_in": 1}
        assert contact["contact_id"] not in json.dumps(counts) and "+442079460123" not in json.dumps(counts)
        _publish_stats(centre)
        assert_silent(ws)  # unchanged counts are not sent again
        ws.send_text(json.dumps({"type": "directory", "on": False}))
        assert receive(ws) == {"stream": "directory", "type": "DirectoryFeed", "on": False}
        centre.set_status("a2", "available")
        assert_silent(ws)  # off again: bob's state change (and the offer to him) do not reach ann
