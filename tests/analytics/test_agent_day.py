"""The agent's own day fold: handled per channel from its connections, AHT over its completed legs only."""

from __future__ import annotations

import pytest

from blendcc.analytics.agent_day import AgentDay
from blendcc.domain.events import ContactConnected, WrapUpCompleted


def _connected(cid: str, agent: str, channel: str = "voice", at: float = 0.0) -> ContactConnected:
    return ContactConnected(contact_id=cid, agent_id=agent, queue_id="q", channel=channel, queued_at=0.0,
                            wait_s=1.0, at=at)


def _done(cid: str, agent: str, talk: float, hold: float, acw: float, channel: str = "voice") -> WrapUpCompleted:
    return WrapUpCompleted(contact_id=cid, agent_id=agent, queue_id="q", channel=channel, queued_at=0.0,
                           disposition=None, notes=None, talk_s=talk, hold_s=hold, acw_s=acw, at=100.0)


def test_only_my_legs_count_and_an_open_one_does_not_lower_aht() -> None:
    events = [
        _connected("c1", "a1"), _done("c1", "a1", 60, 10, 20),  # transferred to a2 after 60 s talk
        _connected("c1", "a2"), _done("c1", "a2", 30, 0, 5),
        _connected("c2", "a1", "chat"), _done("c2", "a1", 120, 0, 0, "chat"),
        _connected("c3", "a1"),  # still talking: handled, not in AHT
    ]
    mine = AgentDay().apply_all("a1", events).figures()
    assert mine["handled"] == 3 and mine["handled_by_channel"] == {"chat": 1, "voice": 2}
    assert mine["completed"] == 2
    assert mine["aht_s"] == pytest.approx((60 + 10 + 20 + 120) / 2)
    assert (mine["talk_s"], mine["hold_s"], mine["acw_s"]) == (180, 10, 20)
    theirs = AgentDay().apply_all("a2", events).figures()
    assert theirs["handled"] == 1 and theirs["aht_s"] == pytest.approx(35)
    assert AgentDay().apply_all("a3", events).figures()["aht_s"] is None
