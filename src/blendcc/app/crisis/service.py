"""Crisis readiness live: the pure playbook evaluation run on the wallboard's figures (bus topic ``stats``),
channel health and supervisors' switches; actions applied and reverted, the communication plan sent,
acknowledged and escalated; every step an event in the log, the status on bus topic ``crisis``."""

from __future__ import annotations

import logging
import secrets
import threading
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from blendcc.app.crisis.actions import Actions
from blendcc.app.crisis.playbooks import Playbooks
from blendcc.crisis import lifecycle
from blendcc.crisis.evaluate import Change, Figures, PlaybookState, TriggerState
from blendcc.crisis.figures import queue_figures, with_forecast
from blendcc.crisis.lifecycle import Running, forecast_queues
from blendcc.crisis.notify import NoticePlan, Send
from blendcc.crisis.playbook import Action, EmergencyAction, Playbook, ScheduleTrigger
from blendcc.crisis.templates import render
from blendcc.domain import crisis_events as ce
from blendcc.domain.errors import InvalidState, NotFound, ValidationFailed
from blendcc.domain.events import Event
from blendcc.ports import Clock, Commands, EventBus, Scheduler
from blendcc.routing.commands import AppendEvents, ClearEmergency, SetEmergency

log = logging.getLogger(__name__)
TOPIC = "crisis"
#: sender of one channel: (address, subject, text); raises on failure
Sender = Callable[[str, str, str], None]
ADDRESS = {"email": "email", "sms": "phone", "webhook": "webhook"}
#: the events ``restore`` reads back after a restart
RESTORE_TYPES = ("EmergencyModeSet", "EmergencyModeCleared", "CrisisStarted", "CrisisActionApplied",
                 "CrisisActionReverted", "CrisisAcknowledged", "CrisisEnded")


def _iso(at: float) -> str:
    return datetime.fromtimestamp(at, UTC).isoformat(timespec="seconds")


@dataclass
class Crisis(Running):
    """An active crisis live: the lifecycle's record plus its communication plan and acknowledgement."""

    plan: NoticePlan = field(init=False)
    acked_by: str | None = None
    acked_at: float | None = None
    tokens: dict[str, str] = field(default_factory=dict)  # acknowledgement token -> recipient name
    sent: int = 0

    def __post_init__(self) -> None:
        self.plan = NoticePlan(self.playbook, self.started_at)

    def view(self) -> dict[str, Any]:
        return {"id": self.id, "playbook_id": self.playbook.id, "name": self.playbook.name or self.playbook.id,
                "version": self.version, "started_at": self.started_at, "triggers": list(self.triggers),
                "by": self.by, "acknowledged_by": self.acked_by, "acknowledged_at": self.acked_at,
                "notifications_sent": self.sent,
                "actions": [{"index": i, "kind": self.playbook.actions[i].kind} for i, _ in self.applied]}


def figures_from(frame: Mapping[str, Any]) -> dict[str, dict[str, float | None]]:
    """Per queue and for the centre (``*``) the figures a playbook watches (``crisis.figures``), from a
    wallboard frame."""
    return queue_figures((str(q.get("id")), q.get("today") or {}, float(q.get("waiting") or 0),
                          float(q.get("longest_wait_s") or 0.0)) for q in frame.get("queues") or ())


class _Port:
    """The live ``Actions`` as the lifecycle's ``ActionPort`` (a banner's text rendered with the live figures)."""

    def __init__(self, actions: Actions, render: Callable[[str], str]) -> None:
        self.actions = actions
        self.render = render

    def apply(self, crisis_id: str, index: int, action: Action, by: str) -> tuple[dict[str, Any], dict[str, Any]]:
        return self.actions.apply(crisis_id, index, action, by, self.render)

    def revert(self, crisis_id: str, index: int, action: Action, prior: Mapping[str, Any], by: str) -> dict[str, Any]:
        return self.actions.revert(crisis_id, index, action, prior, by)


def _failed(crisis: Running, index: int, action: Action, _exc: Exception) -> None:
    log.exception("crisis %s: action %d (%s) failed", crisis.id, index, action.kind)


class CrisisService:
    def __init__(self, playbooks: Playbooks, actions: Actions, commands: Commands, bus: EventBus, clock: Clock,
                 senders: Mapping[str, Sender] | None = None, public_url: str = "",
                 forecast: Callable[[str, float], float | None] | None = None,
                 run: Callable[[Callable[[], None]], object] | None = None) -> None:
        self.playbooks = playbooks
        self.actions = actions
        self.commands = commands
        self.bus = bus
        self.clock = clock
        self.senders = dict(senders or {})
        self.public_url = public_url.rstrip("/")
        self.forecast = forecast  # (queue or '*', now) -> contacts forecast so far today
        self.run = run or (lambda fn: fn())
        #: resolves recipients named by role or team to users' addresses (app.crisis.directory; set by bootstrap)
        self.directory: Any = None
        self._lock = threading.RLock()
        self._states: dict[str, PlaybookState] = {}
        self._crises: dict[str, Crisis] = {}  # by playbook id
        self._queues: dict[str, dict[str, float | None]] = {}
        self._health: dict[str, dict[str, Any]] = {}
        self._switched: set[str] = set()
        self._scheduler: Scheduler | None = None
        self._handle: object | None = None
        self._unsubscribe = bus.subscribe("stats", self._on_stats)

    def close(self) -> None:
        self._unsubscribe()
        self.attach(None)

    # ------------------------------------------------------------------ inputs

    def _on_stats(self, _topic: str, message: Mapping[str, Any]) -> None:
        with self._lock:
            self._queues = figures_from(message)
        self.evaluate(float(message.get("at") or self.clock.now()))

    def observe(self, frame: Mapping[str, Any], now: float | None = None) -> list[dict[str, Any]]:
        """Take a wallboard frame's figures and evaluate (what each ``stats`` message does)."""
        with self._lock:
            self._queues = figures_from(frame)
        return self.evaluate(now)

    def set_health(self, channel: str, healthy: bool, detail: str = "", by: str | None = None) -> dict[str, Any]:
        """A channel or trunk reported (un)healthy by a monitor or an adapter; evaluated at once."""
        now = self.clock.now()
        with self._lock:
            self._health[channel] = {"channel": channel, "healthy": healthy, "detail": detail, "at": now, "by": by}
        self.evaluate(now)
        return self._health[channel]

    def health(self) -> list[dict[str, Any]]:
        with self._lock:
            return [dict(v) for _, v in sorted(self._health.items())]

    def switch(self, playbook_id: str, on: bool, by: str) -> dict[str, Any]:
        """A supervisor's switch of a playbook with a switch trigger; returns the crisis (or None) after it."""
        playbook, _ = self.playbooks.get(playbook_id)
        if not any(t.kind == "switch" for t in playbook.triggers):
            raise ValidationFailed(f"playbook {playbook_id!r} has no switch trigger; add {{\"kind\": \"switch\"}}")
        with self._lock:
            (self._switched.add if on else self._switched.discard)(playbook_id)
        self.evaluate(by=by)
        with self._lock:
            crisis = self._crises.get(playbook_id)
            return {"playbook_id": playbook_id, "on": on, "crisis": crisis.view() if crisis else None}

    # ------------------------------------------------------------------ evaluation

    def figures(self, now: float, forecast_for: Iterable[str] = ()) -> Figures:
        """The figures now; ``offered_vs_forecast`` only for ``forecast_for`` (the queues a trigger watches)."""
        forecast = self.forecast
        queues = (with_forecast(self._queues, forecast_for, lambda q: forecast(q, now)) if forecast is not None
                  else {k: dict(v) for k, v in self._queues.items()})
        unhealthy = frozenset(c for c, h in self._health.items() if not h["healthy"])
        return Figures(queues, unhealthy, frozenset(self._switched))

    def evaluate(self, now: float | None = None, by: str | None = None) -> list[dict[str, Any]]:
        """Evaluate every playbook at ``now``; start and end crises; send what the plans have due. Returns the
        changes (``{"type": "CrisisStarted" | "CrisisEnded", ...}``); ``by``: the supervisor whose switch it is."""
        now = self.clock.now() if now is None else now
        changes: list[dict[str, Any]] = []
        with self._lock:
            playbooks = self.playbooks.list()
            figures = self.figures(now, forecast_queues(playbooks))
            for t in lifecycle.step(playbooks, self._states, self._crises, figures, now):
                if t.kind == "start" and t.playbook is not None and t.change is not None:
                    changes.append(self._start(t.playbook, t.version, t.change, figures, now, by))
                else:
                    changes.append(self._end(t.playbook_id, now, by))  # ended, or its playbook was deleted
            for crisis in list(self._crises.values()):
                self._notify(crisis, crisis.plan.due(now), now)
            self._rearm(now)
        if changes:
            self._publish_status()
        return changes

    def _start(self, playbook: Playbook, version: int, change: Change, figures: Figures, now: float,
               by: str | None) -> dict[str, Any]:
        crisis = Crisis("cr-" + uuid.uuid4().hex[:16], playbook, version, now, change.triggers, by)
        self._crises[playbook.id] = crisis
        port = _Port(self.actions, lambda t: render(t, self._values(crisis, now)))
        lifecycle.start(crisis, port, self._append, now, figures.queues.get(ce.CENTRE, {}), _failed)
        self._notify(crisis, crisis.plan.start(), now)
        return {"type": "CrisisStarted", **crisis.view()}

    def _end(self, playbook_id: str, now: float, by: str | None) -> dict[str, Any]:
        crisis = self._crises.pop(playbook_id)
        # another active crisis that took a scope over restores our prior when it ends (``_heir``)
        lifecycle.revert(crisis, _Port(self.actions, str), self._append, now, by,
                         lambda c, _i, action, prior: self._heir(c, action, prior), _failed)
        self._notify(crisis, crisis.plan.end(), now, ended=True)
        lifecycle.ended(crisis, self._append, now, by)
        return {"type": "CrisisEnded", **crisis.view(), "ended_at": now}

    def _heir(self, crisis: Running, action: Any, prior: Mapping[str, Any]) -> dict[str, Any] | None:
        """When an emergency mode this crisis set was replaced by another active crisis's, hand that crisis
        what this one replaced (so modes stack: the last one to end restores the state before the first)."""
        if not isinstance(action, EmergencyAction):
            return None
        now_mode = next((m for m in self.actions.emergency() if m["scope"] == action.scope), None)
        holder = None if now_mode is None else now_mode.get("crisis_id")
        other = next((c for c in self._crises.values() if c.id == holder and c.id != crisis.id), None)
        if other is None:
            return None
        for k, (j, their) in enumerate(other.applied):
            their_action = other.playbook.actions[j]
            if isinstance(their_action, EmergencyAction) and their_action.scope == action.scope:
                other.applied[k] = (j, {**their, "mode": prior.get("mode")})
                return {"scope": action.scope, "handed_to": other.id, "index": j, "prior": {"mode": prior.get("mode")}}
        return None

    def _append(self, event: Event) -> None:
        self.commands.execute(AppendEvents((event,)))

    # ------------------------------------------------------------------ notifications

    def _values(self, crisis: Crisis, now: float, ended: bool = False) -> dict[str, Any]:
        centre = self._queues.get(ce.CENTRE, {})
        pct = {k: (None if centre.get(k) is None else round(100.0 * float(centre[k] or 0.0), 1))
               for k in ("service_level", "abandon_rate")}
        return {"playbook": crisis.playbook.name or crisis.playbook.id, "crisis": crisis.id,
                "status": "ended" if ended else ("started" if now == crisis.started_at else "ongoing"),
                "started": _iso(crisis.started_at), "now": _iso(now),
                "minutes": int((now - crisis.started_at) // 60), "triggers": ", ".join(crisis.triggers),
                "waiting": centre.get("waiting"), "longest_wait_s": centre.get("longest_wait_s"),
                "offered": centre.get("offered"), **pct}

    def _notify(self, crisis: Crisis, sends: list[Send], now: float, ended: bool = False) -> None:
        for send in sends:
            rule = crisis.playbook.notify[send.rule]
            if send.reason == "escalation":
                self._append(ce.CrisisEscalated(crisis_id=crisis.id, rule=send.rule, step=send.step or 0, at=now))
            recipients = send.recipients if self.directory is None else self.directory.expand(send.recipients)
            for recipient in recipients:
                token = next((t for t, n in crisis.tokens.items() if n == recipient.name), None)
                if token is None:
                    token = secrets.token_urlsafe(24)
                    crisis.tokens[token] = recipient.name
                values = {**self._values(crisis, now, ended), "ack_url": f"{self.public_url}/crisis/ack/{token}"}
                subject, text = render(rule.subject, values), render(rule.text, values)
                for channel in rule.channels:
                    address = getattr(recipient, ADDRESS[channel])
                    if address is None:
                        continue
                    crisis.sent += 1
                    self.run(self._sender(crisis.id, send, channel, address, recipient.name, subject, text))

    def _sender(self, crisis_id: str, send: Send, channel: str, address: str, name: str, subject: str,
                text: str) -> Callable[[], None]:
        def go() -> None:
            sender = self.senders.get(channel)
            error = None
            if sender is None:
                error = f"no {channel} sender is configured on this server"
            else:
                try:
                    sender(address, subject, text)
                except Exception as exc:  # recorded as the message's failure; the plan goes on
                    error = str(exc)[:300] or type(exc).__name__
            self._append(ce.CrisisNotificationSent(crisis_id=crisis_id, rule=send.rule, reason=send.reason,
                                                   channel=channel, to=address, recipient=name, error=error,
                                                   at=self.clock.now()))
        return go

    # ------------------------------------------------------------------ acknowledgement

    def acknowledge(self, crisis_id: str, by: str) -> dict[str, Any]:
        with self._lock:
            crisis = next((c for c in self._crises.values() if c.id == crisis_id), None)
            if crisis is None:
                raise NotFound(f"no active crisis {crisis_id!r} (it may have ended)")
            return self._ack(crisis, by)

    def acknowledge_token(self, token: str) -> dict[str, Any]:
        with self._lock:
            for crisis in self._crises.values():
                name = crisis.tokens.get(token)
                if name is not None:
                    return self._ack(crisis, f"link:{name}")
        raise NotFound("unknown acknowledgement link, or its crisis has ended")

    def _ack(self, crisis: Crisis, by: str) -> dict[str, Any]:
        if crisis.acked_by is None:
            now = self.clock.now()
            crisis.acked_by, crisis.acked_at = by, now
            crisis.plan.acknowledge()
            self._append(ce.CrisisAcknowledged(crisis_id=crisis.id, by=by, at=now))
            self._publish_status()
        return crisis.view()

    # ------------------------------------------------------------------ restart

    def restore(self, events: Iterable[Event]) -> int:
        """After a restart, from the log (``RESTORE_TYPES`` in order): emergency modes the engine's replay window
        no longer holds are set again, and crises that had not ended are active again with what their actions
        replaced (so they revert exactly), their banners and acknowledgement. Returns the crises restored."""
        modes: dict[str, ce.EmergencyModeSet] = {}
        started: dict[str, ce.CrisisStarted] = {}
        applied: dict[str, list[ce.CrisisActionApplied]] = {}
        acks: dict[str, ce.CrisisAcknowledged] = {}
        for e in events:
            if isinstance(e, ce.EmergencyModeSet):
                modes[e.scope] = e
            elif isinstance(e, ce.EmergencyModeCleared):
                modes.pop(e.scope, None)
            elif isinstance(e, ce.CrisisStarted):
                started[e.crisis_id], applied[e.crisis_id] = e, []
            elif isinstance(e, ce.CrisisActionApplied) and e.crisis_id in applied:
                applied[e.crisis_id].append(e)
            elif isinstance(e, ce.CrisisActionReverted) and "handed_to" in e.detail:
                heir = str(e.detail["handed_to"])  # that crisis restores what this one replaced
                mode = (e.detail.get("prior") or {}).get("mode")
                applied[heir] = [replace(a, prior={**a.prior, "mode": mode}) if a.index == e.detail.get("index")
                                 else a for a in applied.get(heir, ())]
            elif isinstance(e, ce.CrisisAcknowledged):
                acks[e.crisis_id] = e
            elif isinstance(e, ce.CrisisEnded):
                started.pop(e.crisis_id, None)
        live = {m["scope"]: (m["mode"], m["overflow_queue"], m["message"]) for m in self.actions.emergency()}
        for scope, m in sorted(modes.items()):
            if live.get(scope) != (m.mode, m.overflow_queue, m.message):
                self.commands.execute(SetEmergency(scope, m.mode, m.overflow_queue, m.message, m.by, m.crisis_id,
                                                   m.at if m.since is None else m.since))
        with self._lock:
            for st in started.values():
                self._reopen(st, applied[st.crisis_id], acks.get(st.crisis_id))
        if started:
            self._publish_status()
        return len(started)

    def _reopen(self, st: ce.CrisisStarted, applied: list[ce.CrisisActionApplied],
                ack: ce.CrisisAcknowledged | None) -> None:
        try:
            playbook, version = self.playbooks.get(st.playbook_id)
        except NotFound:
            return  # deleted meanwhile: nothing left to evaluate (its modes stay until switched off)
        old = next((d for d in self.playbooks.history(st.playbook_id) if d.version == st.version), None)
        if old is not None and not old.deleted:
            playbook, version = Playbook.model_validate(dict(old.body)), st.version
        crisis = Crisis(st.crisis_id, playbook, version, st.at, tuple(st.triggers), st.by)
        plan = crisis.plan
        plan.start()  # the start messages went out before the restart: only the clocks are armed
        for a in applied:
            if a.index < len(playbook.actions):
                crisis.applied.append((a.index, dict(a.prior)))
                if a.kind == "banner" and "text" in a.detail:
                    self.actions.banners[(crisis.id, a.index)] = dict(a.detail)
        if ack is not None:
            crisis.acked_by, crisis.acked_at = ack.by, ack.at
            plan.acknowledge()
        self._crises[playbook.id] = crisis
        labels = set(st.triggers)
        self._states[playbook.id] = PlaybookState(
            tuple(TriggerState(active=t.label in labels) for t in playbook.triggers), active=True)
        if any(t.kind == "switch" and t.label in labels for t in playbook.triggers):
            self._switched.add(playbook.id)

    # ------------------------------------------------------------------ the one switch

    def set_emergency(self, scope: str, mode: str, by: str, overflow_queue: str | None = None,
                      message: str = "") -> list[dict[str, Any]]:
        """A supervisor puts a queue (or the centre) in emergency mode by hand."""
        self.commands.execute(SetEmergency(scope, mode, overflow_queue, message, by))
        self._publish_status()
        return self.actions.emergency()

    def clear_emergency(self, scope: str, by: str) -> list[dict[str, Any]]:
        if not any(m["scope"] == scope for m in self.actions.emergency()):
            raise InvalidState(f"{'the centre' if scope == ce.CENTRE else repr(scope)} "
                               "is not in emergency mode")
        self.commands.execute(ClearEmergency(scope, by))
        self._publish_status()
        return self.actions.emergency()

    # ------------------------------------------------------------------ reads and publication

    def active(self) -> list[dict[str, Any]]:
        with self._lock:
            return [c.view() for c in sorted(self._crises.values(), key=lambda c: (c.started_at, c.id))]

    def status(self) -> dict[str, Any]:
        """What every desktop and wallboard shows: emergency modes, known-issue banners, active crises."""
        with self._lock:
            return {"at": self.clock.now(), "emergency": self.actions.emergency(),
                    "banners": [dict(b) for _, b in sorted(self.actions.banners.items())],
                    "crises": self.active()}

    def _publish_status(self) -> None:
        self.bus.publish(TOPIC, {"type": "CrisisStatus", **self.status()})

    # ------------------------------------------------------------------ timers

    def attach(self, scheduler: Scheduler | None) -> None:
        """Live: wake at the next repeat, escalation or schedule boundary (no polling); None detaches."""
        with self._lock:
            if self._scheduler is not None and self._handle is not None:
                self._scheduler.cancel(self._handle)
            self._scheduler, self._handle = scheduler, None
        if scheduler is not None:
            self._rearm(self.clock.now())

    def _rearm(self, now: float) -> None:
        scheduler = self._scheduler
        if scheduler is None:
            return
        times = [t for c in self._crises.values() if (t := c.plan.next_due()) is not None]
        for playbook, _ in self.playbooks.list():
            for trig in playbook.triggers:
                if isinstance(trig, ScheduleTrigger):
                    times += [x for x in (trig.start.timestamp(), trig.end.timestamp()) if x > now]
        if self._handle is not None:
            scheduler.cancel(self._handle)
            self._handle = None
        if times:
            self._handle = scheduler.call_at(min(times), self.evaluate)
