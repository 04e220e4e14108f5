"""A realistic bank flow used by the IVR tests (every node kind)."""

from __future__ import annotations

from typing import Any

from blendcc.domain.calendar import BusinessHours

HOURS = BusinessHours.model_validate({"id": "office", "timezone": "Europe/London",
                                      "weekly": {d: [{"start": "08:00", "end": "18:00"}]
                                                 for d in ("mon", "tue", "wed", "thu", "fri")}})


def bank_flow(**changes: Any) -> dict[str, Any]:
    flow: dict[str, Any] = {
        "id": "bank",
        "name": "Bank main line",
        "language": "en",
        "start": "hours",
        "nodes": [
            {"id": "hours", "kind": "hours", "calendar": "office", "open": "welcome", "closed": "closed"},
            {"id": "closed", "kind": "voicemail", "mailbox": "after-hours",
             "prompt": {"text": "We are closed. Leave a message after the tone."}, "max_seconds": 60},
            {"id": "welcome", "kind": "play", "prompt": {"prompt_id": "welcome", "text": "Welcome to the bank."},
             "next": "who"},
            {"id": "who", "kind": "lookup", "known": "menu", "unknown": "menu", "tiers": {"gold": "vip"}},
            {"id": "vip", "kind": "set", "attributes": {"vip": True}, "next": "menu"},
            {"id": "menu", "kind": "menu", "prompt": {"text": "For sales press 1, support 2, billing 3."},
             "options": [{"key": "1", "next": "sales", "words": ["sales", "buy"]},
                         {"key": "2", "next": "support", "words": ["support", "help"]},
                         {"key": "3", "next": "account", "words": ["billing"]},
                         {"key": "0", "next": "bye"}],
             "timeout_s": 5, "retries": 2,
             "invalid_prompt": {"text": "Sorry, that is not an option."},
             "no_input_prompt": {"text": "Sorry, I did not hear you."},
             "on_failure": "sales"},
            {"id": "account", "kind": "collect", "attribute": "account",
             "prompt": {"text": "Enter your card number, then hash."},
             "rules": {"min_length": 16, "max_length": 16, "luhn": True}, "terminators": "#",
             "timeout_s": 8, "retries": 1, "invalid_prompt": {"text": "That number is not valid."},
             "next": "billing", "on_failure": "billing"},
            {"id": "sales", "kind": "queue", "priority": 1},
            {"id": "support", "kind": "queue", "music": {"prompt_id": "moh"}, "announce_every_s": 30,
             "comfort": [{"text": "Thank you for waiting."}, {"text": "Your call matters to us."}],
             "callback": {"key": "1", "after_s": 30}},
            {"id": "billing", "kind": "queue", "attributes": {"team": "billing"}},
            {"id": "bye", "kind": "hangup", "prompt": {"text": "Goodbye."}},
        ],
    }
    flow.update(changes)
    return flow
