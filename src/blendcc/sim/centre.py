"""The simulated centre: a scenario's customers and agents driving the real routing ``Engine`` on the kernel.

    centre = SimCentre(scenario, seed=1, replication=0)
    result = centre.run()            # ReplicationResult: KPI rows from the live projections

Customers arrive (Poisson or replayed records), are created with ``Engine.create_contact`` and, if
still waiting when their patience runs out, leave with ``customer_left``. Agents log in and out
following their shifts or per-interval staffing, take breaks (aux), answer offers after their ring
delay (``accept``; an offer that rings out is the engine's ring-no-answer timer), talk for the
contact's handle time (``end``) and wrap up: timed by the queue's ``wrap_up_s`` (engine timer) or, when
the queue has none, after a sampled after-contact work (``wrap_up``). Everything else -- workflows,
skills, strategies, priorities, overflow, business hours -- is the engine's own doing.

Other drivers (history replay, dialer simulation) can reuse the pieces: ``SimCentre.kernel`` to
schedule their own actions, ``SimCentre.handle(events)`` to fold and react to engine events, and
``SimCentre.add_contact`` to inject a contact with a known handle time and patience.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from blendcc.domain import events as ev
from blendcc.domain.channels import Channel
from blendcc.domain.lifecycle.assignment import IN_CONVERSATION, AssignmentStage
from blendcc.domain.lifecycle.contact import UNANSWERED
from blendcc.domain.lifecycle.contact import ContactState as S
from blendcc.mypyc_hints import mypyc_attr
from blendcc.routing.engine import Engine
from blendcc.sim.collect import Collector, Rows
from blendcc.sim.distributions import Sampler
from blendcc.sim.kernel import Kernel, SimClock
from blendcc.sim.scenario import AgentGroup, ArrivalStream, Poisson, Scenario, Shift

SHIFT_END = "shift_end"


@dataclass
class ReplicationResult:
    """What one replication produced: KPI rows (see ``collect.Rows``), per-agent KPIs, run counts."""

    seed: str
    rows: Rows
    agents: dict[str, dict[str, Any]]
    arrivals: int
    finished: int
    open_at_end: int
    events: int
    sim_end: float
    extra: dict[str, Any] = field(default_factory=dict)


class _Agent:
    __slots__ = ("acw", "after_missed", "group", "id", "leaving", "ring", "ring_zero")

    def __init__(self, agent_id: str, group: AgentGroup, ring: Sampler, acw: Sampler) -> None:
        self.id = agent_id
        self.group = group
        self.ring = ring
        self.ring_zero = group.ring_delay.dist == "constant" and group.ring_delay.mean() == 0.0
        self.acw = acw
        self.after_missed = group.after_missed_s
        self.leaving = False


def _rng(seed: str, purpose: str) -> random.Random:
    return random.Random(f"{seed}:{purpose}")


@mypyc_attr(allow_interpreted_subclasses=True)  # subclassed by Python classes (ADR 0061)
class SimCentre:
    def __init__(self, scenario: Scenario, seed: int | str = 0, replication: int = 0) -> None:
        self.scenario = scenario
        self.seed = f"{seed}:{replication}"
        self.catalog = scenario.check()
        self.t0 = t0 = scenario.t0
        self.end_arrivals = t0 + scenario.duration_s
        self.horizon = t0 + scenario.horizon
        self.engine = Engine(self.catalog, t0)
        self.clock = SimClock(t0)
        self.kernel = Kernel(self.engine, self.handle, self.clock)
        self._thresholds: dict[tuple[str, str], tuple[float, float]] = {}
        known = self._thresholds

        def thresholds(queue_id: str, channel: str) -> tuple[float, float]:
            key = (queue_id, channel)
            th = known.get(key)
            if th is None:
                q = self.engine.queue(queue_id)
                th = self._thresholds[key] = (q.sl_threshold(Channel(channel)), q.short_abandon_s)
            return th

        self.collector = Collector(thresholds, scenario.report_interval_s)
        #: extra listeners for every batch of engine events (event logs, other drivers' projections)
        self.observers: list[Callable[[Sequence[ev.Event]], None]] = []
        #: contact id -> (handle time, after-contact work override or None)
        self._plan: dict[str, tuple[float, float | None]] = {}
        self.arrivals = 0
        self.finished = 0
        self.sim_agents: dict[str, _Agent] = {}
        for g in scenario.agents:  # one stream per group and purpose: changing one leaves the others' draws
            ring = g.ring_delay.sampler(_rng(self.seed, f"ring:{g.name}"))
            acw = g.acw.sampler(_rng(self.seed, f"acw:{g.name}"))
            for aid in g.agent_ids():
                self.sim_agents[aid] = _Agent(aid, g, ring, acw)
        self._react: dict[type[ev.Event], Callable[[Any], None]] = {
            ev.ContactOffered: self._on_offered,
            ev.ContactConnected: self._on_connected,
            ev.ContactEnded: self._on_ended,
            ev.ContactClosed: self._on_closed,
            ev.AgentStatusChanged: self._on_status,
            ev.WrapUpCompleted: self._on_wrapped,
        }
        self._schedule_agents()
        for stream in scenario.arrivals:
            self._start_stream(stream)

    # ------------------------------------------------------------------ running

    def run(self, progress: Callable[[float], None] | None = None, steps: int = 50) -> ReplicationResult:
        """Run to the end; ``progress(fraction)`` is called ``steps`` times along the arrival window."""
        if progress is not None:
            span = self.end_arrivals - self.t0
            for k in range(1, steps + 1):
                self.kernel.run(min(self.horizon, self.t0 + span * k / steps))
                progress(k / (steps + 1))  # the drain after the window is the last step
        end = self.kernel.run(self.horizon)
        end = max(end, self.end_arrivals)
        self.collector.close(end)
        open_now = len(self._plan)
        return ReplicationResult(
            seed=self.seed, rows=self.collector.rows(), agents=self.collector.agents(),
            arrivals=self.arrivals, finished=self.finished, open_at_end=open_now,
            events=self.collector.events, sim_end=end - self.t0,
        )

    def handle(self, events: Sequence[ev.Event]) -> None:
        """Fold a command's events into the KPIs, then let simulated people react to them."""
        self.collector.fold(events)
        if self.observers:
            for observer in self.observers:
                observer(events)
        react = self._react
        for e in events:
            fn = react.get(type(e))
            if fn is not None:
                fn(e)

    # ------------------------------------------------------------------ customers

    def _start_stream(self, stream: ArrivalStream) -> None:
        handle = stream.handle.sampler(_rng(self.seed, f"handle:{stream.name}"))
        patience = stream.patience.sampler(_rng(self.seed, f"patience:{stream.name}"))
        stream_acw = None if stream.acw is None else stream.acw.sampler(_rng(self.seed, f"stream-acw:{stream.name}"))
        times = self._times(stream)
        channel = stream.channel.value
        name = stream.name
        attrs = stream.attributes
        t0 = self.t0
        counter = iter(range(1, 1 << 62))
        kernel = self.kernel

        def arrive(record: Any) -> None:
            rec = record[1]
            n = next(counter)
            h = rec.handle_s if rec is not None and rec.handle_s is not None else handle()
            p = rec.patience_s if rec is not None and rec.patience_s is not None else patience()
            acw = rec.acw_s if rec is not None else None
            if acw is None and stream_acw is not None:
                acw = stream_acw()
            a = {**attrs, **rec.attributes} if rec is not None and rec.attributes else attrs
            prio = rec.priority if rec is not None and rec.priority is not None else stream.priority
            self.add_contact(f"{name}-{n}", channel, float(h or 0.0), p, acw, a, prio, stream.workflow_id)
            nxt = next(times, None)
            if nxt is not None:
                kernel.at(t0 + nxt[0], arrive, nxt)

        first = next(times, None)
        if first is not None:
            kernel.at(t0 + first[0], arrive, first)

    def _times(self, stream: ArrivalStream) -> Iterator[tuple[float, Any]]:
        """(seconds from start, replay record or None) in time order, within the arrival window."""
        process = stream.process
        limit = self.scenario.duration_s
        if isinstance(process, Poisson):
            rng = _rng(self.seed, f"arrivals:{stream.name}")
            return _poisson(process, min(limit, process.end_s or limit), rng)
        return ((r.t_s, r) for r in process.records() if r.t_s < limit)

    def add_contact(self, contact_id: str, channel: str, handle_s: float, patience_s: float | None,
                    acw_s: float | None = None, attributes: dict[str, Any] | None = None, priority: int = 0,
                    workflow_id: str | None = None) -> None:
        """A customer arrives now: talk ``handle_s`` once connected, leave after ``patience_s`` waiting."""
        now = self.clock.t
        self.arrivals += 1
        self._plan[contact_id] = (handle_s, acw_s)
        self.handle(self.engine.create_contact(contact_id, channel, now, attributes=attributes,
                                               priority=priority, workflow_id=workflow_id))
        if patience_s is not None:
            c = self.engine.contacts.get(contact_id)
            if c is not None and c.state in UNANSWERED:  # answered at once: patience no longer matters
                self.kernel.at(now + patience_s, self._patience_out, contact_id)

    def _patience_out(self, contact_id: str) -> None:
        c = self.engine.contacts.get(contact_id)
        if c is not None and c.state in UNANSWERED:
            self.handle(self.engine.customer_left(contact_id, self.clock.t))

    # ------------------------------------------------------------------ agents answering

    def _on_offered(self, e: ev.ContactOffered) -> None:
        agent = self.sim_agents.get(e.agent_id)
        if agent is None:
            return
        job = (e.contact_id, e.agent_id, e.expires_at)
        if agent.ring_zero:
            self._accept(job)
        else:
            self.kernel.at(self.clock.t + float(agent.ring() or 0.0), self._accept, job)

    def _accept(self, job: tuple[str, str, float]) -> None:
        cid, aid, expires = job
        c = self.engine.contacts.get(cid)
        if c is None or c.state is not S.OFFERED or c.agent_id != aid or c.offer_expires != expires:
            return  # rang out, customer left, or moved meanwhile
        self.handle(self.engine.accept(cid, aid, self.clock.t))

    def _on_connected(self, e: ev.ContactConnected) -> None:
        plan = self._plan.get(e.contact_id)
        if plan is not None:
            self.kernel.at(e.at + plan[0], self._end, (e.contact_id, e.agent_id))

    def _end(self, job: tuple[str, str]) -> None:
        cid, aid = job
        agent = self.engine.agents.get(aid)
        asg = agent.work.get(cid) if agent is not None else None
        if asg is not None and asg.stage in IN_CONVERSATION:
            self.handle(self.engine.end(cid, aid, self.clock.t))

    def _on_ended(self, e: ev.ContactEnded) -> None:
        if e.wrap_up_until is not None:
            return  # timed wrap-up: the engine's timer completes it
        agent = self.sim_agents.get(e.agent_id)
        plan = self._plan.get(e.contact_id)
        acw = plan[1] if plan is not None and plan[1] is not None else (agent.acw() if agent else 0.0)
        self.kernel.at(e.at + float(acw or 0.0), self._wrap, (e.contact_id, e.agent_id))

    def _wrap(self, job: tuple[str, str]) -> None:
        cid, aid = job
        agent = self.engine.agents.get(aid)
        asg = agent.work.get(cid) if agent is not None else None
        if asg is not None and asg.stage is AssignmentStage.WRAP_UP:
            self.handle(self.engine.wrap_up(cid, aid, self.clock.t))

    def _on_closed(self, e: ev.ContactClosed) -> None:
        if self._plan.pop(e.contact_id, None) is not None:
            self.finished += 1

    def _on_status(self, e: ev.AgentStatusChanged) -> None:
        if e.status == "aux" and e.reason == "missed":
            agent = self.sim_agents.get(e.agent_id)
            if agent is not None and not agent.leaving:
                self.kernel.at(e.at + agent.after_missed, self._back_from, (e.agent_id, "missed"))

    def _on_wrapped(self, e: ev.WrapUpCompleted) -> None:
        agent = self.sim_agents.get(e.agent_id)
        if agent is not None and agent.leaving:
            self._try_logout(agent)

    # ------------------------------------------------------------------ shifts and staffing

    def _schedule_agents(self) -> None:
        t0 = self.t0
        at = self.kernel.at
        for g in self.scenario.agents:
            ids = g.agent_ids()
            if g.staffing is not None:
                st = g.staffing
                for i, n in enumerate(st.counts):
                    at(t0 + i * st.interval_s, self._staff, (ids, n))
                continue
            shifts: list[Shift | None] = list(g.shifts) if g.shifts else [None]
            for shift in shifts:
                for aid in ids:
                    at(t0 + (shift.start_s if shift else 0.0), self._login, aid)
                    if shift is None:
                        continue
                    for b in shift.breaks:
                        at(t0 + b.start_s, self._break, (aid, b.reason))
                        at(t0 + b.start_s + b.duration_s, self._back_from, (aid, b.reason))
                    if shift.end_s is not None:
                        at(t0 + shift.end_s, self._leave, aid)

    def _login(self, aid: str) -> None:
        sim = self.sim_agents[aid]
        record = self.engine.agents[aid]
        if record.logged_in:
            if sim.leaving:  # a new shift starts before the last one's contact ended: stay
                sim.leaving = False
                self.handle(self.engine.set_status(aid, "available", self.clock.t))
            return
        sim.leaving = False
        self.handle(self.engine.login(aid, self.clock.t))

    def _break(self, job: tuple[str, str]) -> None:
        aid, reason = job
        if self.engine.agents[aid].logged_in and not self.sim_agents[aid].leaving:
            self.handle(self.engine.set_status(aid, "aux", self.clock.t, reason=reason))

    def _back_from(self, job: tuple[str, str]) -> None:
        aid, reason = job
        record = self.engine.agents[aid]
        if (record.logged_in and not self.sim_agents[aid].leaving and record.presence.value == "aux"
                and record.aux_reason == reason):
            self.handle(self.engine.set_status(aid, "available", self.clock.t))

    def _leave(self, aid: str) -> None:
        """End of shift: log out now if nothing is in progress, else go aux and log out when done."""
        sim = self.sim_agents[aid]
        record = self.engine.agents[aid]
        if not record.logged_in:
            return
        sim.leaving = True
        if not self._try_logout(sim) and not (record.presence.value == "aux" and record.aux_reason == SHIFT_END):
            self.handle(self.engine.set_status(aid, "aux", self.clock.t, reason=SHIFT_END))

    def _try_logout(self, sim: _Agent) -> bool:
        record = self.engine.agents[sim.id]
        if any(asg.stage is not AssignmentStage.RESERVED for asg in record.work.values()):
            return False
        sim.leaving = False
        self.handle(self.engine.logout(sim.id, self.clock.t))
        return True

    def _staff(self, job: tuple[list[str], int]) -> None:
        ids, target = job
        agents = self.engine.agents
        on = [a for a in ids if agents[a].logged_in and not self.sim_agents[a].leaving]
        if len(on) < target:
            need = target - len(on)
            leaving = [a for a in ids if agents[a].logged_in and self.sim_agents[a].leaving]
            off = [a for a in ids if not agents[a].logged_in]
            for aid in (leaving + off)[:need]:
                self._login(aid)
        elif len(on) > target:
            # idle agents leave first, then those whose work ends soonest is unknown: take the latest in
            on.sort(key=lambda a: (bool(agents[a].work), ids.index(a)))
            for aid in on[: len(on) - target]:
                self._leave(aid)


def _poisson(p: Poisson, end_s: float, rng: random.Random) -> Iterator[tuple[float, None]]:
    """Arrival times of a (piecewise-constant rate) Poisson process in [start_s, end_s)."""
    expo = rng.expovariate
    limit = p.max_arrivals
    n = 0
    t = p.start_s
    if p.rate_per_s is not None:
        rate = p.rate_per_s
        while True:
            t += expo(rate)
            if t >= end_s or (limit is not None and n >= limit):
                return
            n += 1
            yield (t, None)
    assert p.per_interval is not None and p.interval_s is not None
    width = p.interval_s
    for i, expected in enumerate(p.per_interval):
        lo = p.start_s + i * width
        hi = min(lo + width, end_s)
        if lo >= end_s:
            return
        rate = expected / width
        if rate <= 0.0:  # none expected (or a rate too small for a float)
            continue
        t = lo
        while True:
            t += expo(rate)  # memoryless: restarting at each interval boundary is exact
            if t >= hi:
                break
            if limit is not None and n >= limit:
                return
            n += 1
            yield (t, None)


def check_scenario(scenario: Scenario) -> None:
    """Raise ValidationFailed if the scenario cannot run (centre cross-checks, workflows per channel)."""
    scenario.check()
