"""An agent's campaign list on SQLite and PostgreSQL: only the campaigns of its queues, running first, with
their state and whether a preview or manual dial may be started on them now; supervisors use /api/campaigns."""

from __future__ import annotations

import random
from typing import Any

from blendcc.adapters.telephony.fake import FakeTelephony
from blendcc.bootstrap.dialing import wire_dialing

BASE = {"caller_id": "+14155550100", "default_region": "GB"}


def by_id(rows: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {r["id"]: r for r in rows}


def test_an_agent_lists_the_campaigns_of_its_queues(centre: Any) -> None:
    centre.put("/api/campaigns/winback", json={**BASE, "name": "Win-back", "mode": "preview", "queue_id": "sales"})
    centre.put("/api/campaigns/renew", json={**BASE, "name": "Renewals", "mode": "progressive", "queue_id": "sales"})
    centre.put("/api/campaigns/fix", json={**BASE, "name": "Fix-it", "mode": "preview", "queue_id": "support"})
    centre.put("/api/campaigns/dues", json={**BASE, "name": "Dues", "mode": "power", "queue_id": "billing"})
    centre.agent_login("a1")
    # no dialing loop yet: listed, nothing may be dialled
    before = by_id(centre.get("/api/agent/campaigns", "ann"))
    assert set(before) == {"winback", "renew", "fix"}  # Ann serves sales and support, not billing
    assert not any(r["preview_dial"] or r["manual_dial"] for r in before.values())
    assert before["winback"]["why_not"] == "the dialer is not running in this deployment"
    wire_dialing(centre.container, FakeTelephony(centre.clock, random.Random(3)), ticker=False)
    stopped = by_id(centre.get("/api/agent/campaigns", "ann"))
    assert stopped["winback"] == {"id": "winback", "name": "Win-back", "mode": "preview", "queue_id": "sales",
                                  "state": "stopped", "preview_dial": False, "manual_dial": False,
                                  "why_not": "campaign winback is stopped"}
    pushed: list[dict[str, Any]] = []
    stop = centre.container.bus.subscribe("agent", lambda _t, m: pushed.append(dict(m))
                                          if m.get("type") == "CampaignStateChanged" else None)
    centre.post("/api/campaigns/winback/start", "sup", json={})
    stop()
    # every agent of the campaign's queue is told (its desktop reloads the list), nobody else
    assert sorted((m["agent_id"], m["campaign_id"], m["state"]) for m in pushed) == [
        ("a1", "winback", "running"), ("a2", "winback", "running")]
    centre.post("/api/campaigns/renew/start", "sup", json={})
    centre.post("/api/campaigns/renew/pause", "sup", json={})
    rows = centre.get("/api/agent/campaigns", "ann")
    assert [r["id"] for r in rows] == ["winback", "renew", "fix"]  # running, paused, stopped
    assert [r["state"] for r in rows] == ["running", "paused", "stopped"]
    assert rows[0]["preview_dial"] is True and rows[0]["manual_dial"] is True and rows[0]["why_not"] is None
    assert rows[1]["preview_dial"] is False and rows[1]["manual_dial"] is False
    assert rows[1]["why_not"] == "campaign renew is paused"
    centre.post("/api/campaigns/renew/start", "sup", json={})
    renew = by_id(centre.get("/api/agent/campaigns", "ann"))["renew"]
    assert renew["manual_dial"] is True and renew["preview_dial"] is False  # progressive: calls come to me
    assert [r["id"] for r in centre.get("/api/agent/campaigns", "cy")] == ["dues", "fix"]  # both stopped: by name
    centre.error("GET", "/api/agent/campaigns", 403, user="sup")
    centre.error("GET", "/api/campaigns", 403, user="ann")  # the full list stays a supervisor's
