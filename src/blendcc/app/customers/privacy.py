"""Privacy requests: export everything about a customer (JSON) and erase its personal data, keeping the
anonymous facts the reports need (see docs/adr/0028-customer-identity-and-erasure.md)."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from blendcc.app.acd.runtime import Runtime
from blendcc.app.customers.timeline import CustomerTimeline
from blendcc.domain import conversation_events as ce
from blendcc.domain import events as ev
from blendcc.domain.customer_events import CustomerErased, CustomerMerged
from blendcc.domain.errors import InvalidState, NotFound
from blendcc.domain.events import Event
from blendcc.ports import CustomerRepository, EventStore, ReportReader
from blendcc.routing.engine import Engine

log = logging.getLogger(__name__)

_ALL = 1_000_000


class CustomerPrivacy:
    def __init__(self, runtime: Runtime, customers: CustomerRepository, reader: ReportReader,
                 store: EventStore, timeline: CustomerTimeline, recording_dir: str | None = None):
        self.runtime = runtime
        self.customers = customers
        self.reader = reader
        self.store = store
        self.timeline = timeline
        self.recording_dir = Path(recording_dir) if recording_dir else None

    def _customer(self, customer_id: str) -> dict[str, Any]:
        found = self.customers.get(customer_id)
        if found is None:
            raise NotFound(f"customer {customer_id} does not exist")
        return dict(found)

    def export(self, customer_id: str) -> dict[str, Any]:
        """Profile, identities, contacts, messages, notes, surveys, recordings and merges of the customer."""
        customer = self._customer(customer_id)
        contacts = self.reader.interactions(customer_id=customer_id, limit=_ALL)
        messages: list[dict[str, Any]] = []
        notes: list[dict[str, Any]] = []
        surveys: list[dict[str, Any]] = []
        recordings: list[dict[str, Any]] = []
        dispositions: list[dict[str, Any]] = []
        for row in sorted(contacts, key=lambda r: r["created_at"]):
            for s in self.store.contact_events(row["contact_id"]):
                e = s.event
                if isinstance(e, ce.MessageReceived | ce.MessageSent):
                    messages.append({"contact_id": e.contact_id, "message_id": e.message_id, "at": e.at,
                                     "direction": "inbound" if isinstance(e, ce.MessageReceived) else "outbound",
                                     "channel": e.channel, "body": e.body, "html": e.html,
                                     "attachments": [a.to_dict() for a in e.attachments],
                                     "address": getattr(e, "address", None)})
                elif isinstance(e, ce.NoteAdded):
                    notes.append({"contact_id": e.contact_id, "at": e.at, "author_id": e.author_id, "body": e.body})
                elif isinstance(e, ce.SurveyAnswered):
                    surveys.append({"contact_id": e.contact_id, "at": e.at, "survey": e.survey, "score": e.score,
                                    "scale_max": e.scale_max, "comment": e.comment})
                elif isinstance(e, ev.RecordingStored | ev.VoicemailLeft):
                    recordings.append({"contact_id": e.contact_id, "at": e.at, "recording_id": e.recording_id,
                                       "uri": e.uri, "duration_s": e.duration_s,
                                       "kind": "voicemail" if isinstance(e, ev.VoicemailLeft) else e.kind})
                elif isinstance(e, ev.WrapUpCompleted):
                    dispositions.append({"contact_id": e.contact_id, "at": e.at, "disposition": e.disposition,
                                         "notes": e.notes, "agent_id": e.agent_id})
        campaign = [i for i in self.timeline.all(customer_id) if i["kind"] == "campaign_attempt"]
        return {"customer": customer, "identities": [list(i) for i in customer["identities"]],
                "contacts": contacts, "messages": messages, "notes": notes, "surveys": surveys,
                "recordings": recordings, "dispositions": dispositions, "campaign_attempts": campaign,
                "merges": [m for m in self._merges_into(customer_id)]}

    def _merges_into(self, customer_id: str) -> list[dict[str, Any]]:
        return [{"merge_id": s.event.merge_id, "from_customer_id": s.event.from_customer_id, "at": s.event.at}
                for s in self.store.events_of_type(["CustomerMerged"])
                if isinstance(s.event, CustomerMerged) and s.event.customer_id == customer_id]

    def erase(self, customer_id: str, by: str | None = None) -> dict[str, Any]:
        """Erase the customer and every customer still merged into it: one ``CustomerErased`` each, whose
        projection blanks the personal fields in the same transaction; then the recording files go."""
        erased: list[CustomerErased] = []
        files: list[str] = []

        def run(_eng: Engine, now: float) -> list[Event]:
            first = self._customer(customer_id)
            if first.get("erased_at") is not None:
                raise InvalidState(f"customer {customer_id} was already erased")
            targets = [customer_id, *self._merged_into(customer_id)]
            out: list[Event] = []
            for cid in targets:
                contacts = [r["contact_id"] for r in self.reader.interactions(customer_id=cid, limit=_ALL)]
                uris = [s.event.uri for c in contacts for s in self.store.contact_events(c)
                        if isinstance(s.event, ev.RecordingStored | ev.VoicemailLeft)]
                files.extend(uris)
                event = CustomerErased(at=now, customer_id=cid, contact_ids=tuple(contacts),
                                       recordings_deleted=len(uris), by=by)
                erased.append(event)
                out.append(event)
            return out

        self.runtime.execute(run)
        deleted = self._delete_files(files)
        return {"customer_id": customer_id, "erased": [e.customer_id for e in erased],
                "contacts": sum(len(e.contact_ids) for e in erased), "recordings_deleted": deleted}

    def _merged_into(self, customer_id: str) -> list[str]:
        """Customers currently merged into ``customer_id`` (their rows still hold personal data)."""
        out = []
        for s in self.store.events_of_type(["CustomerMerged"]):
            e = s.event
            if isinstance(e, CustomerMerged) and e.customer_id == customer_id:
                source = self.customers.get(e.from_customer_id)
                if source is not None and source.get("merge_id") == e.merge_id:
                    out.append(e.from_customer_id)
        return out

    def _delete_files(self, uris: list[str]) -> int:
        if self.recording_dir is None:
            return 0
        root = self.recording_dir.resolve()
        deleted = 0
        for uri in uris:
            path = (root / uri).resolve()
            if not path.is_relative_to(root):
                log.warning("recording uri %r is outside the recording directory; not deleted", uri)
                continue
            try:
                path.unlink()
                deleted += 1
            except FileNotFoundError:
                pass
            except OSError:
                log.exception("could not delete recording %s", path)
        return deleted
