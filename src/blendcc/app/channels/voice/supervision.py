"""Recording (per-queue policy, on demand, retention) and supervisor listen-in for voice calls."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from blendcc.app.channels.voice.model import Leg, VoiceCall, VoiceGateway, VoiceSettings
from blendcc.domain.errors import InvalidState, NotFound
from blendcc.domain.events import RecordingStored
from blendcc.domain.lifecycle.voice import VoiceCallState as V
from blendcc.routing.commands import AppendEvents, Command


class VoiceSupervision:
    """Mixed into ``VoiceService``: everything here runs on the gateway's loop like the rest of it."""

    contacts: Any  # ContactService (its store holds the RecordingStored events)
    calls: dict[str, VoiceCall]
    by_leg: dict[str, VoiceCall]
    gateway: VoiceGateway
    settings: VoiceSettings

    # provided by VoiceService
    def _command(self, op: Command) -> None: ...

    def _live(self, contact_id: str) -> VoiceCall:
        vc = self.calls.get(contact_id)
        if vc is None:
            raise NotFound(f"no live voice call for contact {contact_id}")
        return vc

    def recording_policy(self, queue_id: str | None) -> str:
        return self.settings.recording.get(queue_id or "", self.settings.default_recording)

    def start_recording(self, contact_id: str) -> dict[str, Any]:
        vc = self._live(contact_id)
        if vc.state is not V.CONNECTED:
            raise InvalidState(f"contact {contact_id} is not connected")
        if self.recording_policy(vc.queue_id) == "none":
            raise InvalidState(f"queue {vc.queue_id} does not allow recording")
        n = len(vc.recordings)
        path = self.settings.recording_dir / (f"{contact_id}.wav" if n == 0 else f"{contact_id}-{n + 1}.wav")
        if not self.gateway.record(vc.customer, path):
            raise InvalidState(f"contact {contact_id} is already being recorded")
        entry = {"contact_id": contact_id, "file": path.name, "path": str(path), "agent_id": vc.agent_id,
                 "queue_id": vc.queue_id, "seconds": None}
        vc.recordings.append(entry)
        return entry

    def stop_recording(self, contact_id: str) -> dict[str, Any]:
        vc = self._live(contact_id)
        if not vc.recordings or vc.recordings[-1]["seconds"] is not None:
            raise InvalidState(f"contact {contact_id} is not being recorded")
        self._finish_recording(vc)
        return vc.recordings[-1]

    def recordings(self, contact_id: str) -> list[dict[str, Any]]:
        """Recordings of a contact: a live call's own list, else the RecordingStored events of its timeline."""
        vc = self.calls.get(contact_id)
        if vc is not None:
            return [dict(r) for r in vc.recordings]
        d = self.settings.recording_dir
        out: list[dict[str, Any]] = []
        for s in self.contacts.store.contact_events(contact_id):
            e = s.event
            if not isinstance(e, RecordingStored):
                continue
            entry: dict[str, Any] = {"contact_id": contact_id, "file": e.uri, "path": str(d / e.uri),
                                     "seconds": e.duration_s}
            if e.kind == "voicemail":
                entry.update(kind="voicemail", mailbox=e.uri.split("/")[1])
            else:
                entry.update(agent_id=e.agent_id, queue_id=e.queue_id)
            out.append(entry)
        return out

    def purge_recordings(self, now: float) -> int:
        """Delete recordings older than the retention setting; returns how many were deleted."""
        cutoff = now - self.settings.retention_days * 86400
        n = 0
        d = self.settings.recording_dir
        if not d.is_dir():
            return 0
        live = {Path(r["path"]).name for vc in self.calls.values() for r in vc.recordings}
        for p in [*d.glob("*.wav"), *d.glob("voicemail/*/*.wav")]:
            if p.name not in live and p.stat().st_mtime < cutoff:
                p.unlink(missing_ok=True)
                p.with_suffix(".json").unlink(missing_ok=True)
                n += 1
        return n

    def listen_in(self, contact_id: str, supervisor: str) -> dict[str, Any]:
        """Ring the supervisor's phone; once answered it hears both sides (one way)."""
        vc = self._live(contact_id)
        if vc.state is not V.CONNECTED:
            raise InvalidState(f"contact {contact_id} is not connected")
        leg = self.gateway.ring(supervisor, vc.caller_id, contact_id)
        if leg is None:
            raise InvalidState(f"{supervisor} has no registered phone")
        vc.listeners.append(leg)
        self.by_leg[leg.id] = vc
        return {"contact_id": contact_id, "supervisor": supervisor, "leg": leg.id}

    def listener_answered(self, leg: Leg) -> bool:
        vc = self.by_leg.get(leg.id)
        if vc is None or leg not in vc.listeners:
            return False
        if not self.gateway.listen(vc.customer, leg):
            self.gateway.hangup(leg)
        return True

    def _finish_recording(self, vc: VoiceCall) -> None:
        if vc.recordings and vc.recordings[-1]["seconds"] is None:
            rec = vc.recordings[-1]
            rec["seconds"] = seconds = self.gateway.stop_recording(vc.customer)
            if rec.get("kind") is None:  # a conversation (a voicemail is stored when the message ends)
                self._command(AppendEvents((RecordingStored(
                    at=0.0, contact_id=vc.contact_id, recording_id=rec["file"], uri=rec["file"], duration_s=seconds,
                    agent_id=rec.get("agent_id"), queue_id=rec.get("queue_id")),), stamp=True))

