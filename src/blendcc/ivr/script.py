"""A scripted driver: run a flow over a list of caller inputs and record every answer (flow authoring,
the simulate endpoint, the simulator). Prompts of ``play`` nodes finish at once and lookups are
answered by an injected function, so a script only holds what the caller does."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel

from blendcc.ivr.flow import HoursNode, IvrFlow, PromptRef
from blendcc.ivr.interpreter import start, step
from blendcc.ivr.messages import Action, Event, Lookup, LookupResult, PromptFinished
from blendcc.ivr.session import IvrContext, IvrSession


@dataclass(frozen=True)
class ScriptInput:
    """One thing the caller (or the queue) does, ``after_s`` seconds after the previous one."""

    event: Event
    after_s: float = 1.0


@dataclass
class ScriptStep:
    input: Event | None  # None: the start of the call, or an automatic driver answer
    at: float
    actions: list[Action]
    node: str
    status: str
    automatic: bool = False


@dataclass
class ScriptRun:
    steps: list[ScriptStep] = field(default_factory=list)
    session: IvrSession | None = None


def run_script(flow: IvrFlow, context: IvrContext, inputs: Sequence[ScriptInput], at: float,
               lookup: Callable[[str], LookupResult] | None = None, max_automatic: int = 1000) -> ScriptRun:
    """Start the flow at ``at`` and feed ``inputs``; stops early when the call is over."""
    run = ScriptRun()
    session, actions = start(flow, context, at)
    run.steps.append(ScriptStep(None, at, actions, session.node, session.status))
    session = _answer(flow, session, actions, at, lookup, run, max_automatic)
    now = at
    for item in inputs:
        if session.status == "ended":
            break
        now += item.after_s
        session, actions = step(flow, session, item.event, now)
        run.steps.append(ScriptStep(item.event, now, actions, session.node, session.status))
        session = _answer(flow, session, actions, now, lookup, run, max_automatic)
    run.session = session
    return run


def _answer(flow: IvrFlow, session: IvrSession, actions: list[Action], now: float,
            lookup: Callable[[str], LookupResult] | None, run: ScriptRun, budget: int) -> IvrSession:
    """Answer what a real driver would answer by itself: finished prompts, lookups."""
    for _ in range(budget):
        event: Event | None = None
        wanted = next((a for a in actions if isinstance(a, Lookup)), None)
        if wanted is not None and session.waiting == "lookup":
            event = lookup(wanted.caller_id) if lookup is not None else LookupResult(False)
        elif session.waiting == "prompt":
            event = PromptFinished()
        if event is None:
            return session
        session, actions = step(flow, session, event, now)
        run.steps.append(ScriptStep(event, now, actions, session.node, session.status, automatic=True))
    return session


def flow_warnings(flow: IvrFlow, calendars: set[str], prompt_exists: Callable[[str], bool] | None) -> list[str]:
    """What a valid flow still gets wrong against the rest of the configuration."""
    out: list[str] = []
    for node in flow.nodes:
        if isinstance(node, HoursNode) and node.calendar not in calendars:
            out.append(f"node {node.id}: calendar {node.calendar!r} does not exist (counts as closed)")
    if prompt_exists is not None:
        for pid in sorted({p.prompt_id for p in _prompts(flow) if p.prompt_id is not None}):
            if not prompt_exists(pid):
                out.append(f"prompt {pid!r} has not been uploaded")
    return out


def _prompts(flow: IvrFlow) -> list[PromptRef]:
    found: list[PromptRef] = []

    def walk(value: Any) -> None:
        if isinstance(value, PromptRef):
            found.append(value)
        elif isinstance(value, list):
            for v in value:
                walk(v)
        elif isinstance(value, BaseModel):
            for name in type(value).model_fields:
                walk(getattr(value, name))

    walk(flow)
    return found
