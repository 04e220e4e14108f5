"""IVR driver for voice calls: runs the pure interpreter's actions on a call (prompts, digits, queueing).

Follows the driver contract of ``blendcc.ivr.messages``: the actions of one answer run in order;
prompts queue one after another (a looping prompt repeats until the next ``Play`` replaces it); a
``Collect`` listens at once (a digit barges in and stops the queued prompts) and its timeout starts when
the prompts have finished; ``Wait`` asks for a ``Timeout``; ``Hangup`` takes effect after the prompts;
``PromptFinished`` is sent when a ``play`` node's prompt ends. Everything runs on the gateway's loop.
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from blendcc.app.channels.voice.service import VoiceCall, VoiceService
from blendcc.domain.calendar import BusinessHours
from blendcc.ivr import interpreter
from blendcc.ivr.flow import IvrFlow, PromptRef
from blendcc.ivr.messages import (
    Action,
    Callback,
    CallerHungUp,
    Collect,
    Dtmf,
    EnqueueContact,
    Event,
    Hangup,
    Lookup,
    LookupResult,
    Play,
    PromptFinished,
    QueueUpdate,
    SetAttributes,
    Timeout,
    Voicemail,
    Wait,
)
from blendcc.ivr.session import IvrContext, IvrSession

log = logging.getLogger(__name__)
#: renders a prompt (in the flow's language) to an 8 kHz WAV path; None when it cannot be played
Render = Callable[[PromptRef, str], str | None]


@dataclass
class IvrRun:
    vc: VoiceCall
    flow: IvrFlow
    session: IvrSession
    prompts: deque[tuple[PromptRef, bool]] = field(default_factory=deque)
    playing: tuple[PromptRef, bool] | None = None
    collect: Collect | None = None
    collect_timer: Any = None
    wait_timer: Any = None
    after_prompts: list[Action] = field(default_factory=list)
    expect_finish: bool = False
    attributes: dict[str, Any] = field(default_factory=dict)
    generation: int = 0  # bumps when prompts are interrupted, so late callbacks are ignored
    #: a flow run on a call after its conversation (the post-call survey): told once, when the run stops,
    #: with the session and whether the caller hung up; None for the call's entry flow
    on_end: Callable[[IvrSession, bool], None] | None = None


class IvrDriver:
    """Plugs into ``VoiceService`` (``ivr_start``/``ivr_digit``/``ivr_stop``) and drives one flow per call."""

    def __init__(self, voice: VoiceService, flow_for: Callable[[VoiceCall], IvrFlow | None], render: Render,
                 now: Callable[[], float], lookup: Callable[[str], LookupResult] | None = None,
                 position: Callable[[str], int | tuple[int | None, float | None] | None] | None = None,
                 calendars: Callable[[], Mapping[str, BusinessHours]] | None = None):
        self.voice = voice
        self.gateway = voice.gateway
        self.flow_for = flow_for
        self.render = render
        self.now = now
        self.lookup = lookup
        #: where a queued contact stands (1 = next) and, optionally, its expected wait in seconds
        self.position = position
        #: the business-hours calendars hours nodes are checked against (the routing catalog's)
        self.calendars = calendars
        self.runs: dict[str, IvrRun] = {}
        voice.ivr_start = self.start
        voice.ivr_digit = self.digit
        voice.ivr_stop = self.stop

    def start(self, vc: VoiceCall) -> bool:
        try:
            flow = self.flow_for(vc)
        except Exception:
            log.exception("cannot load the IVR flow for %s", vc.dialled)
            flow = None
        if flow is None:
            return False
        ctx = IvrContext(caller_id=vc.caller_id, dialled=vc.dialled,
                         calendars=self.calendars() if self.calendars is not None else {})
        session, actions = interpreter.start(flow, ctx, self.now())
        run = IvrRun(vc, flow, session)
        self.runs[vc.contact_id] = run
        self._apply(run, actions)
        return True

    def run(self, vc: VoiceCall, flow: IvrFlow, on_end: Callable[[IvrSession, bool], None]) -> None:
        """Run ``flow`` on a call that is past its conversation (a post-call survey); ``on_end(session,
        hung_up)`` once when it stops. The flow's hang-up ends the call through ``VoiceService.hang_up``."""
        ctx = IvrContext(caller_id=vc.caller_id, dialled=vc.dialled)
        session, actions = interpreter.start(flow, ctx, self.now())
        run = IvrRun(vc, flow, session, on_end=on_end)
        self.runs[vc.contact_id] = run
        vc.ivr_active = True
        self._apply(run, actions)

    def digit(self, vc: VoiceCall, digit: str) -> None:
        run = self.runs.get(vc.contact_id)
        if run is None:
            return
        if run.collect is not None:  # barge-in: the caller is answering, stop the queued prompts
            self._interrupt(run)
            _cancel(run.collect_timer)
            run.collect_timer = None
        self._step(run, Dtmf(digit))

    def stop(self, vc: VoiceCall, hung_up: bool) -> None:
        """The call left the IVR for good (connected to an agent, ended): stop prompts and timers."""
        run = self.runs.pop(vc.contact_id, None)
        if run is None:
            return
        _cancel(run.collect_timer)
        _cancel(run.wait_timer)
        run.generation += 1
        self.gateway.stop_playing(vc.customer)
        if hung_up:
            run.session, _ = interpreter.step(run.flow, run.session, CallerHungUp(), self.now())
        if run.on_end is not None:
            run.on_end(run.session, hung_up)
            return
        vc.ivr_session = run.session  # the choices and path so far, for a call that ends in the IVR

    # ------------------------------------------------------------------ interpreter <-> call
    def _step(self, run: IvrRun, event: Event) -> None:
        if self.runs.get(run.vc.contact_id) is not run:
            return
        run.session, actions = interpreter.step(run.flow, run.session, event, self.now())
        self._apply(run, actions)

    def _apply(self, run: IvrRun, actions: list[Action]) -> None:
        plays = False
        collects = False
        for a in actions:
            if isinstance(a, Play):
                if run.playing is not None and run.playing[1]:  # a looping prompt is replaced
                    self._interrupt(run)
                if a.loop:
                    run.prompts = deque(p for p in run.prompts if not p[1])
                else:
                    plays = True
                run.prompts.append((a.prompt, a.loop))
            elif isinstance(a, Collect):
                collects = True
                run.collect = a
                _cancel(run.collect_timer)
                run.collect_timer = None
            elif isinstance(a, Wait):
                _cancel(run.wait_timer)
                run.wait_timer = self.gateway.call_later(a.timeout_s, lambda: self._waited(run))
            elif isinstance(a, Lookup):
                self._lookup(run, a.caller_id)
            elif isinstance(a, SetAttributes):
                run.attributes.update(a.attributes)
            elif isinstance(a, EnqueueContact):
                run.collect = None
                self.voice.enqueue(run.vc, {k: str(v) for k, v in a.ivr.items()}, a.priority,
                                   {**run.attributes, **a.attributes})
            elif isinstance(a, Hangup | Voicemail | Callback):
                run.collect = None
                run.after_prompts.append(a)
        if plays and not collects and run.session.waiting == "prompt":
            run.expect_finish = True
        self._pump(run)

    def _pump(self, run: IvrRun) -> None:
        if run.playing is not None:
            return
        if not run.prompts:
            self._drained(run)
            return
        prompt, loop = run.prompts.popleft()
        run.playing = (prompt, loop)
        gen = run.generation
        language = prompt.language or run.flow.language

        def rendered(path: str | None, error: Exception | None) -> None:
            if gen != run.generation or self.runs.get(run.vc.contact_id) is not run:
                return
            if path is None or not self.gateway.play(run.vc.customer, path, lambda: self._played(run, gen),
                                                     repeat=loop):
                log.info("prompt not played (%s): %s", error or "no audio", prompt)
                self._played(run, gen)

        self.gateway.submit(lambda: self.render(prompt, language), rendered)

    def _played(self, run: IvrRun, gen: int) -> None:
        if gen != run.generation:
            return
        run.playing = None
        self._pump(run)

    def _interrupt(self, run: IvrRun) -> None:
        run.generation += 1
        run.playing = None
        run.prompts.clear()
        self.gateway.stop_playing(run.vc.customer)

    def _drained(self, run: IvrRun) -> None:
        if run.after_prompts:
            a = run.after_prompts.pop(0)
            run.after_prompts.clear()
            if isinstance(a, Voicemail):
                self.voice.voicemail(run.vc, a.mailbox, a.max_seconds, a.ivr, {**run.attributes, **a.attributes})
            elif isinstance(a, Callback) and a.keep_place:
                self.voice.callback(run.vc, a.number)
            else:
                self.voice.hang_up(run.vc)
            return
        if run.collect is not None and run.collect_timer is None:
            run.collect_timer = self.gateway.call_later(run.collect.timeout_s, lambda: self._collect_timeout(run))
        elif run.expect_finish:
            run.expect_finish = False
            self._step(run, PromptFinished())

    def _waited(self, run: IvrRun) -> None:
        """A Wait ran out; while queued, tell the interpreter the caller's position first (announcements)."""
        run.wait_timer = None
        position = self.position
        if position is None or run.session.status != "queued":
            self._step(run, Timeout())
            return
        cid = run.vc.contact_id

        def done(pos: int | tuple[int | None, float | None] | None, error: Exception | None) -> None:
            if error is not None:
                log.info("queue position of %s unknown: %s", cid, error)
            self._step(run, QueueUpdate(*pos) if isinstance(pos, tuple) else QueueUpdate(pos))
            self._step(run, Timeout())

        self.gateway.submit(lambda: position(cid), done)

    def _collect_timeout(self, run: IvrRun) -> None:
        run.collect_timer = None
        self._step(run, Timeout())

    def _lookup(self, run: IvrRun, caller_id: str) -> None:
        if self.lookup is None:
            self._step(run, LookupResult(False))
            return
        lookup = self.lookup

        def done(result: LookupResult | None, error: Exception | None) -> None:
            self._step(run, result if result is not None else LookupResult(False))

        self.gateway.submit(lambda: lookup(caller_id), done)

    def view(self, contact_id: str) -> Mapping[str, Any] | None:
        run = self.runs.get(contact_id)
        return run.session.view() if run is not None else None


def expected_wait(position: int, aht_s: float | None, staffed_agents: int) -> float | None:
    """Expected wait of the caller at ``position`` (1 = next): ``position x AHT / staffed agents``.

    Each staffed agent frees up once per average handle time, so ``n`` agents serve the line at ``n / AHT``
    callers per second and the caller at position ``p`` is reached after about ``p x AHT / n`` seconds.
    None (no announcement) when there is no AHT yet today or no agent is staffed."""
    if aht_s is None or aht_s <= 0 or staffed_agents <= 0 or position <= 0:
        return None
    return position * aht_s / staffed_agents


def _cancel(handle: Any) -> None:
    if handle is not None:
        handle.cancel()
