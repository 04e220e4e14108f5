"""Problem management: problem records opened, changed, resolved and closed by supervisors; contacts linked to a
problem automatically (as they are dispositioned or write, and by a backfill when its rules are set) or by hand;
every change an event in the log, read back from the ``problems`` and ``problem_contacts`` projections."""

from __future__ import annotations

import builtins
import logging
import threading
import uuid
from collections.abc import Callable, Mapping
from typing import Any

from pydantic import ValidationError

from blendcc.content_ports import ProblemReader
from blendcc.crisis.problems import ContactFacts, ProblemRules, check_move, match
from blendcc.domain import problem_events as pe
from blendcc.domain.errors import InvalidState, NotFound, ValidationFailed
from blendcc.domain.events import Event
from blendcc.ports import Clock, Commands, EventBus, Store
from blendcc.routing.commands import AppendEvents

log = logging.getLogger(__name__)
PAGE = 5000
BACKFILL_S = 30 * 86400.0  # without ``since``, the backfill looks this far back
MAX_BACKFILL = 200_000
TEXT_FIELDS = {"title": 200, "workaround": 4000}
FIELDS = ("title", "status", "rules", "kb_article_id", "crisis_id", "workaround")


def _invalid(exc: ValidationError) -> ValidationFailed:
    first = exc.errors()[0]
    where = ".".join(str(x) for x in first.get("loc", ()))
    return ValidationFailed(f"rules{'.' + where if where else ''}: {first.get('msg', 'invalid')}")


class ProblemService:
    def __init__(self, reader: ProblemReader, store: Store, commands: Commands, clock: Clock,
                 article_exists: Callable[[str], bool] = lambda _a: True,
                 crisis_exists: Callable[[str], bool] = lambda _c: True,
                 new_id: Callable[[], str] = lambda: f"prb-{uuid.uuid4().hex[:10]}") -> None:
        self.reader = reader
        self.store = store
        self.commands = commands
        self.clock = clock
        self.article_exists = article_exists
        self.crisis_exists = crisis_exists
        self.new_id = new_id
        self._lock = threading.RLock()  # one linker at a time: a contact is linked once per problem
        self._unsubscribe: Callable[[], None] | None = None
        #: the open and known-error problems with their rules, read once and again after a change made here
        self._live: builtins.list[tuple[str, ProblemRules]] | None = None

    # ------------------------------------------------------------------ records

    def get(self, problem_id: str) -> dict[str, Any]:
        row = self.reader.problem(problem_id)
        if row is None:
            raise NotFound(f"no problem {problem_id}")
        return {**row, "contacts": self.reader.count(problem_id)}

    def list(self, status: str | None = None, crisis_id: str | None = None) -> list[dict[str, Any]]:
        if status is not None and status not in pe.STATUSES:
            raise ValidationFailed(f"status must be one of {', '.join(pe.STATUSES)}")
        return self.reader.problems(status, crisis_id)

    def _fields(self, body: Mapping[str, Any], partial: bool) -> dict[str, Any]:
        unknown = set(body) - set(FIELDS)
        if unknown:
            raise ValidationFailed(f"unknown field(s): {', '.join(sorted(unknown))}")
        out: dict[str, Any] = {}
        for name, limit in TEXT_FIELDS.items():
            if name in body:
                value = body[name]
                if not isinstance(value, str) or (name == "title" and not value.strip()) or len(value) > limit:
                    raise ValidationFailed(f"{name} must be text of {'1' if name == 'title' else '0'} to {limit} "
                                           "characters")
                out[name] = value.strip()
        if not partial and "title" not in out:
            raise ValidationFailed("title is required")
        if "rules" in body or not partial:
            if not isinstance(body.get("rules"), Mapping):
                raise ValidationFailed("rules must be an object with dispositions and/or phrases")
            try:
                out["rules"] = ProblemRules.model_validate(body["rules"]).model_dump(mode="json")
            except ValidationError as exc:
                raise _invalid(exc) from None
        if "status" in body:
            if body["status"] not in ("open", "known_error"):
                raise ValidationFailed("status may be set to open or known_error (resolve and close have their own "
                                       "commands)")
            out["status"] = body["status"]
        for name, exists in (("kb_article_id", self.article_exists), ("crisis_id", self.crisis_exists)):
            if name in body:
                value = body[name]
                if value is not None and (not isinstance(value, str) or not 0 < len(value) <= 64):
                    raise ValidationFailed(f"{name} must be an id of 1 to 64 characters, or null")
                if value is not None and not exists(value):
                    raise ValidationFailed(f"{name}: {value} does not exist")
                out[name] = value
        return out

    def open(self, body: Mapping[str, Any], by: str | None) -> dict[str, Any]:
        """Open a problem record and link the existing contacts that match it (the backfill)."""
        fields = {"status": "open", "workaround": "", "kb_article_id": None, "crisis_id": None,
                  **self._fields(body, partial=False)}
        problem_id = self.new_id()
        self._append(pe.ProblemOpened(at=self.clock.now(), problem_id=problem_id, fields=fields, by=by))
        linked = self.backfill(problem_id)
        return {**self.get(problem_id), "backfilled": linked}

    def update(self, problem_id: str, body: Mapping[str, Any], by: str | None) -> dict[str, Any]:
        row = self.get(problem_id)
        changes = self._fields(body, partial=True)
        if row["status"] == "closed":
            raise InvalidState(f"problem {problem_id} is closed")
        if "status" in changes and not check_move(row["status"], changes["status"]):
            raise InvalidState(f"problem {problem_id} cannot go from {row['status']} to {changes['status']}")
        changes = {k: v for k, v in changes.items() if row.get(k) != v}
        linked = 0
        if changes:
            self._append(pe.ProblemUpdated(at=self.clock.now(), problem_id=problem_id, changes=changes, by=by))
            if "rules" in changes or changes.get("status") == "open":
                linked = self.backfill(problem_id)
        return {**self.get(problem_id), "backfilled": linked}

    def resolve(self, problem_id: str, resolution: str, by: str | None) -> dict[str, Any]:
        row = self.get(problem_id)
        if not resolution.strip():
            raise ValidationFailed("resolution must say how the problem was resolved")
        if row["status"] not in ("open", "known_error"):
            raise InvalidState(f"problem {problem_id} is {row['status']}")
        self._append(pe.ProblemResolved(at=self.clock.now(), problem_id=problem_id, resolution=resolution.strip(),
                                        by=by))
        return self.get(problem_id)

    def close(self, problem_id: str, by: str | None) -> dict[str, Any]:
        row = self.get(problem_id)
        if row["status"] != "resolved":
            raise InvalidState(f"problem {problem_id} is {row['status']}: resolve it before closing it")
        self._append(pe.ProblemClosed(at=self.clock.now(), problem_id=problem_id, by=by))
        return self.get(problem_id)

    # ------------------------------------------------------------------ links

    def link(self, problem_id: str, contact_id: str, by: str | None) -> dict[str, Any]:
        """Link a contact by hand (any status but closed); linking it again changes nothing."""
        row = self.get(problem_id)
        if row["status"] == "closed":
            raise InvalidState(f"problem {problem_id} is closed")
        contact = self.store.interaction(contact_id)
        if contact is None:
            raise NotFound(f"no contact {contact_id}")
        with self._lock:
            if problem_id not in self.reader.problems_of_contact(contact_id):
                self._append(self._linked(problem_id, contact, "manual", "manual", by))
        return {"problem_id": problem_id, "contact_id": contact_id,
                "linked": problem_id in self.reader.problems_of_contact(contact_id)}

    def unlink(self, problem_id: str, contact_id: str, by: str | None) -> None:
        self.get(problem_id)
        with self._lock:
            if problem_id not in self.reader.problems_of_contact(contact_id):
                raise NotFound(f"contact {contact_id} is not linked to problem {problem_id}")
            self._append(pe.ContactUnlinkedFromProblem(at=self.clock.now(), problem_id=problem_id,
                                                       contact_id=contact_id, by=by))

    def links(self, problem_id: str, limit: int = 100, offset: int = 0) -> dict[str, Any]:
        self.get(problem_id)
        return {"problem_id": problem_id, "total": self.reader.count(problem_id),
                "contacts": self.reader.links(problem_id, limit=limit, offset=offset)}

    def _linked(self, problem_id: str, contact: Mapping[str, Any], how: str, reason: str,
                by: str | None = None) -> pe.ContactLinkedToProblem:
        return pe.ContactLinkedToProblem(
            at=self.clock.now(), problem_id=problem_id, contact_id=str(contact["contact_id"]),
            contact_at=float(contact["created_at"]), customer_id=contact.get("customer_id"),
            queue_id=contact.get("queue_id"), channel=contact.get("channel"), how=how, reason=reason, by=by)

    def backfill(self, problem_id: str) -> int:
        """Link every stored contact that matches the problem's rules (from ``since``, else the last 30 days) and is
        not linked yet; returns how many were linked."""
        row = self.get(problem_id)
        rules = ProblemRules.model_validate(row["rules"])
        now = self.clock.now()
        start = rules.since if rules.since is not None else now - BACKFILL_S
        contacts: dict[str, dict[str, Any]] = {}
        while True:
            page = self.store.interactions(start, now + 1, limit=PAGE, offset=len(contacts))
            contacts.update((r["contact_id"], r) for r in page)
            if len(page) < PAGE or len(contacts) >= MAX_BACKFILL:
                break
        texts: dict[str, list[str]] = {}
        if rules.phrases:
            for s in self.store.events_of_type(("MessageReceived",), start, None):
                cid = getattr(s.event, "contact_id", None)
                if cid in contacts:
                    texts.setdefault(cid, []).append(str(getattr(s.event, "body", "")))
        with self._lock:
            known = {r["contact_id"] for r in self.reader.links(problem_id)}
            events: list[Event] = []
            for cid, c in contacts.items():
                if cid in known:
                    continue
                why = match(rules, _facts(c, "\n".join(texts.get(cid, ()))))
                if why is not None:
                    events.append(self._linked(problem_id, c, "backfill", why))
            for i in range(0, len(events), 500):
                self.commands.execute(AppendEvents(tuple(events[i:i + 500])))
        return len(events)

    # ------------------------------------------------------------------ automatic linking

    def attach(self, bus: EventBus) -> None:
        """Link contacts as they are dispositioned (``WrapUpCompleted``) and as customers write
        (``MessageReceived``), to every open or known-error problem they match."""
        self._unsubscribe = bus.subscribe("contact", self._on_contact)

    def close_subscription(self) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None

    def _on_contact(self, _topic: str, message: Mapping[str, Any]) -> None:
        kind = message.get("type")
        if kind == "WrapUpCompleted" and message.get("disposition"):
            self.observe(str(message["contact_id"]), disposition=str(message["disposition"]))
        elif kind == "MessageReceived" and message.get("body"):
            self.observe(str(message["contact_id"]), text=str(message["body"]))

    def observe(self, contact_id: str, disposition: str | None = None, text: str = "") -> builtins.list[str]:
        """Link ``contact_id`` to the live problems its new disposition or words match; returns their ids."""
        live = self._live_problems()
        if not live:
            return []
        contact = self.store.interaction(contact_id)
        if contact is None:
            return []
        facts = _facts(contact, text, disposition)
        out: builtins.list[str] = []
        with self._lock:
            already = set(self.reader.problems_of_contact(contact_id))
            events: list[Event] = []
            for problem_id, rules in live:
                if problem_id in already:
                    continue
                why = match(rules, facts)
                if why is not None:
                    events.append(self._linked(problem_id, contact, "auto", why))
                    out.append(problem_id)
            if events:
                self._append(*events)
        return out

    def _live_problems(self) -> builtins.list[tuple[str, ProblemRules]]:
        live = self._live
        if live is None:
            live = [(p["problem_id"], ProblemRules.model_validate(p["rules"])) for p in self.reader.problems()
                    if p["status"] in pe.LINKING]
            self._live = live
        return live

    def _append(self, *events: Event) -> None:
        try:
            self.commands.execute(AppendEvents(tuple(events)))
        finally:
            if any(not isinstance(e, pe.ContactLinkedToProblem | pe.ContactUnlinkedFromProblem) for e in events):
                self._live = None  # a record changed: read the live problems again


def _facts(contact: Mapping[str, Any], text: str, disposition: str | None = None) -> ContactFacts:
    return ContactFacts(contact_id=str(contact["contact_id"]), at=float(contact["created_at"]),
                        queue_id=contact.get("queue_id"), channel=contact.get("channel"),
                        disposition=disposition or contact.get("disposition") or None, text=text)

