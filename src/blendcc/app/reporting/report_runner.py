"""The historical report: every KPI of KPIS.md that applies, per period x queue, channel, agent, team or campaign.

Nothing here defines a KPI: queue figures come from the stored queue counters through ``queue_kpis``, digital
ones from ``DigitalFold``/``digital_kpis``, agent ones from ``time_split``-style clipping into ``AgentTime``,
``AgentDay`` and ``agent_kpis``, and outbound ones from ``campaign_report``; this module only buckets their
inputs into the report's periods (the centre's clock) and rows.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Iterable
from typing import Any

from blendcc.analytics.agent_day import DAY_TYPES, AgentDay
from blendcc.analytics.agent_stats import AgentTime, StateInterval, agent_kpis
from blendcc.analytics.digital_stats import (
    DEFAULT_REOPEN_DAYS,
    FOLDED_TYPES,
    DigitalCounters,
    DigitalFold,
    OpenTime,
    digital_kpis,
    group,
)
from blendcc.analytics.interval_counters import MAX_SQL_PERIODS
from blendcc.analytics.queue_stats import QueueCounters, queue_kpis
from blendcc.app.reporting.report_extra import (
    adherence_by_period,
    adherence_total,
    resolved_by_disposition,
    resolved_rates,
)
from blendcc.app.reporting.report_kpis import COLUMNS, columns
from blendcc.app.reporting.report_log import Need, ReportLog
from blendcc.app.reporting.report_outcomes import disposition_rows, fcr_rows, forecast_rows
from blendcc.app.reporting.report_query import Periods, ReportQuery
from blendcc.dialer.stats import campaign_report
from blendcc.domain.events import Event, WrapUpCompleted
from blendcc.ports import Store

Key = tuple[float, str]  # (period start, dimension value)
#: what the resolution rate (FCR) reads: contacts (their customer), queue visits (first queue), wrap-ups
FCR_TYPES = ["ContactCreated", "ContactQueued", "WrapUpCompleted"]


class ReportRunner:
    def __init__(self, store: Store, tz: str, config: Any, campaigns: Any = None, open_time: OpenTime | None = None,
                 now: Callable[[], float] | None = None, schedules: Any = None, read_once: bool = True,
                 aggregates: bool = True):
        self.store = store
        self.tz = tz
        self.config = config  # ConfigService: names, teams, campaigns
        self.campaigns = campaigns  # CampaignService (None without the dialer)
        self.open_time = open_time
        self.now = now
        self.schedules = schedules  # ScheduleService (published schedules: adherence), None without WFM
        self._log: ReportLog | None = None  # the run's events, read once (``run``)
        self.read_once = read_once  # False: each part reads the log itself (the figures are the same; slower)
        #: False: agent legs and wrap-up outcomes folded from the log, never from the interval counters (the same
        #: figures; slower); the counters serve only reports whose periods fall on 15-minute edges
        self.aggregates = aggregates

    def periods(self, query: ReportQuery) -> Periods:
        query.check()
        return Periods(query, self.tz)

    def run(self, query: ReportQuery) -> dict[str, Any]:
        """The report's rows (period x dimension value, with every applicable KPI) and its total row."""
        p = self.periods(query)
        fn = {"queue": self._queues, "channel": self._queues, "agent": self._agents, "team": self._agents,
              "campaign": self._campaigns, "disposition": self._dispositions}[query.by]
        self._log = ReportLog(self.store, self.needs(p)) if self.read_once else None
        try:
            figures, total = fn(p)
        finally:
            self._log = None
        names = self.names(query.by)
        keys = COLUMNS[query.by]
        order = sorted(figures.items(), key=lambda kv: (kv[0][0], kv[1].get("pareto_rank") or 0, kv[0][1]))
        rows = [{"period_start": b, "period_end": p.after(b), "period": p.label(b), "key": k,
                 "name": names.get(k, k), **{c: f.get(c) for c in keys}}
                for (b, k), f in order]
        return {"query": query.public(), "timezone": self.tz, "start": p.start, "end": p.end,
                "columns": columns(query.by), "rows": rows, "total": {c: total.get(c) for c in keys}}

    # ------------------------------------------------------------------ the event log

    def needs(self, p: Periods) -> list[Need]:
        """What the report's parts read of the event log (types and windows), to read it once."""
        by = p.query.by
        if self.summed(p) and by in ("queue", "channel", "agent", "team"):
            return self._log_needs(p)
        folded = [t.__name__ for t in FOLDED_TYPES]
        lead = DEFAULT_REOPEN_DAYS * 86400
        fcr = (FCR_TYPES, p.start - 86400.0, p.end + (p.query.fcr_days + 1) * 86400.0)
        if by in ("queue", "channel"):
            return [(folded, p.start - lead, p.end), (["WrapUpCompleted"], p.start, p.end + 86400.0), fcr]
        if by in ("agent", "team"):
            return [([t.__name__ for t in DAY_TYPES], p.start, p.end), (folded, p.start - lead, p.end), fcr]
        if by == "disposition":
            return [(["WrapUpCompleted"], p.start, p.end + 86400.0)]
        return []

    def summed(self, p: Periods) -> bool:
        """Whether agent legs and wrap-up outcomes come from the interval counters (summed per period in SQL)."""
        return self.aggregates and p.on_intervals()

    def _log_needs(self, p: Periods) -> list[Need]:
        """What a report from the interval counters still reads of the log: the digital fold and the FCR's
        contacts, when the query asks for the KPIs of the log."""
        if not p.query.log_kpis:
            return []
        lead = DEFAULT_REOPEN_DAYS * 86400
        return [([t.__name__ for t in FOLDED_TYPES], p.start - lead, p.end),
                (FCR_TYPES, p.start - 86400.0, p.end + (p.query.fcr_days + 1) * 86400.0)]

    def _events(self, types: list[str], start: float, end: float) -> list[Event]:
        if self._log is not None:
            return self._log.of(types, start, end)
        return [s.event for s in self.store.events_of_type(types, start, end)]

    # ------------------------------------------------------------------ names

    def names(self, by: str) -> dict[str, str]:
        kind = {"queue": "queues", "agent": "agents", "team": "teams", "campaign": "campaigns"}.get(by)
        if kind is None:
            return {}
        return {i: (getattr(d, "name", "") or i) for i, d in self.config.docs.get(kind, {}).items()}

    def team_of(self) -> dict[str, str]:
        return {i: a.team_id for i, a in self.config.docs.get("agents", {}).items()
                if getattr(a, "team_id", None)}

    # ------------------------------------------------------------------ queue and channel

    def _queues(self, p: Periods) -> tuple[dict[Key, dict[str, Any]], dict[str, Any]]:
        q = p.query
        f = q.filters
        merged: dict[Key, QueueCounters] = {}
        total = QueueCounters()
        # summed per period in the store when the periods fall on 15-minute edges (else per interval, bucketed here)
        table = self.store.queue_counters(p.start, p.end, *p.table()) if self.summed(p) \
            else self.store.queue_counters(p.start, p.end)
        for (t, queue, channel), c in table.items():
            if (f.queue_id is not None and queue != f.queue_id) or (f.channel is not None and channel != f.channel):
                continue
            acc = merged.setdefault((p.bucket(t), queue if q.by == "queue" else channel), QueueCounters())
            acc.merge(c)
            total.merge(c)
        digital, digital_total = self._digital(p, "queue_id" if q.by == "queue" else "channel",
                                               queue_id=f.queue_id, channel=f.channel) if q.log_kpis else ({}, None)
        def wrapped(e: WrapUpCompleted) -> Key | None:
            if not p.start <= e.queued_at < p.end or (f.queue_id is not None and e.queue_id != f.queue_id) \
                    or (f.channel is not None and e.channel != f.channel):
                return None
            return (p.bucket(e.queued_at), e.queue_id if q.by == "queue" else e.channel)

        if self.summed(p):
            counts: dict[Key, list[int]] = {}
            for (b, queue, channel), w in self.store.wrapup_counters(p.start, p.end, *p.table()).items():
                if (f.queue_id is None or queue == f.queue_id) and (f.channel is None or channel == f.channel):
                    n = counts.setdefault((b, queue if q.by == "queue" else channel), [0, 0])
                    n[0] += w.wrapups
                    n[1] += w.resolved
            resolved, resolved_total = resolved_rates(counts)
        else:
            log = self._events(["WrapUpCompleted"], p.start, p.end + 86400.0)
            resolved, resolved_total = resolved_by_disposition(log, wrapped)
        fcr, fcr_total = fcr_rows(self._fcr_log(p), q.fcr_days, wrapped) if q.log_kpis else ({}, {})
        forecast: dict[Key, dict[str, Any]] = {}
        forecast_total: dict[str, Any] = {}
        if q.by == "queue":
            def queue_row(queue: str, channel: str) -> str | None:
                if (f.queue_id is not None and queue != f.queue_id) or (f.channel is not None and channel != f.channel):
                    return None
                return queue

            lead = p.start - 28 * 86400.0
            forecast, forecast_total = forecast_rows(self.store.queue_offered(lead, p.end), p,
                                                     self.now() if self.now is not None else p.end, queue_row)
        out: dict[Key, dict[str, Any]] = {}
        for k in set(merged) | set(digital) | set(fcr) | set(forecast):
            out[k] = {**(digital_kpis(digital.get(k) or DigitalCounters()) if q.log_kpis else {}),
                      **queue_kpis(merged.get(k) or QueueCounters()), "resolved_disposition_rate": resolved.get(k),
                      **(fcr.get(k) or {}), **(forecast.get(k) or {})}
        return out, {**(digital_kpis(digital_total) if digital_total is not None else {}), **queue_kpis(total),
                     "resolved_disposition_rate": resolved_total, **fcr_total, **forecast_total}

    def _fcr_log(self, p: Periods) -> list[Event]:
        """Contacts, queue visits and wrap-ups from a day before the report to ``fcr_days`` after it (repeats)."""
        return self._events(FCR_TYPES, p.start - 86400.0, p.end + (p.query.fcr_days + 1) * 86400.0)

    # ------------------------------------------------------------------ dispositions

    def wrapups(self, p: Periods) -> list[WrapUpCompleted]:
        """The wrap-ups of contacts offered in the window that pass the report's filters."""
        f = p.query.filters
        teams = self.team_of()
        out = []
        for e in self._events(["WrapUpCompleted"], p.start, p.end + 86400.0):
            if not isinstance(e, WrapUpCompleted) or not p.start <= e.queued_at < p.end:
                continue
            if any(v is not None and v != have for v, have in ((f.queue_id, e.queue_id), (f.channel, e.channel),
                                                                (f.agent_id, e.agent_id),
                                                                (f.team_id, teams.get(e.agent_id)))):
                continue
            out.append(e)
        return out

    def _dispositions(self, p: Periods) -> tuple[dict[Key, dict[str, Any]], dict[str, Any]]:
        return disposition_rows(self.wrapups(p), p)

    def _digital(self, p: Periods, dim: str, **filters: str | None) -> tuple[dict[Key, DigitalCounters],
                                                                             DigitalCounters]:
        fold = DigitalFold(DEFAULT_REOPEN_DAYS, open_time=self.open_time)
        names = [t.__name__ for t in FOLDED_TYPES]
        lead = DEFAULT_REOPEN_DAYS * 86400
        fold.apply_all(self._events(names, p.start - lead, p.end))
        fold.accrue_all(p.end)
        at = ("queue_id", "channel", "agent_id").index(dim) + 1
        out: dict[Key, DigitalCounters] = {}
        total = DigitalCounters()
        for row, c in group(fold.counters, [dim], p.start, p.end, p.bucket, **filters).items():
            if row[at] in ("", "*"):
                continue  # an agent's handling time has no queue or channel; nothing to report by it
            out.setdefault((row[0], row[at]), DigitalCounters()).merge(c)
            total.merge(c)
        return out, total

    # ------------------------------------------------------------------ agent and team

    def _agents(self, p: Periods) -> tuple[dict[Key, dict[str, Any]], dict[str, Any]]:
        q = p.query
        f = q.filters
        teams = self.team_of()

        def row_of(agent_id: str) -> str | None:
            team = teams.get(agent_id)
            if f.agent_id is not None and agent_id != f.agent_id:
                return None
            if f.team_id is not None and team != f.team_id:
                return None
            return agent_id if q.by == "agent" else team

        now = self.now() if self.now is not None else p.end
        if self.summed(p) and len(p.table()[0]) <= MAX_SQL_PERIODS:
            times: dict[Key, AgentTime] = {}
            starts, ends = p.table()
            clipped = {max(b, p.start): b for b in starts}  # periods cut to the report's window
            for (b, agent), secs in self.store.state_seconds(list(clipped), [min(e, p.end) for e in ends],
                                                             min(p.end, now)).items():
                if (mine := row_of(agent)) is not None:
                    merge_time(times.setdefault((clipped[b], mine), AgentTime()), secs)
        else:
            times = split_by_period(self.store.state_intervals(p.start, p.end), p, row_of, min(p.end, now))
        days: dict[Key, AgentDay] = {}
        digital = self._agent_digital(p, row_of) if q.log_kpis else {}

        def wrapped(e: WrapUpCompleted) -> Key | None:
            row = row_of(e.agent_id)
            return None if row is None else (p.bucket(e.at), row)

        if self.summed(p):
            counts: dict[Key, list[int]] = {}
            for (b, agent, channel), c in self.store.agent_counters(p.start, p.end, *p.table()).items():
                mine = row_of(agent)
                if mine is None:
                    continue
                merge_day(days.setdefault((b, mine), AgentDay()), c.day(channel))
                if c.wrapups:
                    n = counts.setdefault((b, mine), [0, 0])
                    n[0] += c.wrapups
                    n[1] += c.resolved
            resolved, resolved_total = resolved_rates(counts)
        else:
            by_agent: dict[tuple[float, str], list[Event]] = {}
            log = self._events([t.__name__ for t in DAY_TYPES], p.start, p.end)
            for e in log:
                who = getattr(e, "agent_id", None)
                if isinstance(who, str) and row_of(who) is not None:
                    by_agent.setdefault((p.bucket(e.at), who), []).append(e)
            for (b, who), events in by_agent.items():
                merge_day(days.setdefault((b, row_of(who) or ""), AgentDay()), AgentDay().apply_all(who, events))
            resolved, resolved_total = resolved_by_disposition(log, wrapped)
        fcr, fcr_total = fcr_rows(self._fcr_log(p), q.fcr_days,
                                  lambda e: wrapped(e) if p.start <= e.at < p.end else None) if q.log_kpis else ({}, {})
        adherence = self._adherence(p, row_of, now)
        out: dict[Key, dict[str, Any]] = {}
        all_time, all_day, all_digital = AgentTime(), AgentDay(), DigitalCounters()
        for k in set(times) | set(days) | set(digital) | set(adherence) | set(fcr):
            t, d, g = times.get(k) or AgentTime(), days.get(k) or AgentDay(), digital.get(k) or DigitalCounters()
            out[k] = {**agent_figures(t, d, g if q.log_kpis else None), "resolved_disposition_rate": resolved.get(k),
                      **(fcr.get(k) or {}),
                      **(adherence.get(k) or {"adherence": None, "conformance": None})}
            merge_time(all_time, t)
            merge_day(all_day, d)
            if q.log_kpis:
                all_digital.merge(g)
        return out, {**agent_figures(all_time, all_day, all_digital if q.log_kpis else None),
                     "resolved_disposition_rate": resolved_total,
                     **fcr_total,
                     **adherence_total(adherence.values())}

    def _adherence(self, p: Periods, row_of: Callable[[str], str | None], now: float) -> dict[Key, dict[str, Any]]:
        if self.schedules is None:
            return {}
        from blendcc.app.planning.adherence import segments_of

        until = min(p.end, now)
        if until <= p.start:
            return {}
        segments = segments_of(self.schedules.find(p.start, until))
        if not segments:
            return {}
        return adherence_by_period(p, segments, self.store.state_intervals(p.start, until), until, row_of)

    def _agent_digital(self, p: Periods, row_of: Callable[[str], str | None]) -> dict[Key, DigitalCounters]:
        per_agent, _ = self._digital(p, "agent_id")
        out: dict[Key, DigitalCounters] = {}
        for (b, agent), c in per_agent.items():
            row = row_of(agent)
            if row is not None:
                out.setdefault((b, row), DigitalCounters()).merge(c)
        return out

    # ------------------------------------------------------------------ campaign

    def _campaigns(self, p: Periods) -> tuple[dict[Key, dict[str, Any]], dict[str, Any]]:
        from blendcc.app.outbound.campaigns import REPORT_TYPES

        svc = self.campaigns
        wanted = p.query.filters.campaign_id
        chosen = [c for i, c in self.config.docs.get("campaigns", {}).items() if wanted is None or i == wanted]
        if svc is None or not chosen:
            return {}, campaign_figures(None)
        log = svc.events(REPORT_TYPES, p.start - 3600.0, p.end)
        intervals = self.store.state_intervals(p.start, p.end)
        agents = self.config.docs.get("agents", {})
        out: dict[Key, dict[str, Any]] = {}
        sums: dict[str, float] = {}
        for campaign in chosen:
            pool = [i for i, a in agents.items() if campaign.queue_id in getattr(a, "queues", ())]
            active = sorted({p.bucket(e.at) for e in log if getattr(e, "campaign_id", None) == campaign.id
                             and p.start <= e.at < p.end})
            for b in active:
                report = campaign_report(campaign, log, b, p.after(b), p.end, intervals=intervals, agent_ids=pool)
                out[(b, campaign.id)] = campaign_figures(report)
                for name in ("attempts", "answered", "live_answers", "connected", "abandoned",
                             "amd_false_positives_est", "skipped", "talk_s", "logged_in_s",
                             "calls_outside_window", "dnc_hits"):
                    sums[name] = sums.get(name, 0.0) + getattr(report, name)
        return out, campaign_totals(sums)


def split_by_period(intervals: Iterable[StateInterval], p: Periods, row_of: Callable[[str], str | None],
                    until: float) -> dict[Key, AgentTime]:
    """Clip each state interval into the periods it overlaps and sum seconds per (period, row), as
    ``time_split`` does for one window (open intervals run to ``until``: now, or the report's end)."""
    edges, ends = p.table()
    out: dict[Key, AgentTime] = {}
    for iv in intervals:
        row = row_of(iv.agent_id)
        if row is None:
            continue
        s = max(iv.start, p.start)
        e = min(iv.end if iv.end is not None else until, p.end)
        i = max(0, bisect_right(edges, s) - 1)
        while s < e and i < len(edges):
            b = edges[i]
            stop = min(e, ends[i])
            if stop > s:
                out.setdefault((b, row), AgentTime()).add(iv.state, iv.reason, stop - s)
            s = max(s, stop)
            i += 1
    return out


def merge_time(into: AgentTime, t: AgentTime) -> None:
    for state, secs in t.seconds.items():
        if state != "aux":
            into.add(state, None, secs)
    for reason, secs in t.aux_by_reason.items():
        into.add("aux", reason, secs)
    into.handled += t.handled


def merge_day(into: AgentDay, d: AgentDay) -> None:
    for ch, n in d.handled.items():
        into.handled[ch] = into.handled.get(ch, 0) + n
    for ch, n in d.completed.items():
        into.completed[ch] = into.completed.get(ch, 0) + n
    into.talk_s += d.talk_s
    into.hold_s += d.hold_s
    into.acw_s += d.acw_s


def _per(total: float, n: float) -> float | None:
    return total / n if n else None


def agent_figures(t: AgentTime, d: AgentDay, g: DigitalCounters | None) -> dict[str, Any]:
    """An agent row's figures (``g`` None: without the digital KPIs, which the log alone gives)."""
    day = d.figures()
    t = AgentTime(dict(t.seconds), dict(t.aux_by_reason), day["handled"])
    done = day["completed"]
    return {**(digital_kpis(g) if g is not None else {}), **agent_kpis(t), **day, "avg_talk_s": _per(d.talk_s, done),
            "avg_hold_s": _per(d.hold_s, done), "avg_acw_s": _per(d.acw_s, done)}


def campaign_figures(r: Any) -> dict[str, Any]:
    if r is None:
        return {}
    d = r.to_dict()
    return {**d, "outbound_abandoned": d["abandoned"], "outbound_abandon_rate": d["abandon_rate"]
            if d["live_answers"] or d["amd_false_positives_est"] else None}


def campaign_totals(s: dict[str, float]) -> dict[str, Any]:
    """The campaigns' sums over the report, with the rates computed as ``CampaignReport`` computes them."""
    def g(name: str, default: float = 0.0) -> float:
        return s.get(name, default)

    def n(name: str) -> int:
        return round(s.get(name, 0.0))

    live = g("live_answers", 0.0) + g("amd_false_positives_est", 0.0)
    return {"attempts": n("attempts"), "answered": n("answered"), "live_answers": n("live_answers"),
            "connected": n("connected"), "connect_rate": _per(g("connected", 0.0), g("attempts", 0.0)),
            "outbound_abandoned": n("abandoned"),
            "outbound_abandon_rate": _per(g("abandoned", 0.0) + g("amd_false_positives_est", 0.0), live),
            "talk_min_per_agent_hour": _per(g("talk_s", 0.0) / 60.0, g("logged_in_s", 0.0) / 3600.0),
            "preview_skips": n("skipped"), "calls_outside_window": n("calls_outside_window"),
            "dnc_hits": n("dnc_hits")}
