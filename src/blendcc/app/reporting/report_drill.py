"""Drill-down: from one figure of a report (period x dimension value x KPI) to the contacts behind it.

The population follows the KPI's definition (KPIS.md): queue and channel figures count queue visits by the
period in which the contact was offered (``ContactQueued``), agent and team figures count contacts connected
to the agent in the period (``ContactConnected``), campaign figures the calls that reached a person
(``CallConnected``). A KPI then narrows it: handled (and every figure about handled contacts: ASA, AHT,
service level...) keeps the answered ones, abandoned and its rate the abandoned ones, and so on.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from blendcc.app.reporting.report_kpis import COLUMNS
from blendcc.app.reporting.report_outcomes import code_of
from blendcc.app.reporting.report_query import ReportQuery
from blendcc.app.reporting.report_runner import ReportRunner
from blendcc.domain.errors import ValidationFailed

#: the most contacts one drill-down lists
LIMIT = 500

Row = dict[str, Any]


def _answered(r: Row) -> bool:
    return r.get("connected_at") is not None


def _ended(r: Row, how: str) -> bool:
    """The contact ended ``how`` (abandoned, timed_out): its state until it closes, its outcome after."""
    return r.get("state") == how or (r.get("state") == "closed" and r.get("outcome") == how)


def _abandoned(short: Callable[[Row], float]) -> Callable[[Row], bool]:
    return lambda r: _ended(r, "abandoned") and (r.get("wait_s") or 0.0) >= short(r)


def _short(short: Callable[[Row], float]) -> Callable[[Row], bool]:
    return lambda r: _ended(r, "abandoned") and (r.get("wait_s") or 0.0) < short(r)


def predicate(kpi: str, short: Callable[[Row], float]) -> Callable[[Row], bool]:
    """Which contacts of the population a figure of ``kpi`` is about."""
    if kpi in ("abandoned", "abandon_rate", "avg_abandon_wait_s", "outbound_abandoned", "outbound_abandon_rate"):
        return _abandoned(short)
    if kpi == "short_abandoned":
        return _short(short)
    if kpi == "timed_out":
        return lambda r: _ended(r, "timed_out")
    if kpi in ("transferred", "transfer_rate"):
        return lambda r: (r.get("transfers") or 0) > 0
    if kpi == "resolved_disposition_rate":
        return lambda r: r.get("disposition") == "resolved"
    if kpi == "overflowed_out":
        return lambda r: (r.get("overflows") or 0) > 0
    if kpi in ("fcr_rate", "fcr_contacts"):
        return lambda r: _answered(r) and bool(r.get("customer_id"))
    if kpi == "fcr_unknown_customer":
        return lambda r: _answered(r) and not r.get("customer_id")
    if kpi in ("handled", "asa_s", "aht_s", "avg_talk_s", "avg_hold_s", "avg_acw_s", "max_wait_handled_s",
               "service_level", "completed", "connected"):
        return _answered
    return lambda _r: True


class Drill:
    def __init__(self, runner: ReportRunner):
        self.runner = runner

    def contacts(self, query: ReportQuery, key: str, period_start: float, kpi: str) -> dict[str, Any]:
        p = self.runner.periods(query)
        if kpi not in COLUMNS[query.by]:
            raise ValidationFailed(f"kpi {kpi!r} is not a figure of a report by {query.by}")
        if not p.bucket(p.start) <= period_start < p.end or p.bucket(period_start) != period_start:
            raise ValidationFailed("period_start must be the start of one of the report's periods "
                                   "(a row's period_start)")
        b0, b1 = max(period_start, p.start), min(p.after(period_start), p.end)
        ids = self._population(query, key, b0, b1)
        queues = self.runner.config.docs.get("queues", {})

        def short(r: Row) -> float:
            q = queues.get(r.get("queue_id") or "")
            return float(getattr(q, "short_abandon_s", 5.0))

        keep = predicate(kpi, short)
        rows: list[Row] = []
        truncated = False
        for cid in ids:
            r = self.runner.store.interaction(cid)
            if r is None or not keep(r):
                continue
            if len(rows) == LIMIT:
                truncated = True
                break
            rows.append(r)
        return {"query": query.public(), "key": key, "kpi": kpi, "period_start": b0, "period_end": b1,
                "period": p.label(period_start), "timezone": self.runner.tz, "contacts": rows,
                "truncated": truncated}

    def _population(self, query: ReportQuery, key: str, b0: float, b1: float) -> list[str]:
        store = self.runner.store
        f = query.filters
        seen: dict[str, None] = {}
        if query.by == "disposition":
            p = self.runner.periods(query)
            for w in self.runner.wrapups(p):
                if code_of(w) == key and b0 <= w.queued_at < b1:
                    seen[w.contact_id] = None
        elif query.by in ("queue", "channel"):
            for s in store.events_of_type(["ContactQueued"], b0, b1):
                e: Any = s.event
                if (e.queue_id if query.by == "queue" else e.channel) != key:
                    continue
                if (f.queue_id is None or e.queue_id == f.queue_id) and (f.channel is None or e.channel == f.channel):
                    seen[e.contact_id] = None
        elif query.by in ("agent", "team"):
            teams = self.runner.team_of()
            for s in store.events_of_type(["ContactConnected"], b0, b1):
                e = s.event
                team = teams.get(e.agent_id)
                if (e.agent_id if query.by == "agent" else team) != key:
                    continue
                if (f.agent_id is None or e.agent_id == f.agent_id) and (f.team_id is None or team == f.team_id):
                    seen[e.contact_id] = None
        else:
            for s in store.events_of_type(["CallConnected"], b0, b1):
                e = s.event
                if e.campaign_id == key:
                    seen[e.contact_id] = None
        return list(seen)
