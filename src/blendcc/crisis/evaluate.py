"""The pure playbook evaluation: live figures at ``now`` -> which triggers hold, with their hold times and
hysteresis, and whether the playbook starts or ends. No clock, no I/O: live and the simulator call it alike."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Literal

from blendcc.crisis.playbook import (
    METRICS,
    ChannelTrigger,
    KpiTrigger,
    Playbook,
    ScheduleTrigger,
    SwitchTrigger,
)


@dataclass(frozen=True, slots=True)
class Figures:
    """What the evaluation sees at one moment: per queue (``*``: the centre) its figures by metric name (None:
    not known yet), the channels reported unhealthy and the playbooks a supervisor switched on."""

    queues: Mapping[str, Mapping[str, float | None]] = field(default_factory=dict)
    unhealthy: frozenset[str] = frozenset()
    switched_on: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class TriggerState:
    """``active``: the trigger fired and has not ended. ``since``: when the condition that would change that
    (the breach while inactive, the recovery while active) started to hold without a break; None if it does
    not hold now. ``value``: the figure seen last (KPI triggers)."""

    active: bool = False
    since: float | None = None
    value: float | None = None


@dataclass(frozen=True, slots=True)
class PlaybookState:
    triggers: tuple[TriggerState, ...]
    active: bool = False

    @staticmethod
    def initial(playbook: Playbook) -> PlaybookState:
        return PlaybookState(tuple(TriggerState() for _ in playbook.triggers))


@dataclass(frozen=True, slots=True)
class Change:
    """The playbook started or ended at ``at``; ``triggers``: the labels of the triggers active then."""

    kind: Literal["start", "end"]
    at: float
    triggers: tuple[str, ...]


def _condition(trigger: KpiTrigger | ChannelTrigger | ScheduleTrigger | SwitchTrigger, playbook_id: str,
               figures: Figures, now: float) -> tuple[bool, bool, float | None]:
    """(breach, recovered, value) of one trigger now; both False in a KPI's hysteresis band."""
    if isinstance(trigger, KpiTrigger):
        value = figures.queues.get(trigger.queue, {}).get(trigger.metric)
        if value is None:
            return False, True, None
        clear_at = trigger.threshold if trigger.clear_at is None else trigger.clear_at
        if METRICS[trigger.metric] == "below":
            return value < trigger.threshold, value >= clear_at, value
        return value > trigger.threshold, value <= clear_at, value
    if isinstance(trigger, ChannelTrigger):
        down = trigger.channel in figures.unhealthy
        return down, not down, None
    if isinstance(trigger, ScheduleTrigger):
        inside = trigger.start.timestamp() <= now < trigger.end.timestamp()
        return inside, not inside, None
    on = playbook_id in figures.switched_on
    return on, not on, None


def _delays(trigger: KpiTrigger | ChannelTrigger | ScheduleTrigger | SwitchTrigger) -> tuple[float, float]:
    if isinstance(trigger, KpiTrigger | ChannelTrigger):
        return trigger.for_s, trigger.clear_for_s
    return 0.0, 0.0


def step_trigger(trigger: KpiTrigger | ChannelTrigger | ScheduleTrigger | SwitchTrigger, state: TriggerState,
                 playbook_id: str, figures: Figures, now: float) -> TriggerState:
    """One trigger's next state: it fires after its breach held ``for_s`` and ends after its recovery held
    ``clear_for_s`` (a KPI recovers past ``clear_at``, so a figure hovering at the threshold does not flap)."""
    breach, recovered, value = _condition(trigger, playbook_id, figures, now)
    hold_s, clear_s = _delays(trigger)
    watching = recovered if state.active else breach
    since = (state.since if state.since is not None else now) if watching else None
    if since is not None and now - since >= (clear_s if state.active else hold_s):
        return TriggerState(not state.active, None, value)
    return replace(state, since=since, value=value)


def evaluate(playbook: Playbook, state: PlaybookState, figures: Figures,
             now: float) -> tuple[PlaybookState, Change | None]:
    """Every trigger's next state and the playbook's: it starts when ``match`` of its triggers are active and
    ends when that no longer holds. A disabled playbook neither starts nor stays active."""
    if len(state.triggers) != len(playbook.triggers):  # the document changed: start its triggers afresh
        state = replace(PlaybookState.initial(playbook), active=state.active)
    triggers = tuple(step_trigger(t, s, playbook.id, figures, now)
                     for t, s in zip(playbook.triggers, state.triggers, strict=True))
    flags = [t.active for t in triggers]
    holds = playbook.enabled and (any(flags) if playbook.match == "any" else all(flags))
    labels = tuple(t.label for t, s in zip(playbook.triggers, triggers, strict=True) if s.active)
    change = None
    if holds != state.active:
        change = Change("start" if holds else "end", now, labels)
    return PlaybookState(triggers, holds), change
