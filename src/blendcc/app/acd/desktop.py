"""The agent desktop's own figures for today: handled, AHT, occupancy, time in state, per channel."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from blendcc.analytics.agent_day import DAY_TYPES, AgentDay
from blendcc.analytics.agent_stats import AgentTime, agent_kpis
from blendcc.app.acd.callbacks import CallbackService
from blendcc.app.acd.live_views import LiveViews
from blendcc.app.acd.wrapup import WrapUpDesk
from blendcc.app.outbound.manual_dial import ManualDial
from blendcc.app.reporting.live_stats import day_start
from blendcc.app.reporting.reports import ReportService
from blendcc.ports import Clock, Store


class AgentToday:
    """``today(agent_id)``: the centre's business day (midnight in ``tz``, as the reports use) up to now,
    from the projections (state intervals and handled by agent through the agent report, the agent's
    own leg events for AHT and channels) and the live state for the current state."""

    def __init__(self, reports: ReportService, store: Store, views: LiveViews, clock: Clock, tz: str) -> None:
        self.reports = reports
        self.store = store
        self.views = views
        self.clock = clock
        self.tz = tz

    def today(self, agent_id: str) -> dict[str, Any]:
        live = self.views.agent(agent_id)  # NotFound for an agent that is not configured
        now = self.clock.now()
        start = day_start(now, self.tz)
        end = max(now, start + 1e-3)
        rows = self.reports.agents(start, end, agent_id)["rows"]
        kpis = rows[0] if rows else agent_kpis(AgentTime())  # nothing today yet
        names = [t.__name__ for t in DAY_TYPES]
        mine = self.store.events_of_type(names, start, end, agent_id=agent_id)  # the events' indexed agent
        day = AgentDay().apply_all(agent_id, (s.event for s in mine))
        figures = day.figures()
        return {
            "agent_id": agent_id, "day_start": start, "at": now, "timezone": self.tz,
            "state": {"state": live["state"], "reason": live["reason"], "since": live["since"],
                      "seconds": max(0.0, now - live["since"])},
            "handled": kpis["handled"], "handled_by_channel": figures["handled_by_channel"],
            "completed": figures["completed"], "aht_s": figures["aht_s"], "talk_s": figures["talk_s"],
            "hold_s": figures["hold_s"], "acw_s": figures["acw_s"], "occupancy": kpis["occupancy"],
            "utilization": kpis["utilization"], "logged_in_s": kpis["logged_in_s"],
            "available_s": kpis["available_s"], "handling_s": kpis["handling_s"], "aux_s": kpis["aux_s"],
            "aux_by_reason": kpis["aux_by_reason"],
        }



@dataclass
class Desk:
    """The agent desktop's use cases beyond the ACD's (set on the container by bootstrap)."""

    today: AgentToday
    callbacks: CallbackService
    wrapups: WrapUpDesk
    manual: ManualDial | None = None  # manual dialling, when campaigns are configured
