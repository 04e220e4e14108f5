"""A crisis's life, pure and shared by the live service and the simulator: every playbook evaluated at one
moment (``step``), a starting crisis's actions applied in order and an ending one's reverted in reverse order,
each step an event (``start``/``end``); the caller supplies the actions' effects (``ActionPort``)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from blendcc.crisis.evaluate import Change, Figures, PlaybookState, evaluate
from blendcc.crisis.playbook import Action, KpiTrigger, Playbook
from blendcc.domain import crisis_events as ce
from blendcc.domain.events import Event


@dataclass(frozen=True, slots=True)
class Transition:
    """Playbook ``playbook`` (at ``version``) starts (``change``) or ends (``change`` None: it was deleted)."""

    kind: str  # "start" | "end"
    playbook_id: str
    playbook: Playbook | None
    version: int
    change: Change | None


def forecast_queues(playbooks: Iterable[tuple[Playbook, int]]) -> set[str]:
    """The queues an enabled playbook's ``offered_vs_forecast`` trigger watches (only those need a forecast)."""
    return {t.queue for p, _ in playbooks if p.enabled for t in p.triggers
            if isinstance(t, KpiTrigger) and t.metric == "offered_vs_forecast"}


def step(playbooks: Sequence[tuple[Playbook, int]], states: dict[str, PlaybookState], active: Iterable[str],
         figures: Figures, now: float) -> list[Transition]:
    """Evaluate every playbook at ``now`` (``states`` updated in place), in the playbooks' order; then an end
    for each active crisis whose playbook is gone."""
    out: list[Transition] = []
    for playbook, version in playbooks:
        state = states.get(playbook.id) or PlaybookState.initial(playbook)
        state, change = evaluate(playbook, state, figures, now)
        states[playbook.id] = state
        if change is not None:
            out.append(Transition(change.kind, playbook.id, playbook, version, change))
    ids = {p.id for p, _ in playbooks}
    out += [Transition("end", pid, None, 0, None) for pid in sorted(set(active) - ids)]
    return out


class ActionPort(Protocol):
    """What an action does where the crisis runs: ``apply`` returns (detail, prior); ``revert`` restores the
    prior and returns its detail (live: the engine, campaigns, configuration; the simulator: its centre)."""

    def apply(self, crisis_id: str, index: int, action: Action, by: str) -> tuple[dict[str, Any], dict[str, Any]]:
        ...

    def revert(self, crisis_id: str, index: int, action: Action, prior: Mapping[str, Any],
               by: str) -> dict[str, Any]: ...


@dataclass
class Running:
    """An active crisis as the lifecycle sees it: what each applied action replaced (``prior``)."""

    id: str
    playbook: Playbook
    version: int
    started_at: float
    triggers: tuple[str, ...]
    by: str | None = None
    applied: list[tuple[int, dict[str, Any]]] = field(default_factory=list)


Emit = Callable[[Event], None]
#: the detail of a revert done elsewhere (another crisis took the scope over), or None to revert here
Heir = Callable[[Running, int, Action, Mapping[str, Any]], dict[str, Any] | None]
OnError = Callable[[Running, int, Action, Exception], None]


def start(crisis: Running, port: ActionPort, emit: Emit, now: float, centre: Mapping[str, Any],
          on_error: OnError | None = None) -> None:
    """``CrisisStarted``, then each action applied in order with its ``CrisisActionApplied`` (a failing action
    is recorded with its error and never stops the others)."""
    playbook = crisis.playbook
    emit(ce.CrisisStarted(crisis_id=crisis.id, playbook_id=playbook.id, version=crisis.version,
                          triggers=crisis.triggers, figures=dict(centre), by=crisis.by, at=now))
    actor = crisis.by or f"crisis:{crisis.id}"
    for i, action in enumerate(playbook.actions):
        try:
            detail, prior = port.apply(crisis.id, i, action, actor)
        except Exception as exc:
            if on_error is not None:
                on_error(crisis, i, action, exc)
            detail, prior = {"error": str(exc)[:300]}, {"failed": True}
        crisis.applied.append((i, prior))
        emit(ce.CrisisActionApplied(crisis_id=crisis.id, index=i, kind=action.kind, detail=detail, prior=prior,
                                    at=now))


def revert(crisis: Running, port: ActionPort, emit: Emit, now: float, by: str | None,
           heir: Heir | None = None, on_error: OnError | None = None) -> None:
    """Each applied action reverted in reverse order with its ``CrisisActionReverted`` (failed ones skipped;
    one ``heir`` takes over is recorded as handed over). The caller emits ``CrisisEnded`` after its own
    end-of-crisis work (live: the last notifications)."""
    actor = by or f"crisis:{crisis.id}"
    for i, prior in reversed(crisis.applied):
        if prior.get("failed"):
            continue
        action = crisis.playbook.actions[i]
        handed = heir(crisis, i, action, prior) if heir is not None else None
        if handed is not None:
            detail = handed
        else:
            try:
                detail = port.revert(crisis.id, i, action, prior, actor)
            except Exception as exc:
                if on_error is not None:
                    on_error(crisis, i, action, exc)
                detail = {"error": str(exc)[:300]}
        emit(ce.CrisisActionReverted(crisis_id=crisis.id, index=i, kind=action.kind, detail=detail, at=now))


def ended(crisis: Running, emit: Emit, now: float, by: str | None) -> None:
    emit(ce.CrisisEnded(crisis_id=crisis.id, playbook_id=crisis.playbook.id, by=by, at=now))
