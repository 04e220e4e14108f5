"""Group commit's waiting room: commands handed to the single writer while it is busy wait here, and the next
thread that takes the writer lock runs them all and appends their events in one transaction (ADR 0038)."""

from __future__ import annotations

import collections
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from blendcc.domain.events import Event

#: at most this many commands share one transaction (the rest wait for the next one)
MAX_BATCH = 256


@dataclass(eq=False)
class Pending:
    """One caller's command and, once its batch is committed (or it failed alone), its outcome."""

    command: Any  # a ``routing.commands.Command`` or an in-process callable ``(engine, now) -> events``
    timers_first: bool
    events: list[Event] | None = None
    error: BaseException | None = None
    done: bool = False

    def succeed(self, events: list[Event]) -> None:
        self.events, self.done = events, True

    def fail(self, error: BaseException) -> None:
        self.error, self.done = error, True

    def outcome(self) -> list[Event]:
        """The command's events, or its error raised (in the caller's thread)."""
        if self.error is not None:
            raise self.error
        assert self.events is not None, "outcome() before the command ran"
        return self.events


@dataclass
class CommitQueue:
    """Thread-safe FIFO of ``Pending`` commands; ``take`` hands out up to ``max_batch`` of them at once."""

    max_batch: int = MAX_BATCH
    _items: collections.deque[Pending] = field(default_factory=collections.deque)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def put(self, command: Any, timers_first: bool) -> Pending:
        item = Pending(command, timers_first)
        with self._lock:
            self._items.append(item)
        return item

    def take(self) -> list[Pending]:
        """The oldest waiting commands (at most ``max_batch``), removed from the queue."""
        with self._lock:
            n = min(len(self._items), self.max_batch)
            return [self._items.popleft() for _ in range(n)]

    def __len__(self) -> int:
        return len(self._items)


#: observer of each committed batch: (commands in it, seconds the append took); metrics hang here
BatchObserver = Callable[[int, float], None]
