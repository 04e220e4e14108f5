"""The discrete-event kernel: a virtual clock and one loop merging its own event heap with the engine's timers.

The kernel is also the simulator's ``ports.Scheduler`` (``call_at``/``call_later``/``cancel`` on the
same heap), so code written against the port runs unchanged in virtual time.

Usage (what ``SimCentre`` does, and what other drivers such as the dialer's simulation build on)::

    clock = SimClock(t0)
    kernel = Kernel(engine, on_events=centre.handle, clock=clock)
    kernel.at(t0 + 5.0, some_action, payload)   # some_action(payload) runs with clock.now() == t0 + 5
    kernel.run(until=t0 + 86400)

An action calls engine commands with ``kernel.now`` and passes the returned events to whoever folds
and reacts to them (``on_events``). Whenever the engine's earliest timer (``Engine.next_due``: ring-no-
answer, step timeouts, maximum wait, timed wrap-up) is due no later than the next kernel event, the
kernel jumps to it and calls ``Engine.tick``; otherwise it jumps to its own next event. Time never
goes backwards; ties run engine timers first, then kernel events in the order they were scheduled.
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Callable, Sequence
from typing import Any, Protocol

from blendcc.domain.events import Event


class SimClock:
    """A ``ports.Clock`` whose time is the kernel's virtual time (UTC epoch seconds)."""

    __slots__ = ("t",)

    def __init__(self, start: float) -> None:
        self.t = float(start)

    def now(self) -> float:
        return self.t


class TimerSource(Protocol):
    """What the kernel needs from the engine: when its next timer is due, and firing due timers."""

    def next_due(self) -> float | None: ...
    def tick(self, now: float) -> list[Event]: ...


Action = Callable[[Any], None]


class Timer:
    """A ``Scheduler`` handle of the kernel: a job that does nothing once cancelled."""

    __slots__ = ("cancelled", "fn", "when")

    def __init__(self, when: float, fn: Callable[[], object]) -> None:
        self.when = when
        self.fn = fn
        self.cancelled = False

    def __call__(self, _payload: Any) -> None:
        if not self.cancelled:
            self.cancelled = True  # ran: a later cancel does nothing
            self.fn()


class Kernel:
    """Jumps from event to event; ``at`` schedules an action, ``run`` executes until idle or ``until``."""

    def __init__(self, engine: TimerSource, on_events: Callable[[Sequence[Event]], None],
                 clock: SimClock) -> None:
        self.engine = engine
        self.on_events = on_events
        self.clock = clock
        self._heap: list[tuple[float, int, Action, Any]] = []
        self._seq = itertools.count()
        self.steps = 0  # kernel events and engine ticks executed

    @property
    def now(self) -> float:
        return self.clock.t

    def at(self, t: float, action: Action, payload: Any = None) -> None:
        """Run ``action(payload)`` at virtual time ``t`` (not before now: the past is clamped to now)."""
        t = max(t, self.clock.t)
        heapq.heappush(self._heap, (t, next(self._seq), action, payload))

    def pending(self) -> int:
        return len(self._heap)

    # ``ports.Scheduler`` in virtual time (the same heap: ties run in the order they were scheduled)

    def call_at(self, when: float, fn: Callable[[], object]) -> Timer:
        timer = Timer(max(when, self.clock.t), fn)
        self.at(timer.when, timer)
        return timer

    def call_later(self, delay: float, fn: Callable[[], object]) -> Timer:
        return self.call_at(self.clock.t + max(0.0, delay), fn)

    def cancel(self, handle: object) -> None:
        if isinstance(handle, Timer):
            handle.cancelled = True  # left in the heap; skipped when it comes up

    def run(self, until: float) -> float:
        """Execute events in time order until nothing is left or the next one is after ``until``.
        Returns the virtual time reached."""
        heap = self._heap
        pop = heapq.heappop
        engine = self.engine
        next_due = engine.next_due
        tick = engine.tick
        on_events = self.on_events
        clock = self.clock
        steps = 0
        while True:
            due = next_due()
            if heap:
                t = heap[0][0]
                if due is not None and due <= t:
                    if due > until:
                        break
                    clock.t = max(clock.t, due)
                    events = tick(due)
                    if events:
                        on_events(events)
                else:
                    if t > until:
                        break
                    _, _, action, payload = pop(heap)
                    clock.t = t
                    action(payload)
            elif due is not None:
                if due > until:
                    break
                clock.t = max(clock.t, due)
                events = tick(due)
                if events:
                    on_events(events)
            else:
                break
            steps += 1
        self.steps += steps
        return clock.t
