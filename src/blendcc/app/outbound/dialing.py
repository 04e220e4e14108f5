"""The dialing loop: paces running campaigns, places calls, turns telephony events into engine commands.

One ``DialingService`` serves every campaign. The same code runs live (a ``Runtime`` as the engine
runner, a real clock, a background thread calling ``tick``) and in the simulator (the kernel's clock,
an engine runner that feeds events back to the simulation). Entry points: ``tick()`` (expire the
2-second connect rule, connect waiting answers, pace and dial), ``on_telephony`` (the Telephony port's
handler), ``observe`` (engine events: handle times, dispositions, inbound arrivals; it only queues,
so it is safe to call from a bus handler), and the preview actions for agents.
"""

from __future__ import annotations

import itertools
import logging
import threading
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from typing import Any, TypeVar

from blendcc.app.outbound.campaigns import select_records
from blendcc.app.outbound.manual_dial import ManualDialActions, manual_customer
from blendcc.app.outbound.preview import PreviewActions
from blendcc.app.outbound.state import DialAttempt, EngineRunner, PoolSnapshot, Run, read_pool, stage_callback
from blendcc.app.periodic import Periodic
from blendcc.dialer.blending import InboundLoad, outbound_usable
from blendcc.dialer.campaign import CampaignConfig
from blendcc.dialer.compliance import window_s
from blendcc.dialer.eligibility import why_not
from blendcc.dialer.outcomes import Outcome, apply_disposition, apply_outcome, start_attempt
from blendcc.dialer.pacing import FlightView, PacingDecision, PoolView, pace, share_pool
from blendcc.dialer.predictive import AlphaController, OutcomeEstimator
from blendcc.dialer.records import DialRecord
from blendcc.domain import dialer_events as dev
from blendcc.domain import events as ev
from blendcc.domain.errors import InvalidState, NotFound, ValidationFailed
from blendcc.domain.lifecycle.attempt import IN_FLIGHT, AttemptState
from blendcc.domain.telephony import TelephonyEvent
from blendcc.outbound_ports import DialerRepository, Telephony
from blendcc.ports import Clock
from blendcc.routing.commands import (
    AppendEvents,
    Batch,
    Command,
    ConnectOutbound,
    DisconnectCustomer,
    ReserveOutbound,
)

log = logging.getLogger(__name__)
T = TypeVar("T")
#: (campaign id, record id, disposition, callback_at, personal agent) -> None
Dispose = Callable[[str, str, str, float | None, str | None], object]

_BUFFER = 400  # validated candidate records kept per campaign
_REFILL_S = 60.0  # candidates older than this are re-selected (each is re-checked when used): a callback
# or retry falling due, or a zone's window opening, is found within a minute
#: a predictive campaign is paced at most this often (its forecast looks ahead; answers are connected at
#: once regardless); the other modes pace on every tick (an agent freed is dialled for at once)
_PREDICTIVE_PACE_S = 2.0
_IDLE_PACE_S = 5.0  # the other modes re-pace at least this often without any event
_METER_S = 900.0  # inbound arrival rate window
_RATE_S = 60.0  # dial rate window
_RINGING, _WAITING = AttemptState.RINGING, AttemptState.WAITING


class DialingService(PreviewActions, ManualDialActions):
    def __init__(self, runner: EngineRunner, telephony: Telephony, repo: DialerRepository, clock: Clock, *,
                 call_ids: Callable[[], str] | None = None, dispose: Dispose | None = None) -> None:
        self.runner = runner
        #: applies an agent's wrap-up disposition to a record (the campaign service's, which also puts
        #: 'dnc' numbers on the list); None: the loop applies ``apply_disposition`` itself
        self.dispose = dispose
        self.telephony = telephony
        self.repo = repo
        self.clock = clock
        self.lock = threading.RLock()
        self.runs: dict[str, Run] = {}
        self._calls: dict[str, DialAttempt] = {}  # every call in flight or connected, by id
        self._inbox: deque[ev.Event] = deque()
        self._pending: list[ev.Event] = []
        self._changed = True  # something happened since the last pacing (events, actions)
        self._arrivals: dict[str, deque[float]] = {}
        self._inbound_aht: dict[str, OutcomeEstimator] = {}
        seq = itertools.count(1)
        self._call_ids = call_ids or (lambda: f"dl-{next(seq)}")
        self.ticker: Periodic | None = None  # the live tick job on the server's Scheduler (bootstrap.dialing)
        telephony.on_event(self.on_telephony)

    # ------------------------------------------------------------------ campaign control

    def on_campaign_state(self, config: CampaignConfig, state: str) -> None:
        """Hook for ``CampaignService.on_state``: that service records the state change itself."""
        if state == "running":
            self.start(config, announce=False)
        elif state in ("paused", "stopped") and config.id in self.runs:
            self.pause(config.id, state, announce=False)

    def start(self, config: CampaignConfig, *, announce: bool = True) -> None:
        """Start (or resume, or update the configuration of) dialling for ``config``; ``announce``
        records a CampaignStateChanged event (off when the campaign service already did)."""
        with self.lock:
            run = self.runs.get(config.id)
            if run is None:
                run = Run(config, state="stopped", estimator=OutcomeEstimator(ring_timeout_s=config.ring_timeout_s),
                          controller=AlphaController(config.abandon_target))
                self.runs[config.id] = run
            run.config = config
            run.controller.target = config.abandon_target
            self._changed = True
            if run.state != "running":
                run.state = "running"
                if announce:
                    self._pending.append(dev.CampaignStateChanged(campaign_id=config.id, state="running",
                                                                  at=self.clock.now()))
                self._run(None)

    def pause(self, campaign_id: str, state: str = "paused", *, announce: bool = True) -> None:
        """Stop placing new calls (calls in flight finish normally). ``state``: paused or stopped."""
        with self.lock:
            run = self._get(campaign_id)
            if run.state == state:
                return
            run.state = state
            for agent_id in list(run.previews):
                self._release(run, run.previews.pop(agent_id), agent_id)
            if announce:
                self._pending.append(dev.CampaignStateChanged(campaign_id=campaign_id, state=state,
                                                              at=self.clock.now()))
            self._run(None)

    def stop(self, campaign_id: str) -> None:
        self.pause(campaign_id, "stopped")

    def sync(self, running: list[CampaignConfig], state_of: Callable[[str], str]) -> None:
        """Dial exactly the ``running`` campaigns (a node that just took over: the old leader may have started
        or paused some since this process started); the others pause or stop as ``state_of`` says. No event
        is recorded: the campaign service recorded each change when it was made."""
        ids = {c.id for c in running}
        for config in running:
            self.start(config, announce=False)
        with self.lock:
            off = [cid for cid, run in self.runs.items() if run.state == "running" and cid not in ids]
        for cid in off:
            self.pause(cid, "paused" if state_of(cid) == "paused" else "stopped", announce=False)

    def _get(self, campaign_id: str) -> Run:
        run = self.runs.get(campaign_id)
        if run is None:
            raise NotFound(f"campaign {campaign_id} is not started")
        return run

    # ------------------------------------------------------------------ engine plumbing

    def _run(self, command: Command | None) -> list[ev.Event]:
        """Run ``command`` as the engine's writer; pending dialer events are stored with its events."""
        taken = len(self._pending)
        if taken:
            record = AppendEvents(tuple(self._pending))
            command = record if command is None else Batch((command, record))
        elif command is None:
            return []
        events = self.runner.execute(command)
        del self._pending[:taken]  # stored; kept for the next command if it was refused or not stored
        return events

    # ------------------------------------------------------------------ observing the engine

    def observe(self, events: Iterable[ev.Event]) -> None:
        """Engine events of the centre (queued; processed on the next tick or action)."""
        self._inbox.extend(events)

    def _drain(self) -> None:
        if self._inbox:
            self._changed = True
        while self._inbox:
            e = self._inbox.popleft()
            if isinstance(e, ev.WrapUpCompleted):
                for run in self.runs.values():
                    if run.config.queue_id == e.queue_id:
                        run.estimator.record_handle(e.talk_s + e.hold_s, e.acw_s)
                if e.contact_id not in self._calls:
                    self._inbound_aht.setdefault(e.queue_id, OutcomeEstimator()).record_handle(
                        e.talk_s + e.hold_s, e.acw_s)
                call = self._calls.get(e.contact_id)
                if call is not None:
                    self._disposition(call, e)
            elif isinstance(e, ev.ContactClosed):
                call = self._calls.pop(e.contact_id, None)
                if call is not None:
                    call.move(AttemptState.FINISHED)
                    owner = self.runs.get(call.campaign_id)
                    if owner is not None:
                        owner.calls.pop(call.call_id, None)
            elif isinstance(e, ev.ContactEnded):
                call = self._calls.get(e.contact_id)
                if call is not None and e.reason == "agent":
                    self.telephony.hangup(call.call_id)  # the agent ended the call (a transfer keeps it up)
            elif isinstance(e, ev.ContactQueued) and e.reason == "new":
                self._arrivals.setdefault(e.queue_id, deque()).append(e.at)

    def _disposition(self, call: DialAttempt, e: ev.WrapUpCompleted) -> None:
        run = self.runs.get(call.campaign_id)
        if run is None or not e.disposition:
            return
        callback_at, personal = call.callback if call.callback is not None else (None, None)
        call.callback = None
        if self.dispose is not None:
            try:
                self.dispose(call.campaign_id, call.record.record_id, e.disposition, callback_at, personal)
            except Exception as exc:  # a bad code must not stop the loop; the agent's wrap-up stands
                log.warning("disposition %r of %s not applied: %s", e.disposition, call.call_id, exc)
            return
        record = self.repo.get_record(call.campaign_id, call.record.record_id) or call.record
        try:
            updated = apply_disposition(record, e.disposition, run.config, e.at, callback_at, personal)
        except ValueError as exc:
            log.warning("disposition %r of %s not applied: %s", e.disposition, call.call_id, exc)
            return
        self._save(run, updated, e.disposition, e.at)

    def _inbound(self, queue_id: str, waiting: int, now: float) -> InboundLoad:
        arrivals = self._arrivals.get(queue_id)
        rate = 0.0
        if arrivals:
            while arrivals and arrivals[0] < now - _METER_S:
                arrivals.popleft()
            rate = len(arrivals) / _METER_S
        aht = self._inbound_aht.get(queue_id)
        return InboundLoad(waiting=waiting, rate_per_s=rate,
                           aht_s=aht.handle.mean() if aht is not None and len(aht.handle) else 180.0)

    # ------------------------------------------------------------------ the loop

    def next_due(self) -> float | None:
        """When the earliest 2-second deadline of a waiting answer falls (the driver ticks then)."""
        with self.lock:
            due = [c.deadline for c in self._calls.values() if c.state is _WAITING and c.deadline is not None]
            return min(due) if due else None

    def tick(self) -> None:
        """Expire waiting answers, connect the ones an agent can take, pace and dial every campaign."""
        with self.lock:
            self._drain()
            now = self.clock.now()
            self._connect_waiting(now)
            for call in [c for c in self._calls.values() if c.state is _WAITING]:
                if call.deadline is not None and call.deadline <= now:
                    self._abandon(call, "no_agent", now)
            changed = self._changed
            pools: dict[str, list[Run]] = {}
            for run in self.runs.values():
                if run.state == "running" and run.config.mode != "preview":
                    pools.setdefault(run.config.queue_id, []).append(run)
            for queue_id, runs in pools.items():
                due = [r for r in runs if self._due(r, now)]
                if not due:
                    continue
                if len(runs) == 1:
                    due[0].paced_at = now
                    self._pace(due[0], now)
                else:
                    self._pace_shared(queue_id, runs, due, now)
            if changed:
                self._changed = False
            self._run(None)

    def _pool(self, queue_id: str, with_busy: bool, with_tied: bool) -> PoolSnapshot:
        """The pool as the dialer needs it: free agents always; busy agents for predictive; the agents
        tied up in outbound for the inbound SL guard (only when the queue has inbound traffic)."""
        calls = self._calls
        return self.runner.query(lambda engine, now: read_pool(engine, now, queue_id, calls, with_busy, with_tied))

    def _due(self, run: Run, now: float) -> bool:
        if run.config.mode == "predictive":
            return now >= run.paced_at + _PREDICTIVE_PACE_S  # its forecast moves with time
        # the others only change with events (or records falling due: every few seconds)
        return self._changed or now >= run.paced_at + _IDLE_PACE_S

    def _pace_shared(self, queue_id: str, runs: list[Run], due: list[Run], now: float) -> None:
        """Campaigns on one agent pool, blended once, share it by ``pool_weight`` (progressive: its free
        agents, round robin; power/predictive: a weight share, seeing every campaign's calls in flight)
        so together they never dial for more agents than it has (docs/dialer.md, ADR 0010)."""
        configs = [r.config for r in runs]
        guard = any(c.inbound_sl_guard for c in configs)
        pool = self._pool(queue_id, with_busy=any(c.mode == "predictive" for c in configs),
                          with_tied=guard and bool(self._arrivals.get(queue_id)))
        inbound = self._inbound(queue_id, pool.inbound_waiting, now)
        blend = outbound_usable(free=len(pool.free), on_inbound_or_idle=pool.logged_in - pool.outbound_tied,
                                inbound=inbound, reserve=max(c.reserve_inbound_agents for c in configs),
                                sl_guard=guard)
        usable = pool.free[:blend.usable]
        sharing = [r for r in runs if r.candidates or r.candidates_at < now - _REFILL_S] or runs
        weights = [r.config.pool_weight for r in sharing]
        credits = [r.pool_credit for r in sharing]
        parts = share_pool(usable, weights, credits)
        for r, credit in zip(sharing, credits, strict=True):
            r.pool_credit = credit
        total = sum(weights)
        note = f"shared pool: {len(sharing)} of {len(runs)} campaigns"
        if blend.usable < len(pool.free):
            note += f"; blending: {blend.reason}"
        for run, part in zip(sharing, parts, strict=True):
            if run not in due:
                continue
            run.paced_at = now
            flying = [c for r in runs for c in r.calls.values() if c.state in IN_FLIGHT]
            others = [c for c in flying if c.campaign_id != run.config.id]
            free = part if run.config.mode == "progressive" else usable
            self._pace(run, now, PoolSnapshot(free, pool.busy, pool.logged_in, pool.outbound_tied,
                                              pool.inbound_waiting), len(flying), note,
                       share=run.config.pool_weight / total, others=others)
        for run in due:
            if run not in sharing:
                run.paced_at = now
                run.last = PacingDecision(0, run.config.mode, reason="no records (shared pool)")

    def _pace(self, run: Run, now: float, part: PoolSnapshot | None = None, in_pool: int = 0,
              note: str = "", share: float = 1.0, others: Sequence[DialAttempt] = ()) -> None:
        """Pace one campaign: on its own pool (``part`` None), or on a shared pool (``part``: its
        blended free agents; ``in_pool``: calls in flight of every campaign on it; ``share`` and
        ``others``, the other campaigns' calls in flight, for power and predictive)."""
        config = run.config
        mine = [c for c in run.calls.values() if c.state in IN_FLIGHT]
        if part is None:
            pool = self._pool(config.queue_id, with_busy=config.mode == "predictive",
                              with_tied=config.inbound_sl_guard and bool(self._arrivals.get(config.queue_id)))
            inbound = self._inbound(config.queue_id, pool.inbound_waiting, now)
            blend = outbound_usable(free=len(pool.free), on_inbound_or_idle=pool.logged_in - pool.outbound_tied,
                                    inbound=inbound, reserve=config.reserve_inbound_agents,
                                    sl_guard=config.inbound_sl_guard)
            usable, in_pool = blend.usable, len(mine)
            if blend.usable < len(pool.free):
                note = f"blending: {blend.reason}"
        else:
            pool, usable = part, len(part.free)
        flight = FlightView(ringing=[now - c.placed_at for c in mine if c.state is _RINGING and c.agent_id is None],
                            waiting=sum(1 for c in mine if c.state is _WAITING),
                            reserved=sum(1 for c in mine if c.agent_id is not None),
                            dial_rate=run.dial_rate(now, _RATE_S))
        headroom = run.ledger.headroom(now, window_s(config.regulatory_mode), config.abandon_cap)
        lines = max(0, 4 * pool.logged_in - in_pool)
        view = PoolView(usable, pool.busy, share, [now - c.placed_at for c in others if c.state is _RINGING
                                                   and c.agent_id is None],
                        sum(1 for c in others if c.state is _WAITING))
        decision = pace(config, view, flight, estimator=run.estimator,
                        alpha=run.controller.alpha, headroom=headroom, max_calls=lines)
        if note:
            decision = PacingDecision(decision.calls, decision.mode, decision.governed, decision.risk,
                                      decision.p_live, f"{decision.reason}; {note}")
        run.last = decision
        if decision.calls <= 0:
            return
        records = self._take_records(run, now, decision.calls)
        if config.mode == "progressive":
            for agent_id, record in zip(pool.free[:usable], records, strict=False):
                self._place(run, record, now, agent_id)
        else:
            for record in records:
                self._place(run, record, now, None)

    # ------------------------------------------------------------------ records

    def _take_records(self, run: Run, now: float, n: int, agent_id: str | None = None) -> list[DialRecord]:
        """Up to ``n`` records to dial now: from the validated buffer, each re-read and re-checked."""
        out: list[DialRecord] = []
        for attempt in range(2):
            if attempt == 1 or not run.candidates or run.candidates_at < now - _REFILL_S:
                if attempt == 1 and run.candidates_at >= now - 1.0:
                    break  # just refilled: nothing more is diallable
                self._refill(run, now, agent_id)
            while run.candidates and len(out) < n:
                cand = run.candidates.popleft()
                fresh = self.repo.get_record(cand.campaign_id, cand.record_id)
                if fresh is None or (agent_id, fresh.record_id) in run.skipped:
                    continue
                if why_not(fresh, run.config, run.dnc, now, agent_id=agent_id) is None:
                    out.append(fresh)
            if len(out) >= n:
                break
        return out

    def _refill(self, run: Run, now: float, agent_id: str | None) -> None:
        """Re-select the buffer with the campaign service's selection: only callee zones whose window
        is open, page by page in selection order (due callbacks first), so closed zones at the head of
        a list, or a callback far down it, never stall the open records."""
        run.dnc = self.repo.dnc_numbers(run.config.id)
        busy = run.busy_records()
        rows = select_records(self.repo, run.config, now, _BUFFER + len(busy), agent_id=agent_id)
        run.candidates = deque(r for r in rows if r.record_id not in busy)
        run.candidates_at = now

    def _save(self, run: Run, record: DialRecord, reason: str | None, now: float) -> None:
        self.repo.put_records([record])
        self._pending.append(dev.RecordUpdated(campaign_id=run.config.id, record_id=record.record_id,
                                               state=record.state, attempts=record.attempts,
                                               next_attempt_at=record.next_attempt_at,
                                               reason=reason or record.final_reason, at=now))

    # ------------------------------------------------------------------ calls

    def _place(self, run: Run, record: DialRecord, now: float, agent_id: str | None,
               reserved: bool = False) -> str:
        config = run.config
        call_id = self._call_ids()
        dialing = start_attempt(record, now)
        self.repo.put_records([dialing])
        call = DialAttempt(call_id, config.id, dialing, now, agent_id)
        self._pending.append(dev.CallPlaced(campaign_id=config.id, call_id=call_id, record_id=record.record_id,
                                            phone=record.phone, mode=config.mode, agent_id=agent_id, at=now))
        if agent_id is not None and not reserved:
            try:
                self._run(ReserveOutbound(agent_id, config.id))
            except InvalidState:
                self.repo.put_records([record])  # the agent was taken meanwhile: not dialled
                self._pending.pop()
                return ""
        run.calls[call_id] = call
        self._calls[call_id] = call
        if agent_id is None:
            run.placed_at.append(now)
        run.bump("placed")
        try:
            self.telephony.place_call(call_id, record.phone, config.caller_id, config.ring_timeout_s,
                                      **({"amd": config.amd_settings} if config.amd else {}))
        except Exception:
            log.exception("placing call %s failed", call_id)
            self._failed(call, "failed", now)
        return call_id

    def on_telephony(self, event: TelephonyEvent) -> None:
        """Handler for the Telephony port's events."""
        with self.lock:
            self._drain()
            call = self._calls.get(event.call_id)
            if call is None:
                return
            self._changed = True
            now = self.clock.now()
            if event.kind == "answered":
                self._answered(call, event.answered_by or "unknown", now)
            elif event.kind in ("busy", "no_answer"):
                self._failed(call, event.kind, now)
            elif event.kind == "failed":
                self._failed(call, event.cause if event.cause in ("invalid", "disconnected") else "failed", now)
            elif event.kind == "hangup":
                self._hung_up(call, now)
            self._run(None)

    def _answered(self, call: DialAttempt, answered_by: str, now: float) -> None:
        run = self.runs[call.campaign_id]
        config = run.config
        self._pending.append(dev.CallAnswered(campaign_id=call.campaign_id, call_id=call.call_id,
                                              record_id=call.record.record_id, answered_by=answered_by, at=now))
        if config.amd and answered_by == "machine" and config.regulatory_mode == "uk":
            # Ofcom: a reasoned estimate of AMD false positives counts as abandoned live calls
            run.ledger.add(now, True, weight=config.amd_false_positive_rate)
        if config.amd and answered_by in ("machine", "fax"):
            if answered_by == "machine" and config.machine_action == "message" and config.machine_message:
                self.telephony.play(call.call_id, config.machine_message)
            self.telephony.hangup(call.call_id)
            self._failed(call, answered_by, now)
            return
        run.estimator.record_attempt(True, now - call.placed_at)
        call.move(_WAITING)
        call.answered_at = now
        call.deadline = now + config.connect_within_s
        self._try_connect(call, now)

    def _try_connect(self, call: DialAttempt, now: float) -> bool:
        run = self.runs[call.campaign_id]
        attrs: dict[str, Any] = {"campaign_id": call.campaign_id, "record_id": call.record.record_id,
                                 "phone": call.record.phone, **{f"field.{k}": v for k, v in call.record.fields.items()}}
        queue_id = run.config.queue_id
        for agent_id in ([call.agent_id, None] if call.agent_id is not None else [None]):
            try:
                events = self._run(ConnectOutbound(call.call_id, queue_id, agent_id=agent_id, attributes=attrs,
                                                   customer_id=manual_customer(call.record)))
            except (InvalidState, ValidationFailed, NotFound):
                continue
            agent = next(e.agent_id for e in events if isinstance(e, ev.ContactConnected))
            call.move(AttemptState.CONNECTED)
            answered = call.answered_at if call.answered_at is not None else now
            self._pending.append(dev.CallConnected(campaign_id=call.campaign_id, call_id=call.call_id,
                                                   record_id=call.record.record_id, contact_id=call.call_id,
                                                   agent_id=agent, wait_s=now - answered, at=now))
            run.ledger.add(answered, False)
            run.controller.observe(False)
            run.bump("connected")
            self._save(run, apply_outcome(call.record, Outcome.human, run.config, now), "connected", now)
            if call.agent_id is not None and agent != call.agent_id:
                self._release_agent(call.agent_id)
            return True
        return False

    def _connect_waiting(self, now: float) -> None:
        waiting = sorted((c for c in self._calls.values() if c.state is _WAITING),
                         key=lambda c: c.answered_at or 0.0)
        for call in waiting:
            if call.deadline is not None and call.deadline < now:
                continue  # too late: abandoned by the caller of this method
            if not self._try_connect(call, now) and call.agent_id is None:
                break  # nobody free for the oldest: nobody for the younger ones either

    def _abandon(self, call: DialAttempt, reason: str, now: float) -> None:
        run = self.runs[call.campaign_id]
        if reason == "no_agent":
            self.telephony.play(call.call_id, run.config.abandon_message)
            self.telephony.hangup(call.call_id)
        self._pending.append(dev.CallAbandoned(campaign_id=call.campaign_id, call_id=call.call_id,
                                               record_id=call.record.record_id, reason=reason, at=now))
        run.ledger.add(call.answered_at if call.answered_at is not None else now, True)
        run.controller.observe(True)
        run.bump("abandoned")
        self._finish(call, Outcome.abandoned, reason, now)

    def _failed(self, call: DialAttempt, outcome: str, now: float) -> None:
        run = self.runs[call.campaign_id]
        run.estimator.record_attempt(False, now - call.placed_at)
        self._pending.append(dev.CallFailed(campaign_id=call.campaign_id, call_id=call.call_id,
                                            record_id=call.record.record_id, outcome=outcome, at=now))
        run.bump(outcome)
        self._finish(call, Outcome(outcome), outcome, now)

    def _hung_up(self, call: DialAttempt, now: float) -> None:
        if call.state is AttemptState.CONNECTED:
            self._run(DisconnectCustomer(call.call_id, if_open=True))
        elif call.state is _WAITING:
            self._abandon(call, "caller_hangup", now)  # the callee gave up before an agent came
        else:
            self._failed(call, "failed", now)

    def _finish(self, call: DialAttempt, outcome: Outcome, reason: str, now: float) -> None:
        run = self.runs[call.campaign_id]
        call.move(AttemptState.FINISHED)
        run.calls.pop(call.call_id, None)
        self._calls.pop(call.call_id, None)
        self._save(run, apply_outcome(call.record, outcome, run.config, now), reason, now)
        if call.agent_id is not None:
            self._release_agent(call.agent_id)

    def stage_wrap_up(self, contact_id: str, agent_id: str, disposition: str | None,
                      callback_at: float | None, personal: bool) -> None:
        """Check a wrap-up before the engine completes it; keep a dialer call's callback time for its
        record (``personal``: this agent only). Raises ValidationFailed (see ``stage_callback``)."""
        with self.lock:
            stage_callback(self._calls, self.runs, contact_id, agent_id, disposition, callback_at, personal,
                           self.clock.now())

    # ------------------------------------------------------------------ views

    def campaigns_state(self) -> list[dict[str, Any]]:
        """Pacing state of every campaign the loop knows."""
        with self.lock:
            return [self.pacing_state(cid) for cid in sorted(self.runs)]

    def pacing_state(self, campaign_id: str) -> dict[str, Any]:
        """Live pacing state of one campaign (for supervisors and the API)."""
        with self.lock:
            self._drain()
            run = self._get(campaign_id)
            now = self.clock.now()
            return run.view(now)
