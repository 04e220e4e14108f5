"""History replay: recorded calls -> actual queue KPIs, a replay scenario, and simulated-vs-actual per day.

Actual and simulated KPIs are computed the same way: queue events are folded by
``analytics.queue_stats`` into counters and read through ``queue_kpis`` (one definition per metric).
For the recorded calls the events are rebuilt from each offered call (queued at its queue entry,
connected or abandoned when its wait ended, wrap-up complete when its service ended); for the
simulation they are the events the real routing engine emitted.

The record time scale is local wall-clock seconds since 1970 (no time zone); the replay scenario
starts at the first day's midnight on that scale, so simulated events land on the same days.
"""

from __future__ import annotations

import math
import os
import random
import threading
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from multiprocessing import get_context
from typing import Any, Literal

from scipy.stats import t as student_t

from blendcc.adapters.importers.bank1999 import CallRecord, Outcome, day_events
from blendcc.analytics import queue_stats as qs
from blendcc.analytics.survival import SurvivalCurve
from blendcc.domain import events as ev
from blendcc.domain.channels import Channel
from blendcc.domain.errors import ValidationFailed
from blendcc.domain.queue import QueueConfig
from blendcc.routing.catalog import RoutingSettings
from blendcc.routing.workflow import Filter, Target, Workflow
from blendcc.sim.calibration import (
    DEFAULT_GAP_S,
    agent_call_types,
    offered,
    patience_curve,
    replay_patience,
    spread,
    staffing,
    unavailable_gaps,
)
from blendcc.sim.centre import SimCentre
from blendcc.sim.collect import ALL_QUEUES
from blendcc.sim.distributions import ZERO, Distribution, Empirical
from blendcc.sim.queue_order import head_starts_by_day
from blendcc.sim.scenario import (
    AgentGroup,
    ArrivalStream,
    Break,
    Centre,
    Replay,
    ReplayContact,
    Scenario,
    Shift,
    Staffing,
)
from blendcc.sim.unavailability import agent_breaks, day_type, patience_curves, session_gaps, sessions_by_day_type

QUEUE_ID = "bank"
CHANNEL = Channel.VOICE.value
DAY_S = 86_400
KPI_KEYS = ("offered", "handled", "abandoned", "short_abandoned", "abandon_rate", "asa_s", "service_level",
            "aht_s", "avg_talk_s", "avg_acw_s", "avg_abandon_wait_s")


def default_queue() -> QueueConfig:
    """The replayed queue: blendcc's defaults (SL threshold of voice, 5 s short abandons), wrap-up
    ended by the simulated agent (after-call work inferred by calibration, not a timed wrap-up) and
    no ring-no-answer (service starts when the wait ends)."""
    return QueueConfig(id=QUEUE_ID, name="Anonymous Bank 1999", wrap_up_s=None, offer_timeout_s=3600.0)


def thresholds_for(queue: QueueConfig) -> qs.Thresholds:
    sl = queue.sl_threshold(Channel.VOICE)
    short = queue.short_abandon_s
    return lambda _q, _ch: (sl, short)


def actual_events(records: Iterable[CallRecord], queue_id: str = QUEUE_ID) -> list[ev.Event]:
    """The recorded offered calls' lifecycle events (the ones ``blendcc import bank1999`` stores), in
    time order, on the record time scale."""
    return day_events((r for r in records if r.offered), 0.0, queue_id)


def day_of(at: float) -> date:
    return date(1970, 1, 1) + timedelta(days=int(at // DAY_S))


def daily_counters(events: Iterable[ev.Event], thresholds: qs.Thresholds) -> dict[date, qs.QueueCounters]:
    """Queue counters per day (the day the call entered the queue), summed over queues and channels."""
    table = qs.fold(events, thresholds)
    out: dict[date, qs.QueueCounters] = {}
    for (start, _q, _ch), counters in qs.rollup(table, DAY_S).items():
        acc = out.setdefault(day_of(start), qs.QueueCounters())
        acc.merge(counters)
    return dict(sorted(out.items()))


def total(counters: Iterable[qs.QueueCounters]) -> qs.QueueCounters:
    acc = qs.QueueCounters()
    for c in counters:
        acc.merge(c)
    return acc


def kpis(counters: qs.QueueCounters) -> dict[str, Any]:
    k = qs.queue_kpis(counters)
    return {key: k[key] for key in KPI_KEYS}


@dataclass(frozen=True)
class DayComparison:
    """Actual and simulated KPIs of one day (``simulated`` is the mean over replications; ``spread``
    the half-width of its 95% confidence interval per KPI, None with one replication)."""

    day: date | None  # None: the month total
    actual: dict[str, Any]
    simulated: dict[str, Any]
    spread: dict[str, float | None]


def select_days(records: Sequence[CallRecord], days: Iterable[date] | None) -> list[CallRecord]:
    if days is None:
        return list(records)
    wanted = set(days)
    return [r for r in records if r.day in wanted]


# ---------------------------------------------------------------------------------------- replay

ReplayStaffing = Literal["sessions", "presence", "distinct", "busy"]
REPLAY_STAFFING: tuple[ReplayStaffing, ...] = ("sessions", "presence", "distinct", "busy")
#: The bank gives priority-2 callers "about 1.5 min head start in queue" (data README); the model before
#: issue 19's second round used it on every day.
HEAD_START_S = 90.0
#: with head starts learnt per day, one blendcc priority level is worth this many seconds (a call's
#: priority is its day's head start in these steps: up to 100 levels, 600 s)
HEAD_START_STEP_S = 6.0
HeadStarts = dict[date, float]


@dataclass(frozen=True)
class ReplayOptions:
    """How the month is replayed. ``staffing``: ``presence`` (default) staffs each ``interval_s`` with
    the time-weighted number of agents inferred present (presence sessions, less the ``breaks``, rounded
    to whole agents); ``distinct`` and ``busy`` are the upper and lower bounds (``calibration.staffing``);
    ``sessions`` logs each named agent in for their own presence sessions, with their breaks. The
    defaults are the ones that reproduced January best, with the head start the log shows per day
    (docs/history-replay.md, ADR 0062); ``breaks=False,
    by_day_type=False, interval_s=1800, head_start_s=90`` is the model before them."""

    staffing: ReplayStaffing = "presence"
    #: after-call work drawn from ``calibration.unavailable_gaps`` (False: agents are free at once)
    wrap_up: bool = True
    #: with ``sessions`` staffing: a call of type T goes only to agents who served type T regularly
    #: (``calibration.agent_call_types``); False pools every agent for every call
    skills: bool = False
    gap_s: float = DEFAULT_GAP_S
    #: agents unavailable while callers waited in their gaps between calls (``unavailability.agent_breaks``)
    breaks: bool = True
    #: session gap and patience per day type (``unavailability.day_type``); False: the month's for every day
    by_day_type: bool = True
    #: staffing interval of ``presence`` (5 minutes: breaks and session edges keep their timing)
    interval_s: float = 300.0
    #: the high-priority head start in queue (s); None: learnt per day from the log's own answer order
    #: (``queue_order.head_starts_by_day``)
    head_start_s: float | None = None


def _start_of(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


Curves = SurvivalCurve | dict[str, SurvivalCurve]


def _curve(curves: Curves, day: date) -> SurvivalCurve:
    return curves if isinstance(curves, SurvivalCurve) else curves[day_type(day)]


def _sessions(records: Sequence[CallRecord], options: ReplayOptions) -> tuple[list[tuple[str, float, float]],
                                                                             list[tuple[str, float, float]]]:
    """Presence sessions and breaks (agent, start, end) on the record time scale."""
    gaps = (session_gaps(records, options.gap_s) if options.by_day_type
            else {kind: options.gap_s for kind in ("sun-thu", "fri", "sat")})
    sessions = sessions_by_day_type(records, gaps)
    breaks = ([(b.agent, b.start, b.end) for b in agent_breaks(records, lambda d: gaps[day_type(d)])]
              if options.breaks else [])
    return sessions, breaks


def _agents(records: Sequence[CallRecord], t0: float, options: ReplayOptions) -> list[AgentGroup]:
    gaps = unavailable_gaps(records, options.gap_s) if options.wrap_up else []
    acw: Distribution = Empirical(dist="empirical", values_s=gaps) if gaps else ZERO
    if options.staffing in ("sessions", "presence"):
        sessions, breaks = _sessions(records, options)
    if options.staffing == "sessions":
        shifts = _shifts(sessions, breaks, t0)
        types = agent_call_types(records) if options.skills else {}
        return [AgentGroup(name=f"agent{i}", ids=[agent], queues=[QUEUE_ID], shifts=agent_shifts, acw=acw,
                           skills={_skill(t): 1 for t in sorted(types.get(agent, ()))})
                for i, (agent, agent_shifts) in enumerate(sorted(shifts.items()))]
    width = options.interval_s
    if options.staffing == "presence":
        per: dict[float, float] = {}
        for _agent, start, end in sessions:
            spread(per, start, max(end, start + 1.0), width)
        for _agent, start, end in breaks:
            spread(per, start, end, width, -1.0)
        per = dict(sorted(per.items()))
    else:
        per = staffing(records, width, options.staffing, options.gap_s)
    last = int((max(per) - t0) // width) if per else 0
    counts = [0] * (last + 1)
    for start, agents in per.items():
        counts[int((start - t0) // width)] = max(0, math.floor(agents + 0.5))
    return [AgentGroup(name="agent", count=max(*counts, 1), queues=[QUEUE_ID], acw=acw,
                       staffing=Staffing(interval_s=width, counts=counts))]


def _shifts(sessions: list[tuple[str, float, float]], breaks: list[tuple[str, float, float]],
            t0: float) -> dict[str, list[Shift]]:
    """Each named agent's sessions as shifts, with the breaks that fall inside them."""
    by_agent: dict[str, list[tuple[float, float]]] = {}
    for agent, start, end in breaks:
        by_agent.setdefault(agent, []).append((start, end))
    out: dict[str, list[Shift]] = {}
    for agent, start, end in sessions:
        stop = max(end, start + 1.0)
        inside = [Break(start_s=b0 - t0, duration_s=b1 - b0) for b0, b1 in by_agent.get(agent, ())
                  if start <= b0 and b1 <= stop and b1 > b0]
        out.setdefault(agent, []).append(Shift(start_s=start - t0, end_s=stop - t0, breaks=inside))
    return out


def _skill(call_type: str) -> str:
    return f"type_{call_type}"


def _workflow(records: Sequence[CallRecord], queue_id: str, options: ReplayOptions) -> Workflow:
    """One workflow to the queue; with ``skills``, one filter per call type that some agent handles,
    requiring that type's skill (a type nobody handles regularly goes to every agent)."""
    filters: list[Filter] = []
    if options.skills:
        if options.staffing != "sessions":
            raise ValidationFailed("skills need named agents: use staffing 'sessions'")
        handled = set().union(*agent_call_types(records).values())
        for call_type in sorted(handled):
            if not call_type.isalnum():
                continue
            filters.append(Filter(name=f"type {call_type}", expression=f"attr.type == '{call_type}'",
                                  targets=[Target(queue=queue_id, skills={_skill(call_type): 1})]))
    return Workflow(id="bank", name="Bank", filters=filters, default=[Target(queue=queue_id)])


def learnt_head_starts(records: Sequence[CallRecord]) -> HeadStarts:
    """The high-priority head start of each day of ``records`` (``queue_order.head_starts_by_day``)."""
    return {day: e.head_start_s for day, e in head_starts_by_day(records).items()}


def _priority(record: CallRecord, head_starts: HeadStarts | None) -> int:
    if record.priority != 2:
        return 0
    if head_starts is None:
        return 1
    return min(100, round(head_starts.get(record.day, 0.0) / HEAD_START_STEP_S))


def build_scenario(records: Sequence[CallRecord], curve: Curves, uniform: Callable[[], float],
                   options: ReplayOptions | None = None, queue: QueueConfig | None = None,
                   head_starts: HeadStarts | None = None) -> Scenario:
    """The replay scenario of ``records`` (their offered calls enter the queue at their recorded queue
    entry; served calls talk their own service time; patience from ``replay_patience``). High-priority
    calls get ``options.head_start_s`` or, when that is None, their day's head start from
    ``head_starts`` (default: learnt from ``records``)."""
    opts = options or ReplayOptions()
    if opts.head_start_s is None and head_starts is None:
        head_starts = learnt_head_starts(records)
    fixed = opts.head_start_s is not None
    calls = sorted(offered(records), key=lambda r: (r.queued_at or 0.0, r.line_no))
    if not calls:
        raise ValidationFailed("no offered calls to replay (no call entered the queue on the days chosen)")
    first = min(r.day for r in calls)
    start = _start_of(first)
    t0 = start.timestamp()
    served = [r.service_s for r in calls if r.outcome is Outcome.SERVED]
    contacts = [ReplayContact(t_s=(r.queued_at or t0) - t0,
                              handle_s=r.service_s if r.outcome is Outcome.SERVED else None,
                              patience_s=replay_patience(r, _curve(curve, r.day), uniform),
                              priority=_priority(r, None if fixed else head_starts),
                              attributes={"type": r.call_type} if opts.skills else {})
                for r in calls]
    q = queue or default_queue()
    centre = Centre(queues=[q], workflows=[_workflow(records, q.id, opts)],
                    settings=RoutingSettings(priority_head_start_s=opts.head_start_s if opts.head_start_s is not None
                                             else HEAD_START_STEP_S))
    return Scenario(name="bank1999-replay", start=start, duration_s=contacts[-1].t_s + 1.0,
                    report_interval_s=DAY_S, centre=centre, agents=_agents(records, t0, opts),
                    arrivals=[ArrivalStream(name="calls", process=Replay(kind="replay", contacts=contacts),
                                            handle=Empirical(dist="empirical", values_s=served or [0.0]))])


@dataclass
class ReplayReport:
    """Simulated versus actual per day and for the whole period."""

    days: list[DayComparison]
    month: DayComparison
    replications: int
    seed: int
    sl_threshold_s: float
    short_abandon_s: float
    options: ReplayOptions
    patience: SurvivalCurve
    agents_per_day: dict[date, float]
    #: the high-priority head start per day learnt from the log (None: ``options.head_start_s`` throughout)
    head_starts: HeadStarts | None = None


def _sim_kpis(rows: dict[tuple[float | None, str], dict[str, Any]]) -> tuple[dict[date, dict[str, Any]],
                                                                             dict[str, Any]]:
    per_day = {day_of(start): {k: row.get(k) for k in KPI_KEYS}
               for (start, scope), row in rows.items() if start is not None and scope == ALL_QUEUES}
    month = rows.get((None, ALL_QUEUES), {})
    return per_day, {k: month.get(k) for k in KPI_KEYS}


def _mean_ci(values: list[Any]) -> tuple[float | None, float | None]:
    xs = [float(v) for v in values if v is not None]
    if not xs:
        return None, None
    mean = sum(xs) / len(xs)
    if len(xs) < 2:
        return mean, None
    sd = math.sqrt(sum((x - mean) ** 2 for x in xs) / (len(xs) - 1))
    return mean, float(student_t.ppf(0.975, len(xs) - 1)) * sd / math.sqrt(len(xs))


def _combine(day: date | None, actual: dict[str, Any], runs: list[dict[str, Any]]) -> DayComparison:
    sim: dict[str, Any] = {}
    spread: dict[str, float | None] = {}
    for key in KPI_KEYS:
        sim[key], spread[key] = _mean_ci([r.get(key) for r in runs])
    return DayComparison(day, actual, sim, spread)


SimKpis = tuple[dict[date, dict[str, Any]], dict[str, Any]]


def replicate(records: Sequence[CallRecord], curve: Curves, seed: int, replication: int,
              options: ReplayOptions, queue: QueueConfig, head_starts: HeadStarts | None = None) -> SimKpis:
    """One replication: its own patience draws (seeded ``"seed:replication:patience"``), one run of
    ``SimCentre``; the simulated KPIs per day and for the whole run."""
    rng = random.Random(f"{seed}:{replication}:patience")
    scenario = build_scenario(records, curve, rng.random, options, queue, head_starts)
    return _sim_kpis(SimCentre(scenario, seed=seed, replication=replication).run().rows)


def _replicate_all(records: Sequence[CallRecord], curve: Curves, seed: int, replications: int,
                   options: ReplayOptions, queue: QueueConfig, workers: int | None,
                   progress: Callable[[int], None] | None, head_starts: HeadStarts | None) -> list[SimKpis]:
    n_workers = min(workers or os.cpu_count() or 1, replications)
    results: dict[int, SimKpis] = {}
    if n_workers <= 1:
        for rep in range(replications):
            results[rep] = replicate(records, curve, seed, rep, options, queue, head_starts)
            if progress is not None:
                progress(rep + 1)
    else:
        # fork is cheap but unsafe in a threaded process (the API server): spawn there
        method = "fork" if threading.active_count() == 1 else "spawn"
        with ProcessPoolExecutor(max_workers=n_workers, mp_context=get_context(method)) as pool:
            futures = {pool.submit(replicate, records, curve, seed, rep, options, queue, head_starts): rep
                       for rep in range(replications)}
            for done, fut in enumerate(as_completed(futures), start=1):
                results[futures[fut]] = fut.result()
                if progress is not None:
                    progress(done)
    return [results[rep] for rep in range(replications)]


def replay(records: Sequence[CallRecord], days: Iterable[date] | None = None, replications: int = 5,
           seed: int = 1, options: ReplayOptions | None = None, queue: QueueConfig | None = None,
           progress: Callable[[int], None] | None = None, workers: int | None = None) -> ReplayReport:
    """Replay ``records`` (optionally only ``days``) ``replications`` times in blendcc's simulator and
    compare with the recorded KPIs. Patience and the priority head start per day are estimated on all
    ``records`` (the whole month).
    Replications run in ``workers`` processes (default: one per core); the result depends only on
    the records, the options, the seed and the number of replications."""
    if replications < 1:
        raise ValidationFailed("replications must be at least 1")
    opts = options or ReplayOptions()
    q = queue or default_queue()
    curve = patience_curve(records)
    chosen = select_days(records, days)
    if not any(r.offered for r in chosen):
        raise ValidationFailed("no offered calls to replay (no call entered the queue on the days chosen)")
    actual_days = daily_counters(actual_events(chosen, q.id), thresholds_for(q))
    curves: Curves = patience_curves(records) if opts.by_day_type else curve
    head_starts = learnt_head_starts(records) if opts.head_start_s is None else None
    runs = _replicate_all(chosen, curves, seed, replications, opts, q, workers, progress, head_starts)
    rows = [_combine(d, kpis(c), [per_day.get(d, {}) for per_day, _ in runs]) for d, c in actual_days.items()]
    month_row = _combine(None, kpis(total(actual_days.values())), [month for _, month in runs])
    presence: dict[float, float] = {}
    for _agent, start, end in _sessions(chosen, opts)[0]:
        spread(presence, start, max(end, start + 1.0), DAY_S)
    return ReplayReport(days=rows, month=month_row, replications=replications, seed=seed,
                        sl_threshold_s=q.sl_threshold(Channel.VOICE), short_abandon_s=q.short_abandon_s,
                        options=opts, patience=curve, head_starts=head_starts,
                        agents_per_day={day_of(s): v * DAY_S / 3600.0 for s, v in presence.items()})
