"""Voicemail (record the caller alone, then hang up) and call-backs that keep the caller's place in line."""

from __future__ import annotations

import json
import logging
import re
from collections import deque
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from blendcc.app.voice_model import Leg, VoiceCall, VoiceGateway, VoiceSettings
from blendcc.domain.errors import NotFound
from blendcc.routing.commands import Command, DisconnectCustomer, EndContact

log = logging.getLogger(__name__)
_SAFE = re.compile(r"[^A-Za-z0-9_.-]")
BUSY = {486, 600}
NO_ANSWER = {408, 480, 487}


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

    calls: dict[str, VoiceCall]
    by_leg: dict[str, VoiceCall]
    gateway: VoiceGateway
    settings: VoiceSettings
    stats: dict[str, int]
    #: dials a customer back through the trunk: (number, caller id shown, contact id) -> leg or None
    dial_out: Callable[[str, str, str], Leg | None] | None
    #: the last call-back outcomes (newest last), for the API
    callback_log: deque[dict[str, Any]]

    # provided by VoiceService
    def _command(self, op: Command) -> None: ...
    def _leave_ivr(self, vc: VoiceCall, hung_up: bool) -> None: ...
    def _hangup_agent(self, vc: VoiceCall) -> None: ...
    def _connected(self, vc: VoiceCall, leg: Leg) -> None: ...
    def hang_up(self, vc: VoiceCall) -> None: ...

    # ------------------------------------------------------------------ voicemail
    def voicemail(self, vc: VoiceCall, mailbox: str, max_seconds: float, ivr: Mapping[str, str],
                  attributes: Mapping[str, Any]) -> None:
        """Record the caller into the mailbox for ``max_seconds`` or until they hang up, then hang up.

        A contact already queued for this call leaves the queue (``customer_left``); the call itself stays
        up while the message is recorded. The file is ``<mailbox dir>/<contact id>.wav`` (mono 8 kHz) with a
        JSON side file (caller, dialled number, IVR choices, attributes, length)."""
        if vc.customer_gone or vc.state == "ended":
            return
        self._leave_ivr(vc, hung_up=False)
        if vc.created:
            self._hangup_agent(vc)
            self._command(DisconnectCustomer(vc.contact_id))
        vc.state = "voicemail"
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
        if vc.state != "voicemail":
            return
        vc.state = "ended"
        if vc.voicemail_timer is not None:
            vc.voicemail_timer.cancel()
            vc.voicemail_timer = None
        if vc.recordings and vc.recordings[-1]["seconds"] is None:
            seconds = self.gateway.stop_recording(vc.customer)
            vc.recordings[-1]["seconds"] = seconds
            if vc.voicemail_meta is not None:
                vc.voicemail_meta["seconds"] = seconds
                _write_meta(Path(vc.recordings[-1]["path"]), vc.voicemail_meta)
        vc.customer_gone = True
        if not hung_up:
            self.gateway.hangup(vc.customer)
        self.by_leg.pop(vc.customer.id, None)
        contact_id = vc.contact_id

        def forget() -> None:
            self.calls.pop(contact_id, None)

        self.gateway.call_later(60.0, forget)

    def voicemails(self, mailbox: str | None = None) -> list[dict[str, Any]]:
        """Recorded messages (all mailboxes, or one), newest first, from their side files."""
        root = self.settings.recording_dir / "voicemail"
        if not root.is_dir():
            return []
        folders = [mailbox_dir(self.settings, mailbox)] if mailbox is not None else sorted(root.iterdir())
        out: list[dict[str, Any]] = []
        for folder in folders:
            for wav in folder.glob("*.wav") if folder.is_dir() else ():
                meta = _read_meta(wav)
                meta.update(file=f"voicemail/{folder.name}/{wav.name}", recorded_at=wav.stat().st_mtime)
                out.append(meta)
        out.sort(key=lambda m: -float(m["recorded_at"]))
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
        if vc.customer_gone or vc.state == "ended":
            return
        if self.dial_out is None or vc.state not in ("queued", "ringing"):
            log.warning("call-back for %s impossible (%s); hanging up", vc.contact_id,
                        "no SIP trunk" if self.dial_out is None else f"call is {vc.state}")
            self.hang_up(vc)
            return
        self._leave_ivr(vc, hung_up=False)
        vc.callback_number = number
        vc.callback_attempts = 0
        self.stats["callbacks"] = self.stats.get("callbacks", 0) + 1
        self.gateway.stop_playing(vc.customer)
        self.gateway.hangup(vc.customer)
        self.by_leg.pop(vc.customer.id, None)
        vc.customer_gone = True  # the contact stays queued: no customer_left

    def _dial_back(self, vc: VoiceCall) -> None:
        """The agent answered a call-back contact: dial the customer (one attempt)."""
        if vc.state != "connected" or vc.callback_number is None or self.dial_out is None:
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
            if vc.agent_leg is None or vc.state != "connected":  # the agent left meanwhile
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
        if vc.state != "connected":
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
        self.callback_log.append(entry)
        log.info("call-back %s attempt %d to %s: %s", vc.contact_id, vc.callback_attempts, number, outcome)


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


def _read_meta(wav: Path) -> dict[str, Any]:
    try:
        data = json.loads(wav.with_suffix(".json").read_text())
        return data if isinstance(data, dict) else {}
    except (OSError, ValueError):
        return {"contact_id": wav.stem}
