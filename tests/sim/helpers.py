"""Small scenario documents and an event recorder for the simulator tests."""

from __future__ import annotations

from typing import Any

from blendcc.domain import events as ev
from blendcc.sim.centre import ReplicationResult, SimCentre
from blendcc.sim.scenario import parse_scenario


def scenario_doc(*, agents: int = 1, queue: dict[str, Any] | None = None, arrivals: list[dict[str, Any]] | None = None,
                 groups: list[dict[str, Any]] | None = None, duration_s: float = 1000.0,
                 **extra: Any) -> dict[str, Any]:
    q = {"id": "q", "wrap_up_s": 0, "short_abandon_s": 0, "sl_threshold_s": 20, **(queue or {})}
    return {
        "duration_s": duration_s,
        "centre": {"queues": [q], "workflows": [{"id": "w", "default": [{"queue": "q"}]}]},
        "agents": groups if groups is not None else [{"name": "a", "count": agents, "queues": ["q"]}],
        "arrivals": arrivals if arrivals is not None else [{
            "name": "c", "process": {"kind": "poisson", "rate_per_s": 0.01},
            "handle": {"dist": "exponential", "mean_s": 60}}],
        **extra,
    }


def replay(contacts: list[dict[str, Any]], patience: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    stream: dict[str, Any] = {"name": "c", "process": {"kind": "replay", "contacts": contacts},
                              "handle": {"dist": "constant", "value_s": 1}}
    if patience is not None:
        stream["patience"] = patience
    return [stream]


def run_recorded(doc: dict[str, Any], seed: int = 1, replication: int = 0) -> tuple[ReplicationResult, list[ev.Event]]:
    centre = SimCentre(parse_scenario(doc), seed=seed, replication=replication)
    log: list[ev.Event] = []
    centre.observers.append(log.extend)
    return centre.run(), log


def of(log: list[ev.Event], kind: type[ev.Event]) -> list[Any]:
    return [e for e in log if isinstance(e, kind)]
