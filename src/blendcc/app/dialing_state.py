"""The dialing loop's bookkeeping: the engine runner port, calls in flight and per-campaign runs."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

from blendcc.dialer.campaign import CampaignConfig
from blendcc.dialer.compliance import AbandonLedger
from blendcc.dialer.pacing import PacingDecision
from blendcc.dialer.predictive import AlphaController, Busy, OutcomeEstimator
from blendcc.dialer.records import DialRecord
from blendcc.domain import events as ev
from blendcc.routing.engine import Engine

T = TypeVar("T")
Command = Callable[[Engine, float], list[ev.Event]]


class EngineRunner(Protocol):
    """Runs engine commands as the single writer (``Runtime`` live; the simulator's runner)."""

    def execute(self, command: Command, *, timers_first: bool = True) -> list[ev.Event]: ...
    def query(self, fn: Callable[[Engine, float], T]) -> T: ...


@dataclass(slots=True)
class Call:
    call_id: str
    campaign_id: str
    record: DialRecord
    placed_at: float
    agent_id: str | None  # reserved agent (preview, progressive)
    state: str = "ringing"  # ringing, waiting (answered, no agent yet), connected
    answered_at: float | None = None
    deadline: float | None = None


@dataclass(slots=True)
class Run:
    """A campaign the service is dialling for, with its live estimates and calls."""

    config: CampaignConfig
    state: str = "running"
    estimator: OutcomeEstimator = field(default_factory=OutcomeEstimator)
    controller: AlphaController = field(default_factory=lambda: AlphaController(0.02))
    ledger: AbandonLedger = field(default_factory=AbandonLedger)
    calls: dict[str, Call] = field(default_factory=dict)
    candidates: deque[DialRecord] = field(default_factory=deque)
    candidates_at: float = float("-inf")
    dnc: frozenset[str] = frozenset()
    previews: dict[str, DialRecord] = field(default_factory=dict)  # agent -> record being previewed
    skipped: set[tuple[str, str]] = field(default_factory=set)  # (agent, record) skipped this session
    last: PacingDecision | None = None
    paced_at: float = float("-inf")
    placed_at: deque[float] = field(default_factory=deque)  # recent unreserved placements
    counts: dict[str, int] = field(default_factory=dict)

    def bump(self, key: str) -> None:
        self.counts[key] = self.counts.get(key, 0) + 1

    def busy_records(self) -> set[str]:
        return {c.record.record_id for c in self.calls.values()} | {r.record_id for r in self.previews.values()}


@dataclass(frozen=True, slots=True)
class PoolSnapshot:
    free: list[str]
    busy: list[Busy]
    logged_in: int
    outbound_tied: int
    inbound_waiting: int



def events_of(messages: Sequence[dict[str, Any]]) -> list[ev.Event]:
    """Rebuild engine events from bus messages (for wiring ``observe`` to the live bus)."""
    out: list[ev.Event] = []
    for m in messages:
        data = {k: v for k, v in m.items() if k not in ("type", "seq")}
        try:
            out.append(ev.event_from_dict(str(m["type"]), data))
        except (KeyError, TypeError, ValueError):
            continue
    return out
