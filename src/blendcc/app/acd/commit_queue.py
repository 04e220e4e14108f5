"""Group commit's waiting room: commands handed to the single writer while it is busy wait here, and the leading
thread runs them all (one batch) and appends their events in one transaction (ADR 0038)."""

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
    #: customers first seen with this command, stored in its batch's transaction (``NewCustomer``, ADR 0060)
    customers: tuple[Any, ...] = ()
    events: list[Event] | None = None
    error: BaseException | None = None
    done: bool = False
    #: set when the command is done, or when its thread is to lead the next batch
    wake: threading.Event = field(default_factory=threading.Event)

    def succeed(self, events: list[Event]) -> None:
        self.events, self.done = events, True
        self.wake.set()

    def fail(self, error: BaseException) -> None:
        self.error, self.done = error, True
        self.wake.set()

    def outcome(self) -> list[Event]:
        """The command's events, or its error raised (in the caller's thread)."""
        if self.error is not None:
            raise self.error
        assert self.events is not None, "outcome() before the command ran"
        return self.events


@dataclass
class CommitQueue:
    """Thread-safe FIFO of ``Pending`` commands with ONE leader at a time: the thread whose command finds no
    leader leads (runs a batch), then hands the lead to the oldest waiting command's thread, if any; the
    others sleep until their command is done. Waiters never contend for the writer lock (no convoy)."""

    max_batch: int = MAX_BATCH
    _items: collections.deque[Pending] = field(default_factory=collections.deque)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _leading: bool = False

    def put(self, command: Any, timers_first: bool, customers: tuple[Any, ...] = ()) -> tuple[Pending, bool]:
        """Queue ``command``; True if the caller must lead now (nobody else does)."""
        item = Pending(command, timers_first, customers)
        with self._lock:
            self._items.append(item)
            lead = not self._leading
            self._leading = True
        return item, lead

    def take(self) -> list[Pending]:
        """The oldest waiting commands (at most ``max_batch``), removed from the queue."""
        with self._lock:
            n = min(len(self._items), self.max_batch)
            return [self._items.popleft() for _ in range(n)]

    def hand_off(self) -> None:
        """The leader is done: wake the oldest waiting command's thread to lead, or stand the lead down."""
        with self._lock:
            if self._items:
                self._items[0].wake.set()
            else:
                self._leading = False

    def __len__(self) -> int:
        return len(self._items)


#: observer of each committed batch: (commands in it, seconds the append took); metrics hang here
BatchObserver = Callable[[int, float], None]


class WriterLock:
    """The writer's re-entrant lock, which can tell whether the calling thread holds it."""

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._owner: int | None = None
        self._depth = 0

    def acquire(self, blocking: bool = True, timeout: float = -1) -> bool:
        if not self._lock.acquire(blocking, timeout):
            return False
        self._owner = threading.get_ident()
        self._depth += 1
        return True

    def release(self) -> None:
        self._depth -= 1
        if self._depth == 0:
            self._owner = None
        self._lock.release()

    def owned(self) -> bool:
        """True if the calling thread holds the lock."""
        return self._owner == threading.get_ident()

    def __enter__(self) -> bool:
        return self.acquire()

    def __exit__(self, *_exc: object) -> None:
        self.release()
