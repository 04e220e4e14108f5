"""Voicemail (record the caller alone, then hang up) and call-backs that keep the caller's place in line.

Both are facts in the event log (VoicemailLeft with its RecordingStored; CallbackRequested, CallbackAttempted,
CallbackCompleted): the listings read the log, and pending call-backs are picked up again after a restart.
The audio files stay in the recording directory; the events say where.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from blendcc.app.channels.voice.model import GoneLeg, Leg, VoiceCall, VoiceGateway, VoiceSettings
from blendcc.domain.errors import NotFound
from blendcc.domain.events import (
    CallbackAttempted,
    CallbackCompleted,
    CallbackRequested,
    Event,
    RecordingStored,
    VoicemailLeft,
)
from blendcc.domain.lifecycle.contact import UNANSWERED_VALUES
from blendcc.domain.lifecycle.voice import UNANSWERED
from blendcc.domain.lifecycle.voice import VoiceCallState as V
from blendcc.ports import EventStore, ReportReader
from blendcc.routing.commands import AppendEvents, Command, DisconnectCustomer, EndContact

log = logging.getLogger(__name__)
_SAFE = re.compile(r"[^A-Za-z0-9_.-]")
BUSY = {486, 600}
NO_ANSWER = {408, 480, 487}
CALLBACK_LOG_SIZE = 500


def mailbox_dir(settings: VoiceSettings, mailbox: str) -> Path:
    """``<recording_dir>/voicemail/<mailbox>`` (the mailbox name reduced to safe file-name characters)."""
    return settings.recording_dir / "voicemail" / (_SAFE.sub("_", mailbox).strip(".") or "default")


def callback_outcome(status: int) -> str:
    """What a failed call-back attempt's final SIP status means."""
    if status in BUSY:
        return "busy"
    if status in NO_ANSWER:
        return "no_answer"
    return "failed"


class VoiceMessages:
    """Mixed into ``VoiceService``; everything runs on the gateway's loop like the rest of the service."""

    contacts: Any  # ContactService: its runtime stores the events, its store and reader are read
    calls: dict[str, VoiceCall]
    by_leg: dict[str, VoiceCall]
    gateway: VoiceGateway
    settings: VoiceSettings
    stats: dict[str, int]
    #: dials a customer back through the trunk: (number, caller id shown, contact id) -> leg or None
    dial_out: Callable[[str, str, str], Leg | None] | None
    #: call-backs requested before a restart and not completed: contact id -> (number, dialled)
    pending_callbacks: dict[str, tuple[str, str | None]]

    # provided by VoiceService
    def _command(self, op: Command) -> None: ...
    def _leave_ivr(self, vc: VoiceCall, hung_up: bool) -> None: ...
    def _hangup_agent(self, vc: VoiceCall) -> None: ...
    def _connected(self, vc: VoiceCall, leg: Leg) -> None: ...
    def hang_up(self, vc: VoiceCall) -> None: ...

    def _log(self) -> EventStore:
        store: EventStore = self.contacts.store
        return store

    # ------------------------------------------------------------------ voicemail
    def voicemail(self, vc: VoiceCall, mailbox: str, max_seconds: float, ivr: Mapping[str, str],
                  attributes: Mapping[str, Any]) -> None:
        """Record the caller into the mailbox for ``max_seconds`` or until they hang up, then hang up.

        A contact already queued for this call leaves the queue (``customer_left``); the call itself stays
        up while the message is recorded. The file is ``<mailbox dir>/<contact id>.wav`` (mono 8 kHz) with a
        JSON side file (caller, dialled number, IVR choices, attributes, length)."""
        if vc.customer_gone or vc.state is V.ENDED:
            return
        self._leave_ivr(vc, hung_up=False)
        if vc.created:
            self._hangup_agent(vc)
            self._command(DisconnectCustomer(vc.contact_id))
        vc.move(V.VOICEMAIL)
        folder = mailbox_dir(self.settings, mailbox)
        path = folder / f"{vc.contact_id}.wav"
        if not self.gateway.record(vc.customer, path):
            log.warning("cannot record voicemail for %s; hanging up", vc.contact_id)
            self._voicemail_done(vc)
            return
        self.stats["voicemails"] = self.stats.get("voicemails", 0) + 1
        meta = {"contact_id": vc.contact_id, "mailbox": mailbox, "caller_id": vc.caller_id,
                "dialled": vc.dialled, "ivr": dict(ivr), "attributes": {k: str(v) for k, v in attributes.items()},
                "max_seconds": max_seconds, "seconds": None}
        vc.recordings.append({"contact_id": vc.contact_id, "file": f"voicemail/{folder.name}/{path.name}",
                              "path": str(path), "kind": "voicemail", "mailbox": mailbox, "seconds": None})
        vc.voicemail_meta = meta
        _write_meta(path, meta)
        vc.voicemail_timer = self.gateway.call_later(max_seconds, lambda: self._voicemail_done(vc))

    def _voicemail_done(self, vc: VoiceCall, hung_up: bool = False) -> None:
        """The message is complete (time is up or the caller hung up): close the file, end the call."""
        if vc.state is not V.VOICEMAIL:
            return
        vc.move(V.ENDED)
        if vc.voicemail_timer is not None:
            vc.voicemail_timer.cancel()
            vc.voicemail_timer = None
        if vc.recordings and vc.recordings[-1]["seconds"] is None:
            seconds = self.gateway.stop_recording(vc.customer)
            rec = vc.recordings[-1]
            rec["seconds"] = seconds
            meta = vc.voicemail_meta
            if meta is not None:
                meta["seconds"] = seconds
                _write_meta(Path(rec["path"]), meta)
                name = Path(rec["path"]).name
                stored = RecordingStored(at=0.0, contact_id=vc.contact_id, recording_id=name, uri=rec["file"],
                                         duration_s=seconds, kind="voicemail")
                left = VoicemailLeft(at=0.0, contact_id=vc.contact_id, mailbox=meta["mailbox"], recording_id=name,
                                     uri=rec["file"], duration_s=seconds, caller_id=vc.caller_id,
                                     dialled=vc.dialled, max_seconds=meta["max_seconds"], ivr=meta["ivr"],
                                     attributes=meta["attributes"])
                self._command(AppendEvents((stored, left), stamp=True))
        vc.customer_gone = True
        if not hung_up:
            self.gateway.hangup(vc.customer)
        self.by_leg.pop(vc.customer.id, None)
        contact_id = vc.contact_id

        def forget() -> None:
            self.calls.pop(contact_id, None)

        self.gateway.call_later(60.0, forget)

    def voicemails(self, mailbox: str | None = None) -> list[dict[str, Any]]:
        """Messages left (all mailboxes, or one), newest first, from the VoicemailLeft events of the log."""
        folder = mailbox_dir(self.settings, mailbox).name if mailbox is not None else None
        out: list[dict[str, Any]] = []
        for s in self._log().events_of_type([VoicemailLeft.__name__]):
            e = s.event
            assert isinstance(e, VoicemailLeft)
            if folder is not None and e.uri.split("/")[1:2] != [folder]:
                continue
            out.append({"contact_id": e.contact_id, "mailbox": e.mailbox, "caller_id": e.caller_id,
                        "dialled": e.dialled, "ivr": dict(e.ivr), "attributes": dict(e.attributes),
                        "max_seconds": e.max_seconds, "seconds": e.duration_s, "file": e.uri,
                        "recorded_at": e.at, "seq": s.seq})
        out.reverse()
        return out

    def voicemail_file(self, mailbox: str, name: str) -> Path:
        folder = mailbox_dir(self.settings, mailbox).resolve()
        path = (folder / name).resolve()
        if path.parent != folder or path.suffix != ".wav" or not path.is_file():
            raise NotFound(f"voicemail {mailbox}/{name} does not exist")
        return path

    # ------------------------------------------------------------------ call-backs
    def callback(self, vc: VoiceCall, number: str) -> None:
        """The caller asked to be called back on ``number``: hang up but keep the contact queued; when an
        agent accepts it, the number is dialled through the trunk and bridged to the agent's phone."""
        if vc.customer_gone or vc.state is V.ENDED:
            return
        if self.dial_out is None or vc.state not in UNANSWERED:
            log.warning("call-back for %s impossible (%s); hanging up", vc.contact_id,
                        "no SIP trunk" if self.dial_out is None else f"call is {vc.state.value}")
            self.hang_up(vc)
            return
        self._leave_ivr(vc, hung_up=False)
        vc.callback_number = number
        vc.callback_attempts = 0
        self.stats["callbacks"] = self.stats.get("callbacks", 0) + 1
        contact_id, dialled, queue_id = vc.contact_id, vc.dialled, vc.queue_id
        self._command(AppendEvents((CallbackRequested(at=0.0, contact_id=contact_id, number=number, dialled=dialled,
                                                      queue_id=queue_id),), stamp=True))
        self.gateway.stop_playing(vc.customer)
        self.gateway.hangup(vc.customer)
        self.by_leg.pop(vc.customer.id, None)
        vc.customer_gone = True  # the contact stays queued: no customer_left

    def _dial_back(self, vc: VoiceCall) -> None:
        """The agent answered a call-back contact: dial the customer (one attempt)."""
        if vc.state is not V.CONNECTED or vc.callback_number is None or self.dial_out is None:
            return
        vc.callback_attempts += 1
        leg = self.dial_out(vc.callback_number, vc.dialled or "blendcc", vc.contact_id)
        if leg is None:
            self._callback_attempt_failed(vc, "failed")
            return
        vc.callback_leg = leg
        self.by_leg[leg.id] = vc

        def ring_timeout() -> None:
            if vc.callback_leg is leg:
                self.gateway.hangup(leg)  # CANCEL while ringing
                self._callback_leg_failed(vc, leg, "no_answer")

        vc.callback_timer = self.gateway.call_later(self.settings.callback_ring_s, ring_timeout)

    def callback_event(self, leg: Leg, name: str, detail: Any) -> None:
        """Progress of a call-back leg: answered (bridge it to the agent), failed, or ended after the answer."""
        vc = self.by_leg.get(leg.id)
        if vc is None:
            return
        if name == "answered" and vc.callback_leg is leg:
            _cancel(vc)
            vc.callback_leg = None
            vc.customer = leg
            vc.customer_gone = False
            vc.callback_number, number = None, vc.callback_number
            self._log_callback(vc, number, "answered")
            if vc.agent_leg is None or vc.state is not V.CONNECTED:  # the agent left meanwhile
                self.gateway.hangup(leg)
                return
            self._connected(vc, vc.agent_leg)
        elif name == "failed" and vc.callback_leg is leg:
            self._callback_leg_failed(vc, leg, callback_outcome(int(detail or 0)))
        elif name in ("ended", "cancelled") and vc.callback_leg is leg:
            self._callback_leg_failed(vc, leg, "failed")
        elif name in ("ended", "cancelled") and vc.customer is leg:
            leave: Callable[[Leg], None] = getattr(self, "leg_ended")  # noqa: B009 (VoiceService's)
            leave(leg)

    def _callback_leg_failed(self, vc: VoiceCall, leg: Leg, outcome: str) -> None:
        _cancel(vc)
        vc.callback_leg = None
        self.by_leg.pop(leg.id, None)
        self._callback_attempt_failed(vc, outcome)

    def _callback_attempt_failed(self, vc: VoiceCall, outcome: str) -> None:
        """Retry after ``callback_retry_s`` while attempts remain (the agent stays on the contact), else end."""
        number = vc.callback_number or ""
        last = vc.callback_attempts >= self.settings.callback_attempts
        self._log_callback(vc, number, outcome, final=last)
        if vc.state is not V.CONNECTED:
            return
        if not last:
            vc.callback_timer = self.gateway.call_later(self.settings.callback_retry_s, lambda: self._dial_back(vc))
            return
        agent = vc.agent_id
        if agent is not None:
            self._command(EndContact(vc.contact_id, agent))

    def _log_callback(self, vc: VoiceCall, number: str | None, outcome: str, final: bool = True) -> None:
        entry = {"contact_id": vc.contact_id, "number": number, "agent_id": vc.agent_id,
                 "attempt": vc.callback_attempts, "outcome": outcome, "final": final or outcome == "answered"}
        vc.callback_outcomes.append(entry)
        final = bool(entry["final"])
        attempted = CallbackAttempted(at=0.0, contact_id=vc.contact_id, number=number, agent_id=vc.agent_id,
                                      attempt=vc.callback_attempts, outcome=outcome, final=final)
        events: list[Event] = [attempted]
        if final:
            vc.callback_completed = True
            events.append(CallbackCompleted(at=0.0, contact_id=vc.contact_id, outcome=outcome,
                                            attempts=vc.callback_attempts))
        self._command(AppendEvents(tuple(events), stamp=True))
        log.info("call-back %s attempt %d to %s: %s", vc.contact_id, vc.callback_attempts, number, outcome)

    def _callback_cancelled(self, vc: VoiceCall) -> None:
        """The contact ended while its call-back was still open (timed out, removed by a supervisor...)."""
        if vc.callback_number is None or vc.callback_completed:
            return
        vc.callback_completed = True
        contact_id, attempts = vc.contact_id, vc.callback_attempts
        self._command(AppendEvents((CallbackCompleted(at=0.0, contact_id=contact_id, outcome="cancelled",
                                                      attempts=attempts),), stamp=True))

    @property
    def callback_log(self) -> list[dict[str, Any]]:
        """The last call-back attempts and their outcomes (newest last), from the log."""
        stored = self._log().events_of_type([CallbackAttempted.__name__])[-CALLBACK_LOG_SIZE:]
        out = []
        for s in stored:
            e = s.event
            assert isinstance(e, CallbackAttempted)
            out.append({"contact_id": e.contact_id, "number": e.number, "agent_id": e.agent_id,
                        "attempt": e.attempt, "outcome": e.outcome, "final": e.final})
        return out

    def load_pending_callbacks(self, reader: ReportReader) -> dict[str, tuple[str, str | None]]:
        """Call-backs requested and not completed whose contact still waits for an agent (after a restart
        the caller is gone but the contact is queued again from the log): contact id -> (number, dialled)."""
        pending: dict[str, tuple[str, str | None]] = {}
        kinds = [CallbackRequested.__name__, CallbackCompleted.__name__]
        for s in self._log().events_of_type(kinds):
            e = s.event
            if isinstance(e, CallbackRequested):
                pending[e.contact_id] = (e.number, e.dialled)
            else:
                pending.pop(getattr(e, "contact_id", ""), None)
        for cid in list(pending):
            row = reader.interaction(cid)
            if row is None or row["state"] not in UNANSWERED_VALUES:
                pending.pop(cid)
        return pending

    def _restore_callback(self, contact_id: str) -> VoiceCall | None:
        """A pending call-back from before a restart is offered: track it again (the caller is gone)."""
        entry = self.pending_callbacks.pop(contact_id, None)
        if entry is None:
            return None
        number, dialled = entry
        vc = VoiceCall(contact_id, GoneLeg(f"gone-{contact_id}"), None, dialled, state=V.QUEUED, created=True,
                       customer_gone=True, callback_number=number)
        self.calls[contact_id] = vc
        log.info("call-back %s to %s picked up again after a restart", contact_id, number)
        return vc


def _cancel(vc: VoiceCall) -> None:
    if vc.callback_timer is not None:
        vc.callback_timer.cancel()
        vc.callback_timer = None


def _write_meta(wav: Path, meta: Mapping[str, Any]) -> None:
    try:
        wav.parent.mkdir(parents=True, exist_ok=True)
        wav.with_suffix(".json").write_text(json.dumps(meta, sort_keys=True))
    except OSError as exc:
        log.warning("cannot write %s: %s", wav.with_suffix(".json"), exc)
