"""Crisis playbooks inside the simulator: the figures the live service feeds ``evaluate`` (``crisis.figures``
from today's counters, folded with the live definitions, and the contacts waiting now) computed every
``tick_s`` of virtual time, as the wallboard's heartbeat does live; crises started and ended by the same pure
lifecycle (``crisis.lifecycle``) and their actions applied to the simulated centre.

    centre = SimCentre(scenario, seed=1)
    crisis = SimPlaybooks(centre, [playbook])
    result = centre.run()          # crisis.events: CrisisStarted, EmergencyModeSet, CrisisActionApplied, ...

What each action does here: ``emergency`` sets the engine's emergency mode (closed, callback-only or
overflow; the engine's own ``EmergencyModeSet``/``Cleared``); ``chat_capacity`` raises the chat limit of every
simulated agent who takes chats (the engine reconfigured, as a live agent document change does). No effect in
the simulator (recorded as such in the action's detail): ``banner`` (simulated agents and customers read no
banner), ``pause_campaigns`` (the surge simulation has no outbound campaigns; ``dialer_sim`` runs apart) and
``workflow_version`` (a scenario has no configuration history to take a prepared version from)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from blendcc.analytics.queue_stats import QueueCounters, queue_kpis
from blendcc.analytics.today import TodayQueues
from blendcc.crisis import lifecycle
from blendcc.crisis.evaluate import Figures, PlaybookState
from blendcc.crisis.figures import queue_figures, with_forecast
from blendcc.crisis.lifecycle import Running, forecast_queues
from blendcc.crisis.playbook import (
    Action,
    BannerAction,
    BotShareAction,
    ChatCapacityAction,
    EmergencyAction,
    PageAction,
    PauseCampaignsAction,
    Playbook,
)
from blendcc.domain import crisis_events as ce
from blendcc.domain.channels import Channel
from blendcc.domain.events import Event
from blendcc.domain.lifecycle.contact import WAITING
from blendcc.routing.emergency import emergency_dict
from blendcc.sim.centre import SimCentre

#: (queue or '*', now) -> contacts forecast from the day's start to now (None: no forecast)
Forecast = Callable[[str, float], float | None]
NO_EFFECT = "no effect in the simulator"
CRISIS_TYPES = frozenset({ce.CrisisStarted, ce.CrisisActionApplied, ce.CrisisActionReverted, ce.CrisisEnded,
                          ce.EmergencyModeSet, ce.EmergencyModeCleared})


class SimActions:
    """The lifecycle's ``ActionPort`` on a simulated centre (see the module docstring)."""

    def __init__(self, centre: SimCentre) -> None:
        self.centre = centre
        self.banners: dict[tuple[str, int], dict[str, Any]] = {}

    def _mode(self, scope: str) -> dict[str, Any] | None:
        m = self.centre.engine.emergency.get(scope)
        return None if m is None else dict(emergency_dict(m))

    def apply(self, crisis_id: str, index: int, action: Action, by: str) -> tuple[dict[str, Any], dict[str, Any]]:
        c = self.centre
        now = c.clock.t
        if isinstance(action, EmergencyAction):
            prior = self._mode(action.scope)
            c.handle(c.engine.set_emergency(action.scope, action.mode, now, overflow_queue=action.overflow_queue,
                                            message=action.message, by=by, crisis_id=crisis_id))
            return {"scope": action.scope, "mode": action.mode}, {"mode": prior}
        if isinstance(action, ChatCapacityAction):
            return self._chats(action.extra)
        if isinstance(action, BannerAction):
            banner = {"crisis_id": crisis_id, "text": action.text, "level": action.level, "note": NO_EFFECT}
            self.banners[(crisis_id, index)] = banner
            return banner, {}
        if isinstance(action, PauseCampaignsAction):
            return {"paused": [], "note": f"{NO_EFFECT}: no outbound campaigns"}, {"paused": []}
        if isinstance(action, PageAction):
            return {"paged": [], "note": f"{NO_EFFECT}: no standby people to page"}, {"paged": []}
        if isinstance(action, BotShareAction):
            return {"instance": action.instance, "share": action.share,
                    "note": f"{NO_EFFECT}: the simulated chats have no bot"}, {}
        return {"workflow": action.workflow, "version": action.version,
                "note": f"{NO_EFFECT}: a scenario has no configuration history"}, {}

    def _chats(self, extra: int) -> tuple[dict[str, Any], dict[str, Any]]:
        engine = self.centre.engine
        agents = dict(engine.catalog.agents)
        prior: dict[str, Any] = {}
        for aid, a in sorted(agents.items()):
            chats = a.capacity.limits.get(Channel.CHAT, 0)
            if chats > 0:
                prior[aid] = a
                limits = {**a.capacity.limits, Channel.CHAT: chats + extra}
                agents[aid] = a.model_copy(update={"capacity": a.capacity.model_copy(update={"limits": limits})})
        if prior:
            self._configure(agents)
        return {"agents": sorted(prior), "extra": extra}, {"agents": prior, "wrote": {k: agents[k] for k in prior}}

    def _configure(self, agents: Mapping[str, Any]) -> None:
        engine = self.centre.engine
        self.centre.handle(engine.configure(dataclasses.replace(engine.catalog, agents=dict(agents)),
                                            self.centre.clock.t))

    def revert(self, crisis_id: str, index: int, action: Action, prior: Mapping[str, Any], by: str) -> dict[str, Any]:
        c = self.centre
        now = c.clock.t
        if isinstance(action, EmergencyAction):
            mode = self._mode(action.scope)
            if mode is None or mode.get("crisis_id") != crisis_id:
                return {"scope": action.scope, "left": "changed by someone else meanwhile"}
            before = prior.get("mode")
            if before is None:
                c.handle(c.engine.clear_emergency(action.scope, now, by=by, crisis_id=crisis_id))
            else:
                c.handle(c.engine.set_emergency(action.scope, before["mode"], now,
                                                overflow_queue=before.get("overflow_queue"),
                                                message=before.get("message") or "", by=before.get("by"),
                                                crisis_id=before.get("crisis_id"), since=before.get("since")))
            return {"scope": action.scope, "restored": before}
        if isinstance(action, ChatCapacityAction):
            agents = dict(c.engine.catalog.agents)
            restored = [aid for aid, cfg in prior.get("agents", {}).items()
                        if agents.get(aid) == prior.get("wrote", {}).get(aid)]
            for aid in restored:
                agents[aid] = prior["agents"][aid]
            if restored:
                self._configure(agents)
            return {"restored": sorted(restored)}
        if isinstance(action, BannerAction):
            self.banners.pop((crisis_id, index), None)
            return {}
        if isinstance(action, PauseCampaignsAction):
            return {"resumed": []}
        return {}


class SimPlaybooks:
    """Runs ``playbooks`` in ``centre`` from now on (see the module docstring). ``events`` collects the crisis
    events in order (with the engine's emergency-mode events among them), as the live log holds them."""

    def __init__(self, centre: SimCentre, playbooks: Sequence[Playbook], tick_s: float = 1.0, tz: str = "UTC",
                 forecast: Forecast | None = None) -> None:
        if tick_s <= 0:
            raise ValueError("the evaluation cadence must be positive")
        self.centre = centre
        self.playbooks = [(p, 1) for p in playbooks]
        self.tick_s = float(tick_s)
        self.forecast = forecast
        self.watch = forecast_queues(self.playbooks)
        self.actions = SimActions(centre)
        self.states: dict[str, PlaybookState] = {}
        self.active: dict[str, Running] = {}
        self.events: list[Event] = []
        self.evaluations = 0
        self._n = 0
        self.today = TodayQueues(centre.collector.thresholds, tz, centre.clock.t)
        centre.observers.append(self._observe)
        centre.kernel.at(centre.clock.t + self.tick_s, self._tick)

    def _observe(self, events: Sequence[Event]) -> None:
        self.today.fold(events)
        for e in events:
            if type(e) in CRISIS_TYPES:
                self.events.append(e)

    def _emit(self, event: Event) -> None:
        self.events.append(event)

    def figures(self, now: float) -> Figures:
        """What the live service computes from a wallboard frame at ``now``, from the simulated centre."""
        engine = self.centre.engine
        self.today.roll(now)
        waiting: dict[str, list[float]] = {}
        for c in engine.contacts.values():
            if c.state in WAITING:
                waiting.setdefault(c.queue.id, []).append(max(0.0, now - c.queued_at))
        by_queue = self.today.by_queue
        rows = []
        for qid in engine.catalog.queues:
            counters = by_queue.get(qid)
            kpis = queue_kpis(counters) if counters is not None else _EMPTY
            w = waiting.get(qid, ())
            rows.append((qid, kpis, float(len(w)), max(w, default=0.0)))
        queues = queue_figures(rows)
        if self.watch and self.forecast is not None:
            forecast = self.forecast
            queues = with_forecast(queues, self.watch, lambda q: forecast(q, now))
        return Figures(queues)

    def evaluate(self, now: float) -> None:
        self.evaluations += 1
        figures = self.figures(now)
        for t in lifecycle.step(self.playbooks, self.states, self.active, figures, now):
            if t.kind == "start" and t.playbook is not None and t.change is not None:
                self._n += 1
                crisis = Running(f"sim-{self._n}", t.playbook, t.version, now, t.change.triggers)
                self.active[t.playbook_id] = crisis
                lifecycle.start(crisis, self.actions, self._emit, now, figures.queues.get(ce.CENTRE, {}))
            else:
                crisis = self.active.pop(t.playbook_id)
                lifecycle.revert(crisis, self.actions, self._emit, now, None)
                lifecycle.ended(crisis, self._emit, now, None)

    def _tick(self, _payload: Any) -> None:
        c = self.centre
        now = c.clock.t
        self.evaluate(now)
        nxt = now + self.tick_s
        # keep the cadence while contacts arrive or are open, or a crisis still has to end
        if nxt <= c.horizon and (nxt <= c.end_arrivals or c.engine.contacts or self.active):
            c.kernel.at(nxt, self._tick)


_EMPTY = queue_kpis(QueueCounters())
