"""The dialing loop's bookkeeping: the engine runner port, dial attempts in flight and per-campaign runs."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

from blendcc.dialer.campaign import CampaignConfig
from blendcc.dialer.compliance import AbandonLedger, window_s
from blendcc.dialer.pacing import PacingDecision
from blendcc.dialer.predictive import AlphaController, Busy, OutcomeEstimator
from blendcc.dialer.records import DialRecord
from blendcc.domain import events as ev
from blendcc.domain.errors import ValidationFailed
from blendcc.domain.lifecycle.assignment import IN_CONVERSATION, AssignmentStage
from blendcc.domain.lifecycle.attempt import DIAL_ATTEMPT, AttemptState
from blendcc.routing.commands import Command
from blendcc.routing.engine import Engine
from blendcc.routing.outbound import OUTBOUND_REASON

T = TypeVar("T")


class EngineRunner(Protocol):
    """Runs engine commands (records) as the single writer and reads live state (``Runtime`` live; the
    simulator's runner): the ``Commands`` port plus a consistent read inside the app layer."""

    def execute(self, command: Command) -> list[ev.Event]: ...
    def query(self, fn: Callable[[Engine, float], T]) -> T: ...


@dataclass(slots=True)
class DialAttempt:
    """One call the dialer placed for a record (``call_id`` is also the contact id once connected)."""

    call_id: str
    campaign_id: str
    record: DialRecord
    placed_at: float
    agent_id: str | None  # reserved agent (preview, progressive)
    state: AttemptState = AttemptState.RINGING  # moves only along ``DIAL_ATTEMPT``
    answered_at: float | None = None
    deadline: float | None = None
    callback: tuple[float, str | None] | None = None  # (callback_at, personal agent) staged at wrap-up

    def move(self, state: AttemptState) -> None:
        """Step to ``state`` (staying is no step); InvalidState if the lifecycle table has no such step."""
        if state is not self.state:
            DIAL_ATTEMPT.check(self.state, state, self.call_id)
            self.state = state


@dataclass(slots=True)
class Run:
    """A campaign the service is dialling for, with its live estimates and calls."""

    config: CampaignConfig
    state: str = "running"
    estimator: OutcomeEstimator = field(default_factory=OutcomeEstimator)
    controller: AlphaController = field(default_factory=lambda: AlphaController(0.02))
    ledger: AbandonLedger = field(default_factory=AbandonLedger)
    calls: dict[str, DialAttempt] = field(default_factory=dict)
    candidates: deque[DialRecord] = field(default_factory=deque)
    candidates_at: float = float("-inf")
    dnc: frozenset[str] = frozenset()
    previews: dict[str, DialRecord] = field(default_factory=dict)  # agent -> record being previewed
    skipped: set[tuple[str, str]] = field(default_factory=set)  # (agent, record) skipped this session
    last: PacingDecision | None = None
    paced_at: float = float("-inf")
    placed_at: deque[float] = field(default_factory=deque)  # recent unreserved placements
    counts: dict[str, int] = field(default_factory=dict)
    pool_credit: float = 0.0  # smooth weighted round robin credit on a shared agent pool

    def bump(self, key: str) -> None:
        self.counts[key] = self.counts.get(key, 0) + 1

    def busy_records(self) -> set[str]:
        return {c.record.record_id for c in self.calls.values()} | {r.record_id for r in self.previews.values()}

    def dial_rate(self, now: float, window_s: float) -> float:
        """Unreserved calls placed per second over the last ``window_s``."""
        recent = self.placed_at
        while recent and recent[0] < now - window_s:
            recent.popleft()
        return len(recent) / window_s

    def view(self, now: float) -> dict[str, Any]:
        """Live pacing state (for supervisors and the API)."""
        config = self.config
        window = window_s(config.regulatory_mode)
        answered, abandoned = self.ledger.counts(now, window)
        mine = list(self.calls.values())
        last = self.last
        return {
            "campaign_id": config.id, "state": self.state, "mode": config.mode,
            "ringing": sum(1 for c in mine if c.state is AttemptState.RINGING),
            "waiting_for_agent": sum(1 for c in mine if c.state is AttemptState.WAITING),
            "connected": sum(1 for c in mine if c.state is AttemptState.CONNECTED),
            "previewing": sorted(self.previews),
            "p_live": round(self.estimator.p_live(), 4), "alpha": round(self.controller.alpha, 4),
            "abandon_window_s": window,
            "live_answered_in_window": round(answered, 3), "abandoned_in_window": round(abandoned, 3),
            "abandon_rate": (abandoned / answered) if answered else None,
            "abandon_cap": config.abandon_cap, "abandon_target": config.abandon_target,
            "governor_headroom": self.ledger.headroom(now, window, config.abandon_cap),
            "pool_weight": config.pool_weight,
            "last_decision": None if last is None else {"calls": last.calls, "governed": last.governed,
                                                        "risk": round(last.risk, 4), "reason": last.reason},
            "counts": dict(self.counts),
        }


@dataclass(frozen=True, slots=True)
class PoolSnapshot:
    free: list[str]
    busy: list[Busy]
    logged_in: int
    outbound_tied: int
    inbound_waiting: int


def read_pool(engine: Engine, now: float, queue_id: str, calls: Mapping[str, DialAttempt], with_busy: bool,
              with_tied: bool) -> PoolSnapshot:
    """The pool as the dialer needs it: free agents always; busy agents for predictive; the agents
    tied up in outbound (``calls``: the dialer's) for the inbound SL guard."""
    free = engine.outbound_agents(queue_id)
    busy: list[Busy] = []
    members = len(engine.members_on.get(queue_id, ()))
    if not free and not with_busy:
        return PoolSnapshot(free, busy, members, 0, 0)  # nobody to dial for: the rest does not matter
    waiting = sum(1 for c in engine.waiting() if c.queue.id == queue_id) if free else 0
    if not with_busy and not with_tied:
        return PoolSnapshot(free, busy, members, 0, waiting)
    logged = tied = 0
    wraps: dict[str, float | None] = {}
    for aid in engine.members_on.get(queue_id, ()):
        agent = engine.agents[aid]
        logged += 1
        if not agent.work:
            if agent.aux_reason == OUTBOUND_REASON and engine.is_reserved_outbound(aid):
                tied += 1
            continue
        for asg in agent.work.values():
            if asg.contact_id in calls:
                tied += 1
            if not with_busy:
                continue
            if asg.queue_id not in wraps:
                wraps[asg.queue_id] = engine.queue(asg.queue_id).wrap_up_s
            if asg.stage in IN_CONVERSATION and asg.connected_at is not None:
                busy.append(Busy(now - asg.connected_at, wrap_s=wraps[asg.queue_id]))
            elif asg.stage is AssignmentStage.WRAP_UP:
                if asg.wrap_until is not None:
                    busy.append(Busy(0.0, free_in=max(0.0, asg.wrap_until - now)))
                else:
                    ended = asg.ended_at if asg.ended_at is not None else now
                    busy.append(Busy(now - ended, wrapping=True))
            elif asg.stage is AssignmentStage.RESERVED:
                busy.append(Busy(0.0, wrap_s=wraps[asg.queue_id]))
    return PoolSnapshot(free, busy, logged, tied, waiting)


def stage_callback(calls: Mapping[str, DialAttempt], runs: Mapping[str, Run], contact_id: str, agent_id: str,
                   disposition: str | None, callback_at: float | None, personal: bool, now: float) -> None:
    """``DialingService.stage_wrap_up``: check a wrap-up's callback fields and keep them on the call."""
    call = calls.get(contact_id)
    if call is None:
        if callback_at is not None or personal:
            raise ValidationFailed("callback_at applies only to outbound dialer contacts")
        return
    run = runs.get(call.campaign_id)
    action = run.config.disposition_action(disposition) if run is not None and disposition else None
    if action != "callback":
        if callback_at is not None or personal:
            raise ValidationFailed(f"callback_at needs a callback disposition (not {disposition!r})")
        call.callback = None
        return
    if callback_at is None:
        raise ValidationFailed("a callback disposition needs callback_at (UTC epoch seconds)")
    if callback_at <= now:
        raise ValidationFailed("callback_at is in the past")
    call.callback = (callback_at, agent_id if personal else None)


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
