"""Request-body examples for /openapi.json (what /docs pre-fills and what schemathesis sends first).

Each is a small, valid request against a centre like the one in the README (queues ``sales`` and
``support``, agents ``a1``..``a3``); keyed by the route's name.
"""

from __future__ import annotations

from typing import Any

_SCENARIO: dict[str, Any] = {
    "name": "erlang-a-small", "duration_s": 3600, "report_interval_s": 1800,
    "centre": {"queues": [{"id": "support", "wrap_up_s": 0, "short_abandon_s": 0, "sl_threshold_s": 20}],
               "workflows": [{"id": "inbound", "default": [{"queue": "support"}]}]},
    "agents": [{"name": "agent", "count": 5, "queues": ["support"]}],
    "arrivals": [{"name": "call", "process": {"kind": "poisson", "rate_per_s": 0.02},
                  "handle": {"dist": "exponential", "mean_s": 180},
                  "patience": {"dist": "exponential", "mean_s": 300}}],
}

EXAMPLES: dict[str, Any] = {
    "token": {"username": "admin", "password": "change-me"},
    "put_user": {"password": "pass-1234", "role": "agent", "agent_id": "a1"},
    "create_contact": {"channel": "voice", "caller_id": "+44 20 7946 0000", "language": "en",
                       "ivr": {"menu": "2"}, "attributes": {"order": "A-17"}, "priority": 0},
    "create_customer": {"name": "Ada Lovelace", "tier": "gold", "fields": {"account": "1815"},
                        "identities": [{"kind": "phone", "value": "+44 20 7946 0001"},
                                       {"kind": "email", "value": "ada@example.org"}]},
    "update_customer": {"tier": "platinum"},
    "add_identity": {"kind": "chat", "value": "ada-web-1"},
    "agent_login": {"status": "available"},
    "agent_status": {"status": "aux", "reason": "lunch"},
    "agent_wrapup": {"disposition": "resolved", "notes": "refund issued"},
    "agent_transfer": {"queue_id": "support"},
    "force_state": {"status": "aux", "reason": "coaching"},
    "move_contact": {"queue_id": "support"},
    "erlang_calculator": {"calls": 120, "interval_min": 30, "aht_s": 240, "sl_target": 0.8, "sl_threshold_s": 20},
    "staffing": {"intervals": [{"interval_start": "2024-01-15T09:00:00", "queue": "sales", "volume": 120,
                                "aht_s": 240},
                               {"interval_start": "2024-01-15T09:30:00", "queue": "sales", "volume": 150,
                                "aht_s": 240}],
                 "sl_target": 0.8, "sl_threshold_s": 20, "shrinkage": 0.3},
    "run_simulation": {"scenario": _SCENARIO, "replications": 2, "seed": 1, "intervals": False},
    "staffing_simulate": {"scenario": _SCENARIO, "target": {"sl_target": 0.8}, "replications": 2,
                          "max_evaluations": 4},
    "post_forecast": {"points": [{"interval_start": f"2024-01-{d:02d}T09:00:00", "volume": 100 + d, "aht_s": 200}
                                 for d in range(1, 29)],
                      "interval_min": 60, "horizon": "7d", "tz": "UTC", "backtest": False},
    "submit_forecast_job": {"points": [{"interval_start": f"2024-01-{d:02d}T09:00:00", "volume": 100 + d,
                                        "aht_s": 200} for d in range(1, 29)],
                            "interval_min": 60, "horizon": "7d", "tz": "UTC", "origins": 2},
    "add_dnc": {"phone": "+1 202 555 0143", "reason": "asked not to be called"},
    "dispose": {"disposition": "callback", "callback_at": 1705338000, "personal": False},
    "simulate_inline": {"flow": {"name": "Main menu", "start": "menu", "nodes": [
        {"id": "menu", "kind": "menu", "prompt": {"text": "For sales press 1, support 2."},
         "options": [{"key": "1", "next": "sales"}, {"key": "2", "next": "support"}], "on_failure": "sales"},
        {"id": "sales", "kind": "queue"}, {"id": "support", "kind": "queue"}]}, "inputs": ["2"]},
    "publish_schedules": {"schedules": [{"agent_id": "a1", "date": "2024-01-15", "segments": [
        {"activity": "work", "start": "2024-01-15T09:00:00+00:00", "end": "2024-01-15T17:00:00+00:00"}]}]},
}


def add_examples(doc: dict[str, Any], names: dict[tuple[str, str], str]) -> None:
    """Put each example on its operation's JSON request body; ``names``: (path, method) -> route name."""
    for path, ops in doc.get("paths", {}).items():
        for method, op in ops.items():
            example = EXAMPLES.get(names.get((path, method), ""))
            body = op.get("requestBody", {}).get("content", {}).get("application/json")
            if example is not None and body is not None:
                body["example"] = example
