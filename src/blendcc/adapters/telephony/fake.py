"""FakeTelephony: a Telephony whose calls end as scripted (per number) or drawn from a mix with an injected Rng."""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from blendcc.dialer.amd import AmdSettings
from blendcc.domain.telephony import AnsweredBy, TelephonyEvent, TelephonyEventKind
from blendcc.ports import Clock, Rng

#: what a scripted call does: answered by a human / machine / fax, or busy, no answer, failed...
RESULTS = ("human", "machine", "fax", "unknown", "busy", "no_answer", "failed", "invalid", "disconnected")


@dataclass(frozen=True, slots=True)
class ScriptedCall:
    """One call's fate. ``ring_s``: seconds of ringing before the answer/busy/failure (no_answer always
    lasts the call's ring timeout). ``hangup_after_s``: the callee hangs up this long after answering
    (None: stays until the dialer hangs up)."""

    result: str
    ring_s: float = 5.0
    hangup_after_s: float | None = None

    def __post_init__(self) -> None:
        if self.result not in RESULTS:
            raise ValueError(f"unknown scripted result {self.result!r}; use one of {', '.join(RESULTS)}")


@dataclass(slots=True)
class PlacedCall:
    call_id: str
    to: str
    caller_id: str
    ring_timeout_s: float
    placed_at: float
    script: ScriptedCall
    answered: bool = False
    ended: bool = False
    prompts: list[str] = field(default_factory=list)


class FakeTelephony:
    """Telephony for tests and demos. Events are queued with their due time and delivered, in time
    order, by ``deliver_due()`` (everything due at ``clock.now()``) or ``run_until(t)`` (moves a
    FakeClock-like clock with ``set`` from event to event).

    The fate of a call to number N is the next entry of ``script[N]`` when given, otherwise drawn
    from ``mix`` (result -> weight) with ``rng``, with a ring time uniform in ``ring_s``.
    """

    def __init__(self, clock: Clock, rng: Rng, *, script: Mapping[str, Sequence[ScriptedCall]] | None = None,
                 mix: Mapping[str, float] | None = None, ring_s: tuple[float, float] = (2.0, 20.0),
                 talk_s: tuple[float, float] | None = None) -> None:
        self.clock = clock
        self.rng = rng
        self._script = {k: list(v) for k, v in (script or {}).items()}
        self.mix = dict(mix or {"human": 0.3, "machine": 0.1, "busy": 0.1, "no_answer": 0.5})
        for result in self.mix:
            if result not in RESULTS:
                raise ValueError(f"unknown result {result!r} in mix")
        self.ring_s = ring_s
        self.talk_s = talk_s
        self.calls: dict[str, PlacedCall] = {}
        #: the AMD settings each call was placed with (the verdict itself comes from the script)
        self.amd: dict[str, AmdSettings] = {}
        self.played: list[tuple[str, str]] = []
        self._handlers: list[Callable[[TelephonyEvent], None]] = []
        self._queue: list[tuple[float, int, TelephonyEvent]] = []
        self._seq = itertools.count()

    # ------------------------------------------------------------------ Telephony port

    def on_event(self, handler: Callable[[TelephonyEvent], None]) -> None:
        self._handlers.append(handler)

    def place_call(self, call_id: str, to: str, caller_id: str, ring_timeout_s: float,
                   amd: AmdSettings | None = None) -> None:
        if call_id in self.calls:
            raise ValueError(f"call {call_id!r} already placed")
        now = self.clock.now()
        script = self._fate(to)
        call = PlacedCall(call_id, to, caller_id, ring_timeout_s, now, script)
        self.calls[call_id] = call
        if amd is not None:
            self.amd[call_id] = amd
        if script.result in ("invalid", "disconnected"):
            self._push(now, call_id, "failed", cause=script.result)
            return
        self._push(now, call_id, "ringing")
        ring = min(script.ring_s, ring_timeout_s)
        if script.result == "no_answer" or script.ring_s >= ring_timeout_s:
            self._push(now + ring_timeout_s, call_id, "no_answer")
        elif script.result == "busy":
            self._push(now + ring, call_id, "busy")
        elif script.result == "failed":
            self._push(now + ring, call_id, "failed", cause="congestion")
        else:
            answered_by: AnsweredBy = script.result  # type: ignore[assignment]
            self._push(now + ring, call_id, "answered", answered_by=answered_by)
            if script.hangup_after_s is not None:
                self._push(now + ring + script.hangup_after_s, call_id, "hangup", cause="remote")

    def hangup(self, call_id: str) -> None:
        call = self.calls.get(call_id)
        if call is None or call.ended:
            return
        call.ended = True
        # anything still scheduled for this call will not happen; the hangup is reported now
        self._queue = [item for item in self._queue if item[2].call_id != call_id]
        heapq.heapify(self._queue)
        self._push(self.clock.now(), call_id, "hangup", cause="local")

    def play(self, call_id: str, prompt: str) -> None:
        call = self.calls.get(call_id)
        if call is None:
            raise ValueError(f"unknown call {call_id!r}")
        call.prompts.append(prompt)
        self.played.append((call_id, prompt))

    # ------------------------------------------------------------------ driving

    def next_due(self) -> float | None:
        return self._queue[0][0] if self._queue else None

    def deliver_due(self) -> int:
        """Deliver every queued event due at or before ``clock.now()``; returns how many."""
        n = 0
        while self._queue and self._queue[0][0] <= self.clock.now():
            _, _, event = heapq.heappop(self._queue)
            self._deliver(event)
            n += 1
        return n

    def run_until(self, t: float) -> int:
        """Move the clock (it must have ``set``) from event to event up to ``t``, delivering each."""
        setter = getattr(self.clock, "set", None)
        if setter is None:
            raise TypeError("run_until needs a clock with set(t), e.g. FakeClock")
        n = 0
        while self._queue and self._queue[0][0] <= t:
            due = self._queue[0][0]
            if due > self.clock.now():
                setter(due)
            n += self.deliver_due()
        if t > self.clock.now():
            setter(t)
        return n

    # ------------------------------------------------------------------ internals

    def _deliver(self, event: TelephonyEvent) -> None:
        call = self.calls[event.call_id]
        if event.kind == "answered":
            call.answered = True
        if event.kind in ("busy", "no_answer", "failed", "hangup"):
            call.ended = True
        for handler in list(self._handlers):
            handler(event)

    def _push(self, at: float, call_id: str, kind: TelephonyEventKind, *, answered_by: AnsweredBy | None = None,
              cause: str | None = None) -> None:
        event = TelephonyEvent(call_id=call_id, kind=kind, at=at, answered_by=answered_by, cause=cause)
        heapq.heappush(self._queue, (at, next(self._seq), event))

    def _fate(self, to: str) -> ScriptedCall:
        queued = self._script.get(to)
        if queued:
            return queued.pop(0)
        total = sum(self.mix.values())
        x = self.rng.random() * total
        result = next(iter(self.mix))
        for name, weight in self.mix.items():
            if x < weight:
                result = name
                break
            x -= weight
        lo, hi = self.ring_s
        ring = lo + (hi - lo) * self.rng.random()
        hang = None
        if self.talk_s is not None and result in ("human", "unknown"):
            hang = self.talk_s[0] + (self.talk_s[1] - self.talk_s[0]) * self.rng.random()
        return ScriptedCall(result, ring, hang)
