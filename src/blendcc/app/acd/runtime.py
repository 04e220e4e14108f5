"""The single writer: runs engine commands under one lock, persists their events, then publishes them.

A command's events are appended to the durable store before the command returns (nothing is
acknowledged before it is stored). If the store refuses, the live state is rebuilt from the store so
memory never runs ahead of the log. Group commit (ADR 0038): commands that arrive while the writer is busy
wait in a ``CommitQueue``; the next thread to take the lock runs them all and appends their events in one
transaction, and each caller returns only after that commit.
"""

from __future__ import annotations

import functools
import itertools
import logging
import time
from collections.abc import Callable
from typing import Any, TypeVar

from blendcc.app.acd.commit_queue import MAX_BATCH, BatchObserver, CommitQueue, Pending, WriterLock
from blendcc.app.acd.snapshots import Snapshotter
from blendcc.app.startup import PhaseTimer
from blendcc.domain.customer import NewCustomer
from blendcc.domain.errors import DomainError, FencedOut, InvalidState
from blendcc.domain.events import Event
from blendcc.ports import Clock, CommitSubscriber, EventBus, EventStore, Scheduler, StoredEvent
from blendcc.routing.catalog import Catalog
from blendcc.routing.commands import Batch, Command, Configure, CreateContact, Tick, run
from blendcc.routing.engine import Engine

log = logging.getLogger(__name__)

T = TypeVar("T")
#: after a timer wake-up failed (the store is down), the next one waits at least this long
WAKE_RETRY_S = 1.0


class StoreUnavailable(DomainError):
    code = "unavailable"


class Runtime:
    def __init__(self, catalog: Catalog, store: EventStore, bus: EventBus, clock: Clock,
                 stats: CommitSubscriber | None = None, *, group_commit: bool = True,
                 max_batch: int = MAX_BATCH, standby: bool = False, snapshots: Snapshotter | None = None):
        self.store = store
        self.bus = bus
        self.clock = clock
        #: fed every durably appended batch (with its seqs) after the append, before the bus (live stats)
        self.subscribers: list[CommitSubscriber] = []
        if stats is not None:
            self.subscribers.append(stats)
        self.lock = WriterLock()
        now = clock.now()
        self.engine = Engine(catalog, now)
        self.last_seq = 0
        #: snapshots of the live state (ADR 0052): loaded at start, taken every so many events and at shutdown
        self.snapshots = snapshots
        #: the seq of the last event folded into the live state (what a snapshot taken now covers)
        self.applied_seq = 0
        #: live state may differ from the store (a failed append whose rebuild failed too, or decisions
        #: lost with a failed append): rebuild / re-run overdue work before the next command or view.
        self._stale = False
        self._resume_due = False
        #: wakes the writer when the engine's next timer falls due (``attach_scheduler``; none: ``tick``
        #: is called by whoever drives time, e.g. tests)
        self._scheduler: Scheduler | None = None
        self._wake: tuple[float, object, int] | None = None  # (due, handle, token) of the armed wake-up
        self._wake_tokens = itertools.count(1)
        self._retry_at = float("-inf")
        #: group commit: commands waiting for the writer (off: each command is its own transaction)
        self.group_commit = group_commit
        self._queue = CommitQueue(max_batch)
        #: told (commands, seconds the append took) after each durable append (metrics)
        self.batch_observers: list[BatchObserver] = []
        #: several nodes (ADR 0053): a standby neither replays nor writes until ``take_over``; a leader whose
        #: append was fenced out steps down and tells ``on_fenced`` (called with the writer lock held)
        self.standby = standby
        self.on_fenced: list[Callable[[], None]] = []
        #: how the last rebuild went: wall and CPU seconds of loading the snapshot and replaying the log after it,
        #: the snapshot's seq (None: none was usable) and the events replayed (the startup phases, ADR 0059)
        self.rebuilt: dict[str, Any] = {}
        if not standby:
            self._rebuild(now)

    def _logged(self, contact_id: str) -> bool:
        """True if ``contact_id`` was ever created: a ``Store`` answers from its interactions projection
        (one indexed row), a bare ``EventStore`` from the contact's events."""
        interaction = getattr(self.store, "interaction", None)
        if callable(interaction):
            return interaction(contact_id) is not None
        return bool(self.store.contact_events(contact_id))

    def _logged_many(self, contact_ids: set[str]) -> set[str]:
        """The ids among ``contact_ids`` that were ever created (one query when the store can)."""
        if not contact_ids:
            return set()
        known = getattr(self.store, "known_contacts", None)
        if callable(known):
            return set(known(contact_ids))
        return {cid for cid in contact_ids if self._logged(cid)}

    def _refuse_retried(self, command: Command) -> None:
        """A ``CreateContact(once=True)`` (alone or in a ``Batch``) whose id was ever created is refused;
        checked under the writer lock, so a retried id is refused even if the first one already closed."""
        if type(command) is CreateContact and command.once and self._logged(command.contact_id):
            raise InvalidState(f"contact {command.contact_id} already exists")
        if type(command) is Batch:
            for inner in command.commands:
                self._refuse_retried(inner)

    def _rebuild(self, now: float) -> None:
        """Replay the stored window of events into a fresh engine, then let overdue timers fire."""
        self._replace_engine()
        self._commit(self.engine.resume(now))

    def execute(self, command: Command | Callable[[Engine, float], list[Event]], *,
                timers_first: bool = True, customers: tuple[NewCustomer, ...] = ()) -> list[Event]:
        """Run ``command`` as the single writer (the ``Commands`` port); persist and publish its events.
        ``command`` is a record from ``blendcc.routing.commands``; a callable ``command(engine, now)`` is
        still accepted in-process (tests), but cannot cross a wire. With group commit, a command that
        arrives while the writer is busy is run and stored with the others that arrived meanwhile.
        ``customers``: customers first seen with this command, stored in the same transaction as its events
        (the store must offer ``append_with_customers``; ADR 0060); a refused command stores none."""
        if self.standby:
            raise FencedOut("this node is not the routing leader")
        if customers and not callable(getattr(self.store, "append_with_customers", None)):
            raise TypeError("this event store cannot store customers with events")
        if not self.group_commit or self.lock.owned():
            # group commit off, or this thread holds the writer already (a command caused by a batch's
            # subscribers, a configuration change under the lock): run alone, at once
            with self.lock:
                try:
                    return self._execute(command, timers_first, customers)
                finally:
                    self._arm()
        item, lead = self._queue.put(command, timers_first, customers)
        if not lead:
            item.wake.wait()  # done by a leader's batch, or handed the lead
        if not item.done:
            try:
                with self.lock:
                    try:
                        self._lead()
                    finally:
                        self._arm()
            finally:
                self._queue.hand_off()
        return item.outcome()

    def queue_depth(self) -> int:
        """Commands waiting for the writer now (metrics)."""
        return len(self._queue)

    def _lead(self) -> None:
        """Run the waiting commands (this thread's among them), in order: consecutive command records as one
        batch; an in-process callable alone (it may read the store, which would not show its batch-mates'
        uncommitted events: a message's provider id, a customer's contacts)."""
        items = self._queue.take()
        start = 0
        while start < len(items):
            end = start + 1
            if isinstance(items[start].command, Command):
                while end < len(items) and isinstance(items[end].command, Command):
                    end += 1
            group = items[start:end]
            start = end
            if len(group) == 1:
                try:
                    group[0].succeed(self._execute(group[0].command, group[0].timers_first, group[0].customers))
                except BaseException as exc:
                    group[0].fail(exc)
                continue
            try:
                self._execute_batch(group)
            except BaseException as exc:  # the writer itself failed (store down before the batch): all hear it
                for item in group:
                    if not item.done:
                        item.fail(exc)

    def _execute_batch(self, items: list[Pending]) -> None:
        """Run ``items`` in order on the engine and append all their events in ONE transaction; each is
        answered after that commit. A command refused on its own fails alone (its batch-mates go on); if
        one failed after applying events, or the store refused the batch, the rest run one by one."""
        self._recover()
        now = self.clock.now()
        due = self.engine.next_due()
        if any(i.timers_first for i in items) and due is not None and due <= now:
            self._commit(self.engine.tick(now))
        ran: list[tuple[Pending, list[Event]]] = []
        # retry-safe ids already used: one look-up for the batch (created meanwhile: added by _run_one)
        once = self._logged_many(set().union(*(_once_ids(i.command) for i in items)))
        for n, item in enumerate(items):
            try:
                events = self._run_one(item.command, now, once)
            except Exception as exc:
                item.fail(exc)
                if self.engine.has_pending():  # half applied: start over from the store without it
                    log.warning("command failed after applying events; re-running its batch one by one")
                    self._stale = True
                    self._one_by_one([i for i, _ in ran] + items[n + 1:])
                    return
                continue
            ran.append((item, events))
        try:
            self._commit([e for _, events in ran for e in events], len(ran),
                         tuple(c for i, _ in ran for c in i.customers))
        except InvalidState:  # the store refused the batch (e.g. a duplicate id): find whose events
            log.info("the store refused a batch of %d commands; storing them one by one", len(ran))
            self._one_by_one([i for i, _ in ran])
            return
        except Exception as exc:
            for item, _ in ran:
                item.fail(exc)
            return
        for item, events in ran:
            item.succeed(events)

    def _run_one(self, command: Command, now: float, once: set[str]) -> list[Event]:
        """One command of a batch on the engine (not yet stored); ``once`` holds the retry-safe ids that were
        ever created: those in the store and those the batch created so far (the store cannot know yet)."""
        ids = _once_ids(command)
        if ids & once:
            raise InvalidState(f"contact {sorted(ids & once)[0]} already exists")
        events = run(self.engine, command, now)
        once |= ids
        return events

    def _one_by_one(self, items: list[Pending]) -> None:
        """Fallback of a failed batch: each command in its own transaction, its own outcome."""
        for item in items:
            try:
                item.succeed(self._execute(item.command, item.timers_first, item.customers))
            except Exception as exc:
                item.fail(exc)

    def _execute(self, command: Command | Callable[[Engine, float], list[Event]], timers_first: bool,
                 customers: tuple[NewCustomer, ...] = ()) -> list[Event]:
        self._recover()
        now = self.clock.now()
        due = self.engine.next_due()
        if timers_first and due is not None and due <= now:
            # timers first: an offer that rang out before this command is no longer acceptable
            self._commit(self.engine.tick(now))
        try:
            if isinstance(command, Command):
                self._refuse_retried(command)
                events = run(self.engine, command, now)
            else:
                events = command(self.engine, now)
        except Exception:
            # A refused command must leave no trace; if it had already applied events, start over
            # from the store (else they would be persisted with the next command's events).
            if self.engine.has_pending():
                log.warning("command failed after applying events; rebuilding live state from the store")
                self._stale = True
                try:
                    self._replace_engine()
                except Exception:
                    log.exception("rebuild failed; retrying before the next command")
            raise
        self._commit(events, customers=customers)
        return events

    # ------------------------------------------------------------------ timers: no polling

    def attach_scheduler(self, scheduler: Scheduler | None) -> None:
        """Let ``scheduler`` wake the writer when the engine's next timer falls due (re-armed after every
        command); ``None`` detaches (then ``tick`` must be called by whoever drives time)."""
        with self.lock:
            if self._wake is not None and self._scheduler is not None:
                self._scheduler.cancel(self._wake[1])
            self._wake = None
            self._scheduler = scheduler
            self._arm()

    def _arm(self) -> None:
        """Ask the scheduler for a wake-up at the engine's next due time, unless an earlier one is armed
        (an early wake-up finds nothing due and re-arms). Called with the lock held."""
        scheduler = self._scheduler
        if scheduler is None or self.standby:
            return
        due = self.engine.next_due()
        if due is None:
            return
        due = max(due, self._retry_at)
        armed = self._wake
        if armed is not None:
            if armed[0] <= due:
                return
            scheduler.cancel(armed[1])
        token = next(self._wake_tokens)
        self._wake = (due, scheduler.call_at(due, functools.partial(self._woken, token)), token)

    def _woken(self, token: int) -> None:
        """The scheduler's wake-up: fire the due timers (``tick`` re-arms for the next one)."""
        with self.lock:
            if self._wake is not None and self._wake[2] == token:
                self._wake = None
            if self.standby:  # stepped down since it was armed: the new leader runs the timers
                return
        try:
            self.tick()
        except Exception:
            log.exception("timer tick failed; retrying in %g s", WAKE_RETRY_S)
            with self.lock:
                self._retry_at = self.clock.now() + WAKE_RETRY_S
                if self._wake is not None and self._scheduler is not None:
                    self._scheduler.cancel(self._wake[1])
                self._wake = None
                self._arm()

    def query(self, fn: Callable[[Engine, float], T]) -> T:
        """Read live state consistently (under the writer lock)."""
        with self.lock:
            self._recover(resume=False)
            return fn(self.engine, self.clock.now())

    def _replace_engine(self) -> None:
        """Swap in an engine rebuilt from the store (the current one stays if the store cannot be read): the
        newest valid snapshot plus the events after it, else a replay from the oldest open contact."""
        now = self.clock.now()
        timer = PhaseTimer()
        loaded = self.snapshots.load(self.engine.catalog, now) if self.snapshots is not None else None
        timer.mark("snapshot_load")
        if loaded is not None:
            engine, applied = loaded
            tail = self.store.read(applied)
            engine.replay([s.event for s in tail])
            assert self.snapshots is not None
            self.snapshots.restore_parts(tail)  # at start only: today's statistics, at the same seq (ADR 0059)
            applied = tail[-1].seq if tail else applied
            replayed = len(tail)
        else:
            last = getattr(self.store, "last_seq", None)
            applied = int(last()) if callable(last) else 0
            engine = Engine(self.engine.catalog, now)
            window = self.store.replay_window()
            engine.replay(window)
            replayed = len(window)
        timer.mark("log_replay")
        self.rebuilt = {"phases": timer.figures(), "snapshot_seq": None if loaded is None else loaded[1],
                        "replayed_events": replayed}
        self.engine = engine
        self.applied_seq = applied
        self._stale = False

    def snapshot(self, *, wait: bool = True) -> bool:
        """Take a snapshot of the live state now (clean shutdown, backups); False if there is nothing new to cover."""
        if self.snapshots is None or self.standby:
            return False  # a standby has no live state of its own to snapshot
        with self.lock:
            self._recover(resume=False)
            self.snapshots.flush()
            if self.applied_seq <= self.snapshots.last_seq and self.snapshots.complete:
                return False
            self.snapshots.take(self.engine, self.applied_seq, wait=wait)
            return True

    def _recover(self, resume: bool = True) -> None:
        """After a store failure: rebuild from the store if that did not work yet, then (before a command)
        re-run the overdue timers and matching that the failed append lost (its events were never stored)."""
        if resume and self.standby:
            raise FencedOut("this node is not the routing leader")
        if self._stale:
            try:
                self._replace_engine()
            except Exception as exc:
                raise StoreUnavailable("the event store is unavailable; live state is being recovered") from exc
        if resume and self._resume_due:
            self._resume_due = False
            self._commit(self.engine.resume(self.clock.now()))

    def tick(self) -> list[Event]:
        return self.execute(Tick(), timers_first=False)

    def reconfigure(self, catalog: Catalog) -> list[Event]:
        return self.execute(Configure(catalog))

    def _commit(self, events: list[Event], commands: int = 1, customers: tuple[NewCustomer, ...] = ()) -> None:
        """Append ``events`` (of ``commands`` commands, with the ``customers`` first seen with them) durably,
        then feed the subscribers and the bus."""
        if not events:
            return
        started = time.perf_counter()
        try:
            append = self.store.append
            if customers:  # execute checked that the store has it
                append = functools.partial(self.store.append_with_customers, customers=customers)  # type: ignore[attr-defined]
            seqs = append(events)
        except FencedOut:  # another node holds the lease now: nothing was stored; stop routing here
            log.error("the event store refused this node's append (fenced out by a newer leader); stepping down")
            self._step_down()
            raise
        except ValueError as exc:  # the store refused these events (e.g. a duplicate id): not an outage
            log.warning("event store refused an append: %s", exc)
            self._stale = True
            try:
                self._replace_engine()
            except Exception:
                log.exception("rebuild failed; retrying before the next command")
            raise InvalidState(f"refused by the event store: {exc}") from exc
        except Exception as exc:
            log.exception("event store append failed; rebuilding live state from the store")
            self._stale = True
            self._resume_due = True  # decisions of the lost events (offers, timers) are re-made later
            try:
                self._replace_engine()
            except Exception:
                log.exception("rebuild failed too; retrying before the next command")
            raise StoreUnavailable("the event store is unavailable; the command was not applied") from exc
        self.last_seq = self.applied_seq = seqs[-1]
        elapsed = time.perf_counter() - started
        for observe in self.batch_observers:
            try:
                observe(commands, elapsed)
            except Exception:
                log.exception("batch observer %r failed", observe)
        batch = [StoredEvent(seq, e) for seq, e in zip(seqs, events, strict=True)]
        for subscriber in self.subscribers:
            try:
                subscriber.committed(batch)
            except Exception:  # a read model's failure must not undo or hide a stored command
                log.exception("commit subscriber %r failed", subscriber)
        for s in batch:
            message = s.event.to_dict()
            message["type"] = s.event.type
            message["seq"] = s.seq
            self.bus.publish(s.event.topic, message)
        if self.snapshots is not None and self.snapshots.due(len(events)):
            try:  # the copy is taken under the writer lock; it is encoded and written on another thread
                self.snapshots.take(self.engine, self.applied_seq)
            except Exception:
                log.exception("taking a snapshot failed")

    # ------------------------------------------------------------------ several nodes (ADR 0053)

    def take_over(self, catalog: Catalog) -> None:
        """This node now holds the routing lease (its store fenced with the new token): rebuild the live state
        from the event log, which holds every append of the previous leader (they were committed before the
        lease changed hands, or refused), let overdue timers fire, and start routing."""
        with self.lock:
            self.standby = False
            self.engine = Engine(catalog, self.clock.now())
            self._wake = None
            self._rebuild(self.clock.now())
            self._arm()

    def step_down(self) -> None:
        """Stop routing (the lease was lost): refuse commands, drop the live state, disarm the timer."""
        with self.lock:
            self._step_down()

    def _step_down(self) -> None:
        if self.standby:
            return
        self.standby = True
        self.engine = Engine(self.engine.catalog, self.clock.now())
        if self._wake is not None and self._scheduler is not None:
            self._scheduler.cancel(self._wake[1])
        self._wake = None
        for hook in self.on_fenced:
            try:
                hook()
            except Exception:
                log.exception("step-down hook %r failed", hook)

    def guard_delete(self, kind: str, doc_id: str) -> None:
        """Refuse configuration deletes that would strand live work (called with the lock held)."""
        engine = self.engine
        if kind == "agents" and doc_id in engine.agents and engine.agents[doc_id].logged_in:
            raise InvalidState(f"agent {doc_id} is logged in; log it out first "
                               f"(POST /api/supervisor/agents/{doc_id}/state with status 'offline')")
        if kind == "queues":
            held = sum(1 for x in engine.contacts.values() if x.queue.id == doc_id)
            if held:
                raise InvalidState(f"queue {doc_id} still has {held} contact(s); move them first "
                                   "(POST /api/supervisor/contacts/{id}/move)")


def _once_ids(command: Command) -> set[str]:
    """Ids of the ``CreateContact(once=True)`` in ``command`` (alone or in a ``Batch``)."""
    if type(command) is CreateContact:
        return {command.contact_id} if command.once else set()
    if type(command) is Batch:
        return set().union(*(_once_ids(c) for c in command.commands))
    return set()
