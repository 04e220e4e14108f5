"""Campaign use cases: campaign documents, list and DNC import, start/pause/stop, record selection, stats."""

from __future__ import annotations

import secrets
import threading
import uuid
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import phonenumbers
from pydantic import BaseModel

from blendcc.app.acd.runtime import Runtime
from blendcc.app.admin.configuration import ConfigService
from blendcc.dialer.campaign import CampaignConfig
from blendcc.dialer.dnc import GLOBAL, DncEntry, DncSet, normalise, parse_dnc
from blendcc.dialer.eligibility import next_records
from blendcc.dialer.importer import MAX_ERRORS, ListFormatError, parse_list
from blendcc.dialer.outcomes import Outcome, apply_disposition, apply_outcome
from blendcc.dialer.records import DIALLABLE, STATES, DialRecord, ListImport
from blendcc.dialer.stats import CampaignReport, campaign_report
from blendcc.dialer.windows import is_open
from blendcc.domain.dialer_events import DIALER_EVENT_TYPES, CampaignStateChanged, RecordUpdated
from blendcc.domain.errors import Forbidden, InvalidState, NotFound, ValidationFailed
from blendcc.domain.events import Event, WrapUpCompleted
from blendcc.outbound_ports import DialerRepository
from blendcc.ports import Clock, EventStore, ReportReader
from blendcc.routing.commands import AppendEvents

KIND = "campaigns"
CAMPAIGN_STATES = ("stopped", "running", "paused")
#: the longest regulatory window (US, 30 days): stats read events this far back from ``now``
LEDGER_LOOKBACK_S = 30 * 86400.0
MAX_LIST_BYTES = 50 * 1024 * 1024
REPORT_TYPES = (*(cls.__name__ for cls in DIALER_EVENT_TYPES), WrapUpCompleted.__name__)



def new_record_id() -> str:
    """An opaque, unguessable record id (96 random bits): record ids are in URLs, phone numbers are guessable."""
    return "rec_" + secrets.token_urlsafe(12)


#: (state, reason, since)
StateRow = tuple[str, str | None, float]
#: reads the stored events of the given type names whose ``at`` is in [start, end), in log order
EventSource = Callable[[Sequence[str], float, float], list[Event]]


def scan_source(store: EventStore, page: int = 5000) -> EventSource:
    """An EventSource that pages through the whole log (for stores without a type/time index)."""

    def read(types: Sequence[str], start: float, end: float) -> list[Event]:
        wanted = frozenset(types)
        out: list[Event] = []
        after = 0
        while True:
            batch = store.read(after, page)
            if not batch:
                return out
            out.extend(s.event for s in batch if s.event.type in wanted and start <= s.event.at < end)
            after = batch[-1].seq

    return read


def _region(region: str) -> str:
    region = region.upper()
    if region not in phonenumbers.SUPPORTED_REGIONS:
        raise ValidationFailed(f"unknown region {region!r}; use an ISO 3166 code such as US or GB")
    return region


class CampaignService:
    """Campaigns are configuration documents (kind ``campaigns``, versioned through ConfigService);
    their lists, DNC entries and state live in the DialerRepository; state changes and record
    updates are events written through the Runtime (so they are in the log)."""

    def __init__(self, config: ConfigService, repo: DialerRepository, runtime: Runtime, clock: Clock,
                 reports: ReportReader, events: EventSource, new_id: Callable[[], str] | None = None) -> None:
        self.config = config
        self.repo = repo
        self.runtime = runtime
        self.clock = clock
        self.reports = reports
        self.events = events
        self.new_id = new_id or (lambda: uuid.uuid4().hex[:16])
        self._lock = threading.Lock()
        self._states: dict[str, StateRow] = self._reconcile(repo.campaign_states())
        #: called with (campaign, new state) after every state change and after a running campaign's
        #: document changes: the dialing loop's start/pause/stop is wired here by the composition root
        self.on_state: list[Callable[[CampaignConfig, str], object]] = []
        #: (campaign id, agent id) -> the record that agent is previewing, if any (set by the dialing wiring)
        self.previewing: Callable[[str, str], str | None] = lambda _campaign_id, _agent_id: None
        self._seen: dict[str, BaseModel] = dict(config.docs[KIND])
        config.delete_guards.append(self._guard_delete)
        config.on_change.append(self._config_changed)

    def reload_states(self) -> None:
        """Read the campaigns' states again from the log (a node taking over: the old leader changed them)."""
        with self._lock:
            self._states = self._reconcile(self.repo.campaign_states())

    def _reconcile(self, projected: dict[str, StateRow]) -> dict[str, StateRow]:
        """The log is the fact: the last CampaignStateChanged of each campaign wins over the projection
        (which lags if the process died between writing the event and the projection)."""
        latest: dict[str, StateRow] = {}
        for e in self.events((CampaignStateChanged.__name__,), -1e18, 1e18):
            if isinstance(e, CampaignStateChanged) and e.state in CAMPAIGN_STATES:
                latest[e.campaign_id] = (e.state, e.reason, e.at)
        for cid, value in latest.items():
            if projected.get(cid) != value:
                self.repo.set_campaign_state(cid, *value)
                projected[cid] = value
        return projected

    # ------------------------------------------------------------------ documents

    def campaigns(self) -> list[CampaignConfig]:
        return [c for c in self.config.list(KIND) if isinstance(c, CampaignConfig)]

    def get(self, campaign_id: str) -> CampaignConfig:
        doc = self.config.get(KIND, campaign_id)
        assert isinstance(doc, CampaignConfig)
        return doc

    def put(self, campaign_id: str, body: dict[str, Any], by: str | None) -> tuple[CampaignConfig, int]:
        doc, version = self.config.put(KIND, campaign_id, body, by)
        assert isinstance(doc, CampaignConfig)
        return doc, version

    def _config_changed(self, _catalog: object) -> None:
        """A configuration document changed (through any route): a running campaign whose document is
        new is handed to the hooks again, so the loop dials with the new version from now on."""
        docs = dict(self.config.docs[KIND])
        for cid, doc in docs.items():
            if doc is not self._seen.get(cid) and isinstance(doc, CampaignConfig) and self.state(cid) == "running":
                for fn in self.on_state:
                    fn(doc, "running")
        self._seen = docs

    def delete(self, campaign_id: str, by: str | None) -> None:
        """Delete the campaign document (refused while it is running or paused); its records stay in
        storage until ``clear_records``."""
        self.config.delete(KIND, campaign_id, by)

    def _guard_delete(self, kind: str, doc_id: str) -> None:
        if kind == KIND and self.state(doc_id) != "stopped":
            raise InvalidState(f"campaign {doc_id} is {self.state(doc_id)}; stop it first "
                               f"(POST /api/campaigns/{doc_id}/stop)")
        if kind == "queues":
            using = sorted(c.id for c in self.campaigns() if c.queue_id == doc_id)
            if using:
                raise InvalidState(f"queue {doc_id} is the agent pool of campaign(s) {', '.join(using)}")

    # ------------------------------------------------------------------ state

    def state(self, campaign_id: str) -> str:
        return self._states.get(campaign_id, ("stopped", None, 0.0))[0]

    def states(self) -> dict[str, dict[str, Any]]:
        out: dict[str, dict[str, Any]] = {c.id: {"state": "stopped", "reason": None, "since": None}
                                          for c in self.campaigns()}
        for cid, (state, reason, at) in self._states.items():
            if cid in out:
                out[cid] = {"state": state, "reason": reason, "since": at}
        return out

    def running(self) -> list[CampaignConfig]:
        """Campaigns the dialing loop should dial now."""
        return [c for c in self.campaigns() if self.state(c.id) == "running"]

    def start(self, campaign_id: str, reason: str | None = None) -> str:
        campaign = self.get(campaign_id)
        if campaign.queue_id not in self.config.catalog.queues:
            raise InvalidState(f"campaign {campaign_id}: queue {campaign.queue_id!r} does not exist")
        return self.set_state(campaign_id, "running", reason)

    def pause(self, campaign_id: str, reason: str | None = None) -> str:
        self.get(campaign_id)
        if self.state(campaign_id) != "running":
            raise InvalidState(f"campaign {campaign_id} is {self.state(campaign_id)}, not running")
        return self.set_state(campaign_id, "paused", reason)

    def stop(self, campaign_id: str, reason: str | None = None) -> str:
        self.get(campaign_id)
        return self.set_state(campaign_id, "stopped", reason)

    def set_state(self, campaign_id: str, state: str, reason: str | None = None) -> str:
        """Record a state change as a CampaignStateChanged event (through the Runtime), then in the
        state projection. A change to the current state is a no-op."""
        if state not in CAMPAIGN_STATES:
            raise ValidationFailed(f"unknown campaign state {state!r}; use one of {', '.join(CAMPAIGN_STATES)}")
        with self._lock:
            if self.state(campaign_id) == state:
                return state
            events = self.runtime.execute(AppendEvents(
                (CampaignStateChanged(at=self.clock.now(), campaign_id=campaign_id, state=state, reason=reason),),
                stamp=True))
            at = events[0].at
            self.repo.set_campaign_state(campaign_id, state, reason, at)
            self._states[campaign_id] = (state, reason, at)
            campaign = self.config.docs[KIND].get(campaign_id)
            if isinstance(campaign, CampaignConfig):
                for fn in self.on_state:
                    fn(campaign, state)
        return state

    # ------------------------------------------------------------------ lists

    def import_list(self, campaign_id: str, text: str, source: str = "upload", region: str | None = None) -> ListImport:
        """Import a CSV contact list: valid rows become pending records, bad rows are reported with
        their line numbers; a callee already in the campaign (same list id, or same number without one) is
        kept as it is (a duplicate). New records get opaque ids (``new_record_id``)."""
        return import_list(self.repo, self.get(campaign_id), text, source, region, self.clock.now(), self.new_id())

    def imports(self, campaign_id: str) -> list[ListImport]:
        self.get(campaign_id)
        return self.repo.imports(campaign_id)

    def records(self, campaign_id: str, state: str | None = None, limit: int | None = 100,
                offset: int = 0) -> list[DialRecord]:
        self._known(campaign_id)
        if state is not None and state not in STATES:
            raise ValidationFailed(f"unknown record state {state!r}; use one of {', '.join(STATES)}")
        return self.repo.records(campaign_id, states=None if state is None else [state], limit=limit, offset=offset)

    def record(self, campaign_id: str, record_id: str) -> DialRecord:
        r = self.repo.get_record(campaign_id, record_id)
        if r is None:
            raise NotFound(f"record {record_id!r} of campaign {campaign_id!r} does not exist")
        return r

    # ------------------------------------------------------------------ who may act on a record

    def check_queue_agent(self, campaign_id: str, agent_id: str | None) -> None:
        """Agents may see a campaign's records only when they serve its queue (its agent pool)."""
        agent = self.config.catalog.agents.get(agent_id or "")
        if agent is None or self.get(campaign_id).queue_id not in agent.queues:
            raise Forbidden("only supervisors and agents of the campaign's queue may read or change its records")

    def held_by(self, campaign_id: str, record_id: str, agent_id: str) -> bool:
        """True while ``agent_id`` handles a call of the record (offered, talking, on hold, wrapping up) or
        previews it."""
        if self.previewing(campaign_id, agent_id) == record_id:
            return True

        def holds(engine: Any, _now: float) -> bool:
            agent = engine.agents.get(agent_id)
            for contact_id in (agent.work if agent is not None else ()):
                contact = engine.contacts.get(contact_id)
                attrs = contact.attributes if contact is not None else {}
                if attrs.get("campaign_id") == campaign_id and attrs.get("record_id") == record_id:
                    return True
            return False

        return bool(self.runtime.query(holds))

    def dispose_as_agent(self, campaign_id: str, record_id: str, agent_id: str, disposition: str, *,
                         callback_at: float | None = None, personal_agent: str | None = None) -> DialRecord:
        """An agent's disposition: only for a record whose call (or preview) it holds, in a campaign of its
        queue; a personal callback only for itself."""
        self.check_queue_agent(campaign_id, agent_id)
        self.record(campaign_id, record_id)
        if not self.held_by(campaign_id, record_id, agent_id):
            raise Forbidden(f"agent {agent_id} does not hold a call or preview of record {record_id}; only that "
                            "agent or a supervisor may dispose it")
        self._check_personal(self.get(campaign_id), personal_agent)
        if personal_agent is not None and personal_agent != agent_id:
            raise Forbidden("an agent may book a personal callback only for itself; ask a supervisor")
        return self.dispose(campaign_id, record_id, disposition, callback_at=callback_at,
                            personal_agent=personal_agent)

    def _check_personal(self, campaign: CampaignConfig, personal_agent: str | None) -> None:
        """A personal callback is for a configured agent of the campaign's queue."""
        if personal_agent is None:
            return
        agent = self.config.catalog.agents.get(personal_agent)
        if agent is None:
            raise NotFound(f"agent {personal_agent} is not configured")
        if campaign.queue_id not in agent.queues:
            raise ValidationFailed(f"agent {personal_agent} does not serve queue {campaign.queue_id} of campaign "
                                   f"{campaign.id}; a personal callback needs an agent of it")

    def clear_records(self, campaign_id: str) -> int:
        if self.state(campaign_id) != "stopped":
            raise InvalidState(f"campaign {campaign_id} is {self.state(campaign_id)}; stop it first")
        return self.repo.delete_records(campaign_id)

    def _known(self, campaign_id: str) -> None:
        if campaign_id not in {c.id for c in self.campaigns()} and not self.repo.record_counts(campaign_id):
            raise NotFound(f"campaign {campaign_id!r} does not exist")

    # ------------------------------------------------------------------ DNC

    def _scope(self, scope: str) -> str:
        if scope in ("*", "global"):
            return GLOBAL
        self.get(scope)
        return scope

    def _dnc_region(self, scope: str, region: str | None) -> str:
        """National numbers are read in ``region``, else the campaign's default region (global: US)."""
        if region is not None:
            return _region(region)
        return "US" if scope == GLOBAL else self.get(scope).default_region

    def import_dnc(self, scope: str, text: str, region: str | None = None, reason: str = "") -> dict[str, Any]:
        """Add the numbers of a DNC file (one per line, or CSV with a 'phone' column) to the global list
        (scope '*' or 'global') or a campaign's list."""
        scope = self._scope(scope)
        if "\x00" in text:
            raise ValidationFailed("the file contains NUL characters")
        parsed = parse_dnc(text, scope, self._dnc_region(scope, region), self.clock.now(), reason[:200])
        added = self.repo.add_dnc(list(parsed.entries))
        return {"scope": scope, "added": added, "already_listed": len(parsed.entries) - added,
                "duplicates_in_file": parsed.duplicates, "rejected": len(parsed.errors),
                "errors": [{"line": line, "reason": why} for line, why in parsed.errors[:1000]]}

    def add_dnc(self, scope: str, phone: str, region: str | None = None, reason: str = "") -> DncEntry:
        scope = self._scope(scope)
        e164 = normalise(phone, self._dnc_region(scope, region))
        if e164 is None:
            raise ValidationFailed(f"not a valid phone number: {phone[:40]!r}")
        entry = DncEntry(scope=scope, phone=e164, reason=reason[:200], added_at=self.clock.now())
        self.repo.add_dnc([entry])
        return entry

    def remove_dnc(self, scope: str, phone: str, region: str | None = None) -> None:
        scope = GLOBAL if scope in ("*", "global") else scope
        known = scope == GLOBAL or scope in self.config.docs[KIND]
        e164 = normalise(phone, self._dnc_region(scope, region) if known else _region(region or "US")) or phone
        if not self.repo.remove_dnc(scope, e164):
            raise NotFound(f"{e164} is not on the {'global' if scope == GLOBAL else scope} DNC list")

    def dnc_entries(self, scope: str, limit: int = 100, offset: int = 0) -> list[DncEntry]:
        scope = GLOBAL if scope in ("*", "global") else scope
        return self.repo.dnc_entries(scope, limit, offset)

    def dnc(self, campaign_id: str) -> DncSet:
        """What ``campaign_id`` must never dial (global list plus its own)."""
        return DncSet(self.repo.dnc_numbers(campaign_id))

    # ------------------------------------------------------------------ selection and record updates

    def candidates(self, campaign_id: str, n: int, *, agent_id: str | None = None,
                   now: float | None = None) -> list[DialRecord]:
        """Up to ``n`` records ``campaign_id`` may dial now (eligibility rules, callbacks first)."""
        return select_records(self.repo, self.get(campaign_id), self.clock.now() if now is None else now, n,
                              agent_id=agent_id)

    def record_outcome(self, campaign_id: str, record_id: str, outcome: Outcome | str) -> DialRecord:
        """Apply a call outcome to a stored record and log RecordUpdated."""
        campaign = self.get(campaign_id)
        try:
            parsed = Outcome(outcome)
        except ValueError:
            raise ValidationFailed(f"unknown outcome {outcome!r}") from None
        return self._update(campaign_id, record_id,
                            lambda r, now: apply_outcome(r, parsed, campaign, now), parsed.value)

    def dispose(self, campaign_id: str, record_id: str, disposition: str, *, callback_at: float | None = None,
                personal_agent: str | None = None) -> DialRecord:
        """Apply an agent's disposition (wrap-up code) to a record; 'dnc' also puts the number on the
        campaign's DNC list. Logs RecordUpdated."""
        campaign = self.get(campaign_id)
        self._check_personal(campaign, personal_agent)

        def change(r: DialRecord, now: float) -> DialRecord:
            try:
                return apply_disposition(r, disposition, campaign, now, callback_at, personal_agent)
            except ValueError as exc:
                raise ValidationFailed(str(exc)) from None

        updated = self._update(campaign_id, record_id, change, disposition)
        if updated.final_reason == "dnc":
            self.repo.add_dnc([DncEntry(scope=campaign_id, phone=updated.phone, reason="agent disposition",
                                        added_at=self.clock.now())])
        return updated

    def _update(self, campaign_id: str, record_id: str, change: Callable[[DialRecord, float], DialRecord],
                reason: str) -> DialRecord:
        record = self.record(campaign_id, record_id)
        now = self.clock.now()
        updated = change(record, now)
        self.runtime.execute(AppendEvents((RecordUpdated(
            at=now, campaign_id=campaign_id, record_id=record_id, state=updated.state, attempts=updated.attempts,
            next_attempt_at=updated.next_attempt_at, reason=updated.final_reason or reason),), stamp=True))
        self.repo.put_records([updated])
        return updated

    # ------------------------------------------------------------------ stats

    def stats(self, campaign_id: str, start: float | None = None, end: float | None = None,
              agent_ids: Iterable[str] | None = None) -> CampaignReport:
        """The campaign report over ``[start, end)`` (default: the last 24 hours); abandonment rates
        over 24 hours and 30 days end now. Logged-in time is that of ``agent_ids`` (default: the
        agents configured for the campaign's queue, its agent pool)."""
        campaign = self.get(campaign_id)
        if agent_ids is None:
            agent_ids = [a.id for a in self.config.catalog.agents.values() if campaign.queue_id in a.queues]
        return build_report(campaign, self.repo, self.reports, self.events, self.clock.now(), start, end,
                            agent_ids)


def select_records(repo: DialerRepository, campaign: CampaignConfig, now: float, n: int, *,
                   agent_id: str | None = None, page: int = 1000) -> list[DialRecord]:
    """Up to ``n`` records to dial now, read page by page in selection order and only from callee zones
    whose window is open (so a list that starts with closed zones cannot starve the open ones); each
    page goes through ``next_records`` (every rule re-checked)."""
    if n <= 0:
        return []
    zones = [z for z in repo.record_zones(campaign.id) if is_open(campaign.calling_window, z, now)]
    if not zones:
        return []
    dnc = DncSet(repo.dnc_numbers(campaign.id))
    out: list[DialRecord] = []
    offset = 0
    while len(out) < n:
        rows = repo.records(campaign.id, states=sorted(DIALLABLE), due_by=now, zones=zones, limit=page,
                            offset=offset)
        out.extend(next_records(rows, campaign, dnc, now, n - len(out), agent_id=agent_id))
        if len(rows) < page:
            break
        offset += page
    return out


def import_list(repo: DialerRepository, campaign: CampaignConfig, text: str, source: str, region: str | None,
                now: float, import_id: str, new_id: Callable[[], str] = new_record_id) -> ListImport:
    """Parse ``text`` and add its new records to ``repo``; save and return the import report. Touches only
    the dialer tables (safe from the command line while a server runs)."""
    if len(text) > MAX_LIST_BYTES:
        raise ValidationFailed(f"the list is larger than {MAX_LIST_BYTES // (1024 * 1024)} MB; split it")
    try:
        parsed = parse_list(text, campaign.id, _region(region or campaign.default_region), now)
    except ListFormatError as exc:
        raise ValidationFailed(str(exc)) from None
    # a callee already in the campaign (same list id, or the same number when the list has no ids) is a
    # duplicate (kept as it is); a number already in the campaign under another list id is refused (the
    # same callee would be dialled twice). Stored records are told apart by their natural key, not their
    # (opaque) record id.
    stored = repo.records(campaign.id)
    existing = {r.natural_key for r in stored}
    owners = {r.phone: r.external_id or r.record_id for r in stored}
    errors = list(parsed.errors)
    rejected, known = parsed.rejected, 0
    fresh: list[DialRecord] = []
    for record, line in zip(parsed.records, parsed.lines, strict=True):
        if record.natural_key in existing:
            known += 1
        elif record.phone in owners:
            rejected += 1
            if len(errors) < MAX_ERRORS:
                errors.append((line, f"{record.phone} is already in the campaign as record {owners[record.phone]!r}"))
        else:
            fresh.append(record.replace(record_id=new_id()))
    added = repo.insert_records(fresh)
    report = ListImport(import_id=import_id, campaign_id=campaign.id, at=now, source=source[:200],
                        total=parsed.total, accepted=added, rejected=rejected,
                        duplicates=known + len(fresh) - added, errors=tuple(sorted(errors)))
    repo.save_import(report)
    return report


def build_report(campaign: CampaignConfig, repo: DialerRepository, reports: ReportReader, events: EventSource,
                 now: float, start: float | None = None, end: float | None = None,
                 agent_ids: Iterable[str] | None = None) -> CampaignReport:
    """Read what the campaign report needs (events, records, DNC entries, agent intervals) and fold it."""
    end = now if end is None else end
    start = end - 86400.0 if start is None else start
    if end <= start:
        raise ValidationFailed("end must be after start")
    lo = min(start, now - LEDGER_LOOKBACK_S)
    log = events(REPORT_TYPES, lo, max(end, now) + 1e-6)
    records = repo.records(campaign.id)
    dnc = [*repo.dnc_entries(GLOBAL), *repo.dnc_entries(campaign.id)]
    return campaign_report(campaign, log, start, end, now, tz_of={r.record_id: r.tz for r in records},
                           dnc=dnc, intervals=reports.state_intervals(start, end), agent_ids=agent_ids,
                           records_by_state=repo.record_counts(campaign.id),
                           attempted_records=sum(1 for r in records if r.attempts > 0))
