"""Customer projections: merges, undos and erasure applied to the customer tables, and the timeline rows.

``CustomerLinks`` applies ``CustomerMerged`` / ``CustomerUnmerged`` / ``CustomerErased`` to the customer
tables, ``interactions.customer_id`` and (erasure) the stored events themselves, in the append's own
transaction, so a merge and its event commit together. ``Timeline`` adds one ``timeline_entries`` row per
event a customer's timeline shows (messages, notes, calls, recordings and their transcripts' utterances,
dispositions, surveys, dialer attempts); erasure blanks their text.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, or_, select, update

from blendcc.adapters.storage import tables as t
from blendcc.adapters.storage.common import json_copy
from blendcc.adapters.storage.customer_tables import customer_status, customer_tags, timeline_entries
from blendcc.adapters.storage.webchat_tables import webchat_sessions
from blendcc.domain import conversation_events as ce
from blendcc.domain import customer_events as cue
from blendcc.domain import dialer_events as de
from blendcc.domain import events as ev
from blendcc.domain.customer_privacy import ERASED, scrub_attributes, scrub_event
from blendcc.domain.events import Event, event_from_dict
from blendcc.domain.transcript import UtteranceTranscribed
from blendcc.ports import StoredEvent

if TYPE_CHECKING:
    from blendcc.adapters.storage.projectors import MemoryTables, SqlTx

#: MemoryTables.extra keys: the timeline rows (a list) and the memory store's event list (for erasure)
TIMELINE, EVENT_LOG = "timeline", "event_log"


# ---------------------------------------------------------------------- timeline rows


def timeline_row(s: StoredEvent, phone_of_record: Callable[[str], str | None]) -> dict[str, Any] | None:
    """The ``timeline_entries`` row of one stored event, or None if timelines do not show it."""
    e = s.event
    row: dict[str, Any] = {"seq": s.seq, "contact_id": getattr(e, "contact_id", None), "record_id": None,
                           "phone": None, "at": e.at, "text": None}
    if isinstance(e, ev.ContactCreated):
        subject = e.attributes.get("subject")
        row.update(kind="contact", text=subject if isinstance(subject, str) else None,
                   detail={"channel": e.channel, "direction": e.direction})
    elif isinstance(e, ev.ContactClosed):
        row.update(kind="contact_closed", detail={"outcome": e.outcome})
    elif isinstance(e, ce.MessageReceived):
        row.update(kind="message", text=e.body, detail={
            "direction": "inbound", "channel": e.channel, "channel_instance": e.channel_instance,
            "message_id": e.message_id, "attachments": len(e.attachments)})
    elif isinstance(e, ce.MessageSent):
        row.update(kind="message", text=e.body, detail={
            "direction": "outbound", "channel": e.channel, "channel_instance": e.channel_instance,
            "message_id": e.message_id, "author_kind": e.author_kind, "author_id": e.author_id,
            "attachments": len(e.attachments)})
    elif isinstance(e, ce.NoteAdded):
        row.update(kind="note", text=e.body, detail={"author_kind": e.author_kind, "author_id": e.author_id,
                                                     "message_id": e.message_id})
    elif isinstance(e, ev.ContactConnected):
        row.update(kind="connected", detail={"agent_id": e.agent_id, "queue_id": e.queue_id,
                                             "channel": e.channel, "wait_s": e.wait_s})
    elif isinstance(e, ev.WrapUpCompleted):
        row.update(kind="disposition", text=e.notes, detail={
            "disposition": e.disposition, "agent_id": e.agent_id, "queue_id": e.queue_id,
            "channel": e.channel, "talk_s": e.talk_s})
    elif isinstance(e, ce.SurveyAnswered):
        row.update(kind="survey", text=e.comment, detail={"survey": e.survey, "score": e.score,
                                                          "scale_max": e.scale_max, "agent_id": e.agent_id})
    elif isinstance(e, UtteranceTranscribed):  # a line of the call's transcript, at the time it was said
        row.update(kind="utterance", at=e.said_at, text=e.text, detail={
            "speaker": e.speaker, "recording_id": e.recording_id, "start_s": e.start_s, "end_s": e.end_s})
    elif isinstance(e, ev.RecordingStored):
        row.update(kind="recording", detail={"recording_id": e.recording_id, "uri": e.uri,
                                             "duration_s": e.duration_s, "recording_kind": e.kind})
    elif isinstance(e, ev.VoicemailLeft):
        row.update(kind="voicemail", detail={"recording_id": e.recording_id, "uri": e.uri,
                                             "duration_s": e.duration_s, "mailbox": e.mailbox})
    elif isinstance(e, de.CallPlaced | de.CallAnswered | de.CallFailed | de.CallAbandoned | de.CallConnected):
        phone = e.phone if isinstance(e, de.CallPlaced) else phone_of_record(e.record_id)
        result = {de.CallPlaced: "placed", de.CallAnswered: "answered", de.CallFailed: "failed",
                  de.CallAbandoned: "abandoned", de.CallConnected: "connected"}[type(e)]
        detail: dict[str, Any] = {"campaign_id": e.campaign_id, "call_id": e.call_id, "result": result}
        if isinstance(e, de.CallAnswered):
            detail["answered_by"] = e.answered_by
        elif isinstance(e, de.CallFailed):
            detail["outcome"] = e.outcome
        elif isinstance(e, de.CallAbandoned):
            detail["reason"] = e.reason
        row.update(kind="campaign_attempt", record_id=e.record_id, phone=phone, detail=detail,
                   contact_id=e.contact_id if isinstance(e, de.CallConnected) else None)
    else:
        return None
    return row


TIMELINE_TYPES: frozenset[type[Event]] = frozenset({
    ev.ContactCreated, ev.ContactClosed, ev.ContactConnected, ev.WrapUpCompleted, ev.RecordingStored,
    ev.VoicemailLeft, ce.MessageReceived, ce.MessageSent, ce.NoteAdded, ce.SurveyAnswered, UtteranceTranscribed,
    de.CallPlaced, de.CallAnswered, de.CallFailed, de.CallAbandoned, de.CallConnected})


def _rows(batch: Sequence[StoredEvent], lookup: Callable[[str], str | None]) -> list[dict[str, Any]]:
    placed: dict[str, str] = {}
    out = []
    for s in batch:
        row = timeline_row(s, lambda record: placed.get(record) or lookup(record))
        if row is None:
            continue
        if row["kind"] == "campaign_attempt" and row["phone"]:
            placed[row["record_id"]] = row["phone"]
        out.append(row)
    return out


class Timeline:
    """``timeline_entries``: the rows a customer's timeline is read from (newest first, by seq)."""

    name = "customer_timeline"
    event_types: frozenset[type[Event]] = TIMELINE_TYPES

    def apply_sql(self, tx: SqlTx, batch: Sequence[StoredEvent]) -> None:
        te = timeline_entries

        def lookup(record_id: str) -> str | None:
            q = (select(te.c.phone).where(te.c.record_id == record_id, te.c.phone.is_not(None))
                 .order_by(te.c.seq.desc()).limit(1))
            return tx.conn.execute(q).scalar()

        rows = _rows(batch, lookup)
        if rows:
            tx.conn.execute(te.insert(), rows)

    def prepare_memory(self, tables: MemoryTables, batch: Sequence[StoredEvent]) -> Callable[[], None]:
        entries: list[dict[str, Any]] = tables.extra.setdefault(TIMELINE, [])

        def lookup(record_id: str) -> str | None:
            return next((r["phone"] for r in reversed(entries) if r["record_id"] == record_id and r["phone"]),
                        None)

        rows = _rows(batch, lookup)
        return lambda: entries.extend(rows)  # fresh dicts of scalars: nothing shared with the events


# ---------------------------------------------------------------------- merges and erasure


def merged_fields(fields: dict[str, Any], e: cue.CustomerMerged) -> dict[str, Any]:
    return {**fields, **json_copy(dict(e.fields_set))}


def unmerged_fields(fields: dict[str, Any], e: cue.CustomerUnmerged) -> dict[str, Any]:
    out = {k: v for k, v in fields.items() if k not in e.fields_removed}
    out.update(json_copy(dict(e.fields_restored)))
    return out


def _personal(identities: Sequence[tuple[str, str]], name: str | None) -> tuple[frozenset[str], frozenset[str]]:
    """(values to scrub from attributes, the customer's phone numbers) of an erased customer."""
    values = {v.strip().lower() for _, v in identities if v.strip()}
    values |= {v.partition(":")[2].strip().lower() for k, v in identities if k == "social" and ":" in v}
    if name and name.strip():
        values.add(name.strip().lower())
    phones = frozenset(v for k, v in identities if k == "phone")
    return frozenset(values), phones


class CustomerLinks:
    """Applies merges, undos and erasures to ``customers``, ``customer_identities``, ``customer_tags``,
    ``customer_status``, ``interactions.customer_id`` and, on erasure, the personal fields of the stored
    events, ``interactions.attributes`` and ``timeline_entries`` of the customer's contacts."""

    name = "customer_links"
    event_types: frozenset[type[Event]] = frozenset({cue.CustomerMerged, cue.CustomerUnmerged, cue.CustomerErased})

    # -------------------------------------------------------------- SQL

    def apply_sql(self, tx: SqlTx, batch: Sequence[StoredEvent]) -> None:
        for s in batch:
            e = s.event
            if isinstance(e, cue.CustomerMerged):
                self._sql_move(tx, e.from_customer_id, e.customer_id, e.identities, e.contact_ids)
                self._sql_profile(tx, e.customer_id, partial(merged_fields, e=e), e.name_set,
                                  add_tags=e.tags_added)
                tx.conn.execute(delete(customer_status).where(customer_status.c.customer_id == e.from_customer_id))
                tx.conn.execute(customer_status.insert(), {"customer_id": e.from_customer_id,
                                                           "merged_into": e.customer_id, "merge_id": e.merge_id})
            elif isinstance(e, cue.CustomerUnmerged):
                self._sql_move(tx, e.customer_id, e.from_customer_id, e.identities, e.contact_ids)
                self._sql_profile(tx, e.customer_id, partial(unmerged_fields, e=e), e.name_restored,
                                  remove_tags=e.tags_removed)
                tx.conn.execute(delete(customer_status).where(customer_status.c.customer_id == e.from_customer_id))
            elif isinstance(e, cue.CustomerErased):
                self._sql_erase(tx, e)

    @staticmethod
    def _sql_move(tx: SqlTx, source: str, target: str, identities: Sequence[tuple[str, str]],
                  contact_ids: Sequence[str]) -> None:
        ci = t.customer_identities
        for kind, value in identities:
            tx.conn.execute(update(ci).where(ci.c.kind == kind, ci.c.value == value, ci.c.customer_id == source)
                            .values(customer_id=target))
        if contact_ids:
            tx.conn.execute(update(t.interactions).where(t.interactions.c.contact_id.in_(list(contact_ids)),
                                                         t.interactions.c.customer_id == source)
                            .values(customer_id=target))

    @staticmethod
    def _sql_profile(tx: SqlTx, customer_id: str, fields_fn: Callable[[dict[str, Any]], dict[str, Any]],
                     name: str | None, add_tags: Sequence[str] = (), remove_tags: Sequence[str] = ()) -> None:
        c = t.customers
        fields = tx.conn.execute(select(c.c.fields).where(c.c.id == customer_id)).scalar()
        values: dict[str, Any] = {"fields": fields_fn(dict(fields or {}))}
        if name is not None:
            values["name"] = name
        tx.conn.execute(update(c).where(c.c.id == customer_id).values(values))
        have = set(tx.conn.execute(select(customer_tags.c.tag).where(customer_tags.c.customer_id == customer_id))
                   .scalars())
        new = [{"customer_id": customer_id, "tag": tag} for tag in dict.fromkeys(add_tags) if tag not in have]
        if new:
            tx.conn.execute(customer_tags.insert(), new)
        if remove_tags:
            tx.conn.execute(delete(customer_tags).where(customer_tags.c.customer_id == customer_id,
                                                        customer_tags.c.tag.in_(list(remove_tags))))

    def _sql_erase(self, tx: SqlTx, e: cue.CustomerErased) -> None:
        conn, c, ci = tx.conn, t.customers, t.customer_identities
        name = conn.execute(select(c.c.name).where(c.c.id == e.customer_id)).scalar()
        identities = [(k, v) for k, v in conn.execute(select(ci.c.kind, ci.c.value)
                                                      .where(ci.c.customer_id == e.customer_id))]
        values, phones = _personal(identities, name)
        contacts = list(e.contact_ids)
        # the stored events: the contacts', the dialer attempts to its numbers, the merges it took part in
        evs = t.events
        wanted = [evs.c.contact_id.in_(contacts)] if contacts else []
        wanted.append(evs.c.type.in_(["CallPlaced", "CustomerMerged", "CustomerUnmerged"]))
        for r in conn.execute(select(evs.c.seq, evs.c.type, evs.c.payload).where(or_(*wanted))).all():
            scrubbed = scrub_event(event_from_dict(r.type, r.payload), e.customer_id, values, phones)
            if scrubbed is not None:
                conn.execute(update(evs).where(evs.c.seq == r.seq).values(payload=scrubbed.to_dict()))
        it = t.interactions
        for cid, attributes in conn.execute(select(it.c.contact_id, it.c.attributes)
                                            .where(it.c.contact_id.in_(contacts))).all():
            conn.execute(update(it).where(it.c.contact_id == cid)
                         .values(attributes=scrub_attributes(attributes or {}, values)))
        if contacts:  # the pre-chat answers of the customer's web-chat sessions
            ws = webchat_sessions
            conn.execute(update(ws).where(ws.c.contact_id.in_(contacts))
                         .values(name="", email=None, phone=None, topic=None, extra={}))
        te = timeline_entries
        if contacts:
            conn.execute(update(te).where(te.c.contact_id.in_(contacts), te.c.text.is_not(None))
                         .values(text=ERASED))
        if phones:
            conn.execute(update(te).where(te.c.phone.in_(list(phones))).values(phone=ERASED))
        conn.execute(delete(ci).where(ci.c.customer_id == e.customer_id))
        conn.execute(delete(customer_tags).where(customer_tags.c.customer_id == e.customer_id))
        conn.execute(update(c).where(c.c.id == e.customer_id).values(name="", fields={}))
        conn.execute(delete(customer_status).where(customer_status.c.customer_id == e.customer_id))
        conn.execute(customer_status.insert(), {"customer_id": e.customer_id, "erased_at": e.at})

    # -------------------------------------------------------------- memory

    def prepare_memory(self, tables: MemoryTables, batch: Sequence[StoredEvent]) -> Callable[[], None]:
        repo = tables.customers

        def write() -> None:
            for s in batch:
                e = s.event
                if isinstance(e, cue.CustomerMerged):
                    for cid in e.contact_ids:
                        row = tables.rows.get(cid)
                        if row is not None and row["customer_id"] == e.from_customer_id:
                            row["customer_id"] = e.customer_id
                    if repo is not None:
                        repo.apply_merge(e)
                elif isinstance(e, cue.CustomerUnmerged):
                    for cid in e.contact_ids:
                        row = tables.rows.get(cid)
                        if row is not None and row["customer_id"] == e.customer_id:
                            row["customer_id"] = e.from_customer_id
                    if repo is not None:
                        repo.apply_unmerge(e)
                elif isinstance(e, cue.CustomerErased):
                    self._memory_erase(tables, e)

        return write

    @staticmethod
    def _memory_erase(tables: MemoryTables, e: cue.CustomerErased) -> None:
        repo = tables.customers
        profile = repo.get(e.customer_id) if repo is not None else None
        identities = [tuple(i) for i in profile["identities"]] if profile else []
        values, phones = _personal(identities, profile["name"] if profile else None)
        contacts = set(e.contact_ids)
        log: list[StoredEvent] = tables.extra.get(EVENT_LOG, [])
        for i, s in enumerate(log):
            if getattr(s.event, "contact_id", None) in contacts or isinstance(
                    s.event, de.CallPlaced | cue.CustomerMerged | cue.CustomerUnmerged):
                scrubbed = scrub_event(s.event, e.customer_id, values, phones)
                if scrubbed is not None:
                    log[i] = StoredEvent(s.seq, scrubbed)
        for cid in contacts:
            row = tables.rows.get(cid)
            if row is not None:
                row["attributes"] = scrub_attributes(row["attributes"] or {}, values)
        for r in tables.extra.get(TIMELINE, []):
            if r["contact_id"] in contacts and r["text"] is not None:
                r["text"] = ERASED
            if r["phone"] in phones:
                r["phone"] = ERASED
        if repo is not None:
            repo.apply_erase(e.customer_id, e.at)
