"""Scheduled callbacks of any contact with a customer phone: schedule, cancel, mark done (events in the log),
the agent's own list (with the dialer's personal callbacks), and the due-time push on the bus topic "agent"."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Sequence
from typing import Any

from blendcc.dialer.dnc import normalise
from blendcc.domain.callback_events import CallbackCancelled, CallbackDone, CallbackScheduled
from blendcc.domain.errors import Forbidden, InvalidState, NotFound, ValidationFailed
from blendcc.ports import CallbackReader, Clock, Commands, CustomerRepository, EventBus, Scheduler
from blendcc.routing.commands import AppendEvents

MAX_AHEAD_S = 366 * 86400.0  # a callback is scheduled at most a year ahead
NOTE_MAX = 2000


class CallbackService:
    """Callbacks are facts in the event log (``domain.callback_events``), read back from the
    ``scheduled_callbacks`` projection. While the server runs (``attach``), one Scheduler timer is armed at
    the earliest callback not yet announced: at its time every callback due is published once on the bus
    topic "agent" as ``{"type": "CallbackDue", "agent_id": ...}`` (``agent_id`` None: a queue callback),
    which the agent's ``/ws/agent`` stream forwards. No polling: the timer is re-armed on every change."""

    def __init__(self, commands: Commands, reader: CallbackReader, customers: CustomerRepository, bus: EventBus,
                 clock: Clock, region: str | None = None) -> None:
        self.commands = commands
        self.reader = reader
        self.customers = customers
        self.bus = bus
        self.clock = clock
        self.region = region or "US"
        self._lock = threading.Lock()
        self._scheduler: Scheduler | None = None
        self._handle: object | None = None
        self._armed_for: float | None = None
        self._announced_to = float("-inf")  # every callback due at or before this was announced

    # ------------------------------------------------------------------ changes

    def phone(self, raw: str) -> str:
        number = normalise(raw, self.region)
        if number is None:
            raise ValidationFailed(f"{raw[:40]!r} is not a valid phone number")
        return number

    def schedule(self, *, phone: str, due_at: float, agent_id: str | None, queue_id: str | None,
                 customer_id: str | None = None, note: str = "", source_contact_id: str | None = None,
                 by: str | None = None) -> dict[str, Any]:
        """Schedule a callback (personal to ``agent_id``, else for ``queue_id``); returns its row."""
        number = self.phone(phone)
        now = self.clock.now()
        if due_at <= now:
            raise ValidationFailed("the callback time is in the past")
        if due_at > now + MAX_AHEAD_S:
            raise ValidationFailed("a callback is scheduled at most a year ahead")
        if agent_id is None and queue_id is None:
            raise ValidationFailed("a callback is personal (an agent) or for a queue")
        if len(note) > NOTE_MAX:
            raise ValidationFailed(f"the note is longer than {NOTE_MAX} characters")
        if customer_id is not None and self.customers.get(customer_id) is None:
            raise NotFound(f"customer {customer_id} does not exist")
        callback_id = "cb-" + uuid.uuid4().hex[:20]
        event = CallbackScheduled(callback_id=callback_id, phone=number, due_at=due_at, customer_id=customer_id,
                                  agent_id=agent_id, queue_id=queue_id, note=note.strip(),
                                  source_contact_id=source_contact_id, by=by, at=now)
        self.commands.execute(AppendEvents((event,), stamp=True))
        self.rearm()
        return self.get(callback_id)

    def get(self, callback_id: str) -> dict[str, Any]:
        row = self.reader.callback(callback_id)
        if row is None:
            raise NotFound(f"callback {callback_id} does not exist")
        return row

    def _open(self, callback_id: str, agent_id: str | None, queues: Sequence[str]) -> dict[str, Any]:
        """The scheduled callback ``agent_id`` may close: its own, or one for a queue of ``queues`` (None: a
        supervisor, any callback)."""
        row = self.get(callback_id)
        if agent_id is not None and row["agent_id"] not in (None, agent_id):
            raise NotFound(f"callback {callback_id} does not exist")  # another agent's: not even its existence
        if agent_id is not None and row["agent_id"] is None and row["queue_id"] not in queues:
            raise Forbidden(f"callback {callback_id} is for queue {row['queue_id']}, not one of yours")
        if row["state"] != "scheduled":
            raise InvalidState(f"callback {callback_id} is already {row['state']}")
        return row

    def cancel(self, callback_id: str, agent_id: str | None, by: str | None, reason: str = "",
               queues: Sequence[str] = ()) -> dict[str, Any]:
        self._open(callback_id, agent_id, queues)
        event = CallbackCancelled(callback_id=callback_id, by=by, reason=reason.strip()[:200], at=self.clock.now())
        self.commands.execute(AppendEvents((event,), stamp=True))
        self.rearm()
        return self.get(callback_id)

    def done(self, callback_id: str, agent_id: str | None, by: str | None,
             queues: Sequence[str] = ()) -> dict[str, Any]:
        self._open(callback_id, agent_id, queues)
        self.commands.execute(AppendEvents((CallbackDone(callback_id=callback_id, by=by, at=self.clock.now()),),
                                           stamp=True))
        self.rearm()
        return self.get(callback_id)

    # ------------------------------------------------------------------ lists

    def personal(self, agent_id: str) -> list[dict[str, Any]]:
        return self.reader.callbacks(agent_id=agent_id, state="scheduled")

    def for_queues(self, queue_id: str | None = None) -> list[dict[str, Any]]:
        rows = self.reader.callbacks(personal=False, state="scheduled")
        return [r for r in rows if queue_id is None or r["queue_id"] == queue_id]

    def customer_name(self, customer_id: str | None) -> str | None:
        if customer_id is None:
            return None
        found = self.customers.get(customer_id)
        return str(found.get("name") or "") or None if found is not None else None

    # ------------------------------------------------------------------ due-time push

    def attach(self, scheduler: Scheduler | None) -> None:
        """Arm (or with None, disarm) the due-time timer on the server's scheduler."""
        with self._lock:
            if self._scheduler is not None and self._handle is not None:
                self._scheduler.cancel(self._handle)
            self._scheduler, self._handle, self._armed_for = scheduler, None, None
        self.rearm()

    def rearm(self) -> None:
        with self._lock:
            scheduler = self._scheduler
            if scheduler is None:
                return
            nxt = self.reader.callbacks(state="scheduled", due_after=self._announced_to, limit=1)
            when = nxt[0]["due_at"] if nxt else None
            if when == self._armed_for:
                return
            if self._handle is not None:
                scheduler.cancel(self._handle)
            self._handle = scheduler.call_at(when, self.announce_due) if when is not None else None
            self._armed_for = when

    def announce_due(self) -> list[dict[str, Any]]:
        """Publish every scheduled callback that fell due since the last announcement; re-arm."""
        now = self.clock.now()
        with self._lock:
            rows = self.reader.callbacks(state="scheduled", due_after=self._announced_to, due_by=now, limit=10_000)
            self._announced_to = now
            self._handle, self._armed_for = None, None
        for r in rows:
            self.bus.publish("agent", {"type": "CallbackDue", "agent_id": r["agent_id"], "queue_id": r["queue_id"],
                                       "callback_id": r["callback_id"], "phone": r["phone"],
                                       "customer_id": r["customer_id"], "note": r["note"], "due_at": r["due_at"],
                                       "at": now})
        self.rearm()
        return rows


def agent_callbacks(service: CallbackService, campaigns: Any, agent_id: str) -> list[dict[str, Any]]:
    """My personal callbacks, due first: the scheduled ones plus the dialer's personal callback records for
    me (``campaigns``: the CampaignService, or None without a dialer)."""
    out = [{"id": r["callback_id"], "source": "scheduled", "customer_id": r["customer_id"],
            "customer_name": service.customer_name(r["customer_id"]), "phone": r["phone"], "note": r["note"],
            "due_at": r["due_at"], "campaign_id": None, "record_id": None, "queue_id": r["queue_id"],
            "contact_id": r["source_contact_id"]} for r in service.personal(agent_id)]
    for config in campaigns.campaigns() if campaigns is not None else ():
        for rec in campaigns.repo.records(config.id, states=["callback"]):
            if rec.callback_agent_id != agent_id or rec.next_attempt_at is None:
                continue
            customer = service.customers.find_by_identity("phone", rec.phone)
            out.append({"id": f"{config.id}/{rec.record_id}", "source": "dialer",
                        "customer_id": customer["id"] if customer else None,
                        "customer_name": (customer.get("name") or None) if customer else rec.fields.get("name"),
                        "phone": rec.phone, "note": rec.fields.get("note", ""), "due_at": rec.next_attempt_at,
                        "campaign_id": config.id, "record_id": rec.record_id, "queue_id": config.queue_id,
                        "contact_id": None})
    return sorted(out, key=lambda r: (r["due_at"], r["id"]))
