"""Raising a web-chat bot's share while a crisis lasts: with the instance's setting at 0 no new chat meets the
bot; the playbook's ``bot_share`` action sends every new chat (share 1) or the share asked to the bot first, and
ending the crisis puts the share back exactly (the setting again); the action and its revert are events."""

from __future__ import annotations

from typing import Any

from blendcc.adapters.manual_clock import FakeClock
from channels.webchat.live_chat import BOT_FLOW
from conftest import T0, seeded_api

PLAYBOOK: dict[str, Any] = {"name": "Deflect", "triggers": [{"kind": "switch"}],
                            "actions": [{"kind": "bot_share", "instance": "bot", "share": 1.0}]}


def _bot_chats(api: Any, n: int) -> int:
    """How many of ``n`` new chats of the instance 'bot' the bot answers first."""
    svc = api.container.webchat
    return sum(svc.start("bot", f"C{i}", f"c{i}@example.com", None, None, None)[0].state == "bot" for i in range(n))


def test_a_playbook_raises_the_bots_share_and_puts_it_back(sqlite_url: str, fast_passwords: None) -> None:
    webchat = {"default": {"centre_name": "Acme"},
               "bot": {"centre_name": "Acme bot", "bot_flow": "chatbot", "bot_share": 0.0}}
    with seeded_api(sqlite_url, FakeClock(T0), webchat=webchat) as api:
        api.put("/api/config/ivr_flows/chatbot", json=BOT_FLOW)
        assert _bot_chats(api, 20) == 0
        api.put("/api/crisis/playbooks/deflect", "sup", json=PLAYBOOK)
        api.post("/api/crisis/playbooks/deflect/switch", "sup", json={"on": True})
        assert _bot_chats(api, 20) == 20
        api.post("/api/crisis/playbooks/deflect/switch", "sup", json={"on": False})
        assert api.container.webchat.bot_shares == {}  # the setting rules again
        assert _bot_chats(api, 20) == 0
        # half: the session id's hash decides, so about half of many chats meet the bot
        half = {**PLAYBOOK, "actions": [{"kind": "bot_share", "instance": "bot", "share": 0.5}]}
        api.put("/api/crisis/playbooks/deflect", "sup", json=half)
        api.post("/api/crisis/playbooks/deflect/switch", "sup", json={"on": True})
        assert 60 <= _bot_chats(api, 200) <= 140
        api.post("/api/crisis/playbooks/deflect/switch", "sup", json={"on": False})
        applied = [s.event.detail for s in api.container.store.events_of_type(["CrisisActionApplied"])]
        reverted = [s.event.detail for s in api.container.store.events_of_type(["CrisisActionReverted"])]
        assert applied == [{"instance": "bot", "share": 1.0, "from": 0.0},
                           {"instance": "bot", "share": 0.5, "from": 0.0}]
        assert reverted == [{"instance": "bot", "restored": None}] * 2
        # an instance without a bot: the action fails (recorded), the crisis goes on
        none = {**PLAYBOOK, "actions": [{"kind": "bot_share", "instance": "default", "share": 1.0}]}
        api.put("/api/crisis/playbooks/deflect", "sup", json=none)
        api.post("/api/crisis/playbooks/deflect/switch", "sup", json={"on": True})
        last = [s.event.detail for s in api.container.store.events_of_type(["CrisisActionApplied"])][-1]
        assert "has no bot" in last["error"]
        api.post("/api/crisis/playbooks/deflect/switch", "sup", json={"on": False})
        assert api.container.crisis.active() == []


def test_a_share_changed_meanwhile_is_left_as_set(sqlite_url: str, fast_passwords: None) -> None:
    webchat = {"bot": {"centre_name": "Acme bot", "bot_flow": "chatbot", "bot_share": 0.2}}
    with seeded_api(sqlite_url, FakeClock(T0), webchat=webchat) as api:
        api.put("/api/config/ivr_flows/chatbot", json=BOT_FLOW)
        api.put("/api/crisis/playbooks/deflect", "sup", json=PLAYBOOK)
        api.post("/api/crisis/playbooks/deflect/switch", "sup", json={"on": True})
        api.container.webchat.bot_shares["bot"] = 0.7  # someone else set it meanwhile
        api.post("/api/crisis/playbooks/deflect/switch", "sup", json={"on": False})
        assert api.container.webchat.bot_shares == {"bot": 0.7}
        reverted = [s.event.detail for s in api.container.store.events_of_type(["CrisisActionReverted"])]
        assert reverted == [{"instance": "bot", "left": "changed by someone else meanwhile"}]
