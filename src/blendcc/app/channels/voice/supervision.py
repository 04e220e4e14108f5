"""Recording (per-queue policy, on demand, retention) and supervisor listen-in for voice calls."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

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
    bus: Any  # ports.EventBus (VoiceService)

    # provided by VoiceService
    def _command(self, op: Command) -> None: ...

    if TYPE_CHECKING:  # provided by VoiceControls
        def _now(self) -> float: ...
        def _changed(self, vc: VoiceCall) -> None: ...

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
        path = self._recording_path(vc)
        if not self.gateway.record(vc.customer, path):
            raise InvalidState(f"contact {contact_id} is already being recorded")
        return self._recording_started(vc, path, self._now())

    def _recording_path(self, vc: VoiceCall) -> Path:
        n, contact_id = len(vc.recordings), vc.contact_id
        return self.settings.recording_dir / (f"{contact_id}.wav" if n == 0 else f"{contact_id}-{n + 1}.wav")

    def _recording_started(self, vc: VoiceCall, path: Path, at: float) -> dict[str, Any]:
        entry: dict[str, Any] = {"contact_id": vc.contact_id, "file": path.name, "path": str(path),
                                 "agent_id": vc.agent_id, "queue_id": vc.queue_id, "seconds": None}
        entry["started_at"] = at
        vc.recordings.append(entry)
        self._changed(vc)
        return entry

    def stop_recording(self, contact_id: str) -> dict[str, Any]:
        vc = self._live(contact_id)
        if not vc.recordings or vc.recordings[-1]["seconds"] is not None:
            raise InvalidState(f"contact {contact_id} is not being recorded")
        self._finish_recording(vc)
        self._changed(vc)
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
        vc.monitors[leg.id] = {"phone": supervisor, "mode": "ringing"}
        self._monitor_changed(vc, leg.id, "ringing")
        return {"contact_id": contact_id, "supervisor": supervisor, "leg": leg.id}

    def listener_answered(self, leg: Leg) -> bool:
        vc = self.by_leg.get(leg.id)
        if vc is None or leg not in vc.listeners:
            return False
        if not self.gateway.listen(vc.customer, leg):
            self.gateway.hangup(leg)
        else:
            vc.monitors.setdefault(leg.id, {"phone": None})["mode"] = "listen"
            self._monitor_changed(vc, leg.id, "listen")
        return True

    def _monitor_changed(self, vc: VoiceCall, leg_id: str, mode: str) -> None:
        """Tell supervisors (topic "monitor", /ws/supervisor only: the agent is not told) a phone's mode."""
        phone = vc.monitors.get(leg_id, {}).get("phone")
        if mode == "ended":
            vc.monitors.pop(leg_id, None)
        self.bus.publish("monitor", {"type": "CallMonitor", "at": self._now(), "contact_id": vc.contact_id,
                                     "leg": leg_id, "phone": phone, "mode": mode})

    def back_to_listening(self, vc: VoiceCall) -> None:
        """Every supervisor whispering or barging on the call listens only again (before a hold)."""
        for leg in list(vc.listeners):
            if vc.monitors.get(leg.id, {}).get("mode") in ("whisper", "barge") and vc.agent_leg is not None:
                self.gateway.coach(vc.customer, vc.agent_leg, leg, "listen")
                vc.monitors[leg.id]["mode"] = "listen"
                self._monitor_changed(vc, leg.id, "listen")

    def monitors(self, contact_id: str) -> list[dict[str, Any]]:
        """Who listens, whispers or barges on a live call (legs still up)."""
        vc = self.calls.get(contact_id)
        if vc is None:
            return []
        up = {x.id for x in vc.listeners}
        return [{"leg": k, **v} for k, v in vc.monitors.items() if k in up]

    def coach(self, contact_id: str, phone: str, mode: str) -> dict[str, Any]:
        """Move the supervisor listening on ``phone`` to listen, whisper (heard by the agent only) or barge
        (a three-way call)."""
        vc = self._live(contact_id)
        if vc.state is not V.CONNECTED or vc.agent_leg is None:
            raise InvalidState(f"contact {contact_id} is not connected to an agent")
        if vc.held or vc.conference or vc.consult_agent is not None:
            raise InvalidState(f"contact {contact_id} is on hold or in a consultation; try again when it is back")
        monitors = vc.monitors
        leg = next((x for x in reversed(vc.listeners) if monitors.get(x.id, {}).get("phone") == phone
                    and monitors[x.id].get("mode") in ("listen", "whisper", "barge")), None)
        if leg is None:
            raise InvalidState(f"{phone} is not listening to contact {contact_id}: listen first and answer the phone")
        if not self.gateway.coach(vc.customer, vc.agent_leg, leg, mode):
            raise InvalidState(f"the call of contact {contact_id} cannot take a {mode} now")
        monitors[leg.id]["mode"] = mode
        self._monitor_changed(vc, leg.id, mode)
        return {"contact_id": contact_id, "phone": phone, "leg": leg.id, "mode": mode}

    def _finish_recording(self, vc: VoiceCall) -> None:
        if vc.recordings and vc.recordings[-1]["seconds"] is None:
            rec = vc.recordings[-1]
            rec["seconds"] = seconds = self.gateway.stop_recording(vc.customer)
            if rec.get("kind") is None:  # a conversation (a voicemail is stored when the message ends)
                self._command(AppendEvents((RecordingStored(
                    at=0.0, contact_id=vc.contact_id, recording_id=rec["file"], uri=rec["file"], duration_s=seconds,
                    agent_id=rec.get("agent_id"), queue_id=rec.get("queue_id")),), stamp=True))

