"""The desktop's voice call card and controls: call state, DTMF, server-side mute, recording, conference.

Changes the card shows that no engine event carries (mute, recording, conference) are pushed on the bus
topic "contact" as ``CallControl`` messages (the card's state, with ``contact_id`` and ``agent_id``), so
``/ws/agent`` forwards them to the agent's desktop. Conference facts are events in the log
(``ConferenceStarted``, ``ConferenceLeft``); the first agent leaving is a transfer (``ContactTransferred``).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from blendcc.app.channels.voice.model import Leg, VoiceCall, VoiceGateway
from blendcc.domain.errors import InvalidState, NotFound, ValidationFailed
from blendcc.domain.events import ConferenceLeft, ConferenceStarted
from blendcc.domain.lifecycle.voice import VoiceCallState as V
from blendcc.ports import EventBus
from blendcc.routing.commands import AppendEvents, Command, ResumeContact, TransferContact

log = logging.getLogger(__name__)
DTMF_KEYS = "0123456789*#ABCD"
MAX_DTMF = 32


class VoiceControls:
    """Mixed into ``VoiceService``; runs on the gateway's loop like the rest of it."""

    contacts: Any
    calls: dict[str, VoiceCall]
    by_leg: dict[str, VoiceCall]
    gateway: VoiceGateway
    bus: EventBus

    if TYPE_CHECKING:  # provided by VoiceService and its other mixins
        def _command(self, op: Command) -> None: ...
        def _owned(self, contact_id: str, agent_id: str) -> VoiceCall: ...
        def _clear_consult(self, vc: VoiceCall) -> None: ...
        def start_recording(self, contact_id: str) -> dict[str, Any]: ...
        def stop_recording(self, contact_id: str) -> dict[str, Any]: ...
        def recording_policy(self, queue_id: str | None) -> str: ...

    def _now(self) -> float:
        return float(self.contacts.runtime.clock.now())

    # ------------------------------------------------------------------ the card
    def call_card(self, contact_id: str, agent_id: str) -> dict[str, Any]:
        """The voice call as ``agent_id``'s desktop shows it (its own call, or the one it was consulted on)."""
        vc = self.calls.get(contact_id)
        if vc is None or agent_id not in (vc.agent_id, vc.consult_agent) or vc.state is V.ENDED:
            raise NotFound(f"you have no live voice call for contact {contact_id}")
        return self._card(vc, agent_id)

    def _card(self, vc: VoiceCall, agent_id: str | None) -> dict[str, Any]:
        rec = vc.recordings[-1] if vc.recordings else None
        recording = rec is not None and rec["seconds"] is None and rec.get("kind") is None
        role = "consulted" if agent_id is not None and agent_id == vc.consult_agent else "agent"
        leg = vc.consult_leg if role == "consulted" else vc.agent_leg
        consult = None
        if vc.consult_agent is not None and not vc.conference:
            consult = {"agent_id": vc.consult_agent, "answered": vc.consult_up}
        return {
            "contact_id": vc.contact_id, "state": vc.state.value, "caller_id": vc.caller_id, "dialled": vc.dialled,
            "ivr": dict(vc.ivr), "agent_id": vc.agent_id, "role": role, "held": vc.held, "muted": vc.agent_muted,
            "recording": recording, "recording_paused": recording and vc.recording_paused,
            "recording_since": rec.get("started_at") if recording and rec is not None else None,
            "recording_policy": self.recording_policy(vc.queue_id),
            "consult": consult, "conference": vc.conference,
            "conference_with": ([a for a in (vc.agent_id, vc.consult_agent) if a != agent_id]
                                if vc.conference else []),
            "phone": self.gateway.phone_kind(leg) if leg is not None else None,
            "talk_started": vc.talk_started,
            "dtmf": self.gateway.dtmf_mode(vc.customer) if vc.state is V.CONNECTED else None,
        }

    def _changed(self, vc: VoiceCall) -> None:
        """Push the card to the agents on the call (``CallControl`` on topic "contact")."""
        for agent in {vc.agent_id, vc.consult_agent if vc.conference else None} - {None}:
            try:
                self.bus.publish("contact", {"type": "CallControl", **self._card(vc, agent), "agent_id": agent})
            except Exception:  # a card that cannot be pushed must not break the call
                log.exception("cannot push the call card of %s", vc.contact_id)

    # ------------------------------------------------------------------ DTMF, mute, recording
    def send_dtmf(self, contact_id: str, agent_id: str, digits: str) -> dict[str, Any]:
        """Send DTMF to the customer (an IVR on the far end of an outbound call, a conference PIN...)."""
        if not digits or len(digits) > MAX_DTMF or any(d not in DTMF_KEYS for d in digits):
            raise ValidationFailed("digits: 1 to 32 of 0-9, *, #, A-D")
        vc = self._owned(contact_id, agent_id)
        if not self.gateway.send_dtmf(vc.customer, digits):
            raise InvalidState("too many digits are waiting to be sent (or the call has no media yet)")
        return {"contact_id": contact_id, "digits": digits, "mode": self.gateway.dtmf_mode(vc.customer)}

    def mute(self, contact_id: str, agent_id: str, on: bool) -> dict[str, Any]:
        """Stop (or resume) relaying the agent phone's audio to the customer and the recording."""
        vc = self._owned(contact_id, agent_id)
        if vc.agent_leg is None:
            raise InvalidState(f"contact {contact_id} has no agent phone on the call")
        self.gateway.mute(vc.agent_leg, on)
        vc.agent_muted = on
        self._changed(vc)
        return self._card(vc, agent_id)

    def agent_recording(self, contact_id: str, agent_id: str, action: str) -> dict[str, Any]:
        """The agent starts, stops, pauses or resumes the recording of its own call."""
        vc = self._owned(contact_id, agent_id)
        if action == "start":
            self.start_recording(contact_id)
            vc.recording_paused = False
        elif action == "stop":
            self.stop_recording(contact_id)
            vc.recording_paused = False
        else:
            paused = action == "pause"
            if not self.gateway.pause_recording(vc.customer, paused):
                raise InvalidState(f"contact {contact_id} is not being recorded")
            vc.recording_paused = paused
        self._changed(vc)
        return self._card(vc, agent_id)

    # ------------------------------------------------------------------ conference
    def start_conference(self, contact_id: str, agent_id: str) -> dict[str, Any]:
        """After an answered consultation: customer, agent and consulted agent hear each other."""
        vc = self._owned(contact_id, agent_id)
        target = vc.consult_agent
        if vc.conference:
            raise InvalidState(f"contact {contact_id} is already a conference")
        if target is None or vc.consult_leg is None or not vc.consult_up or vc.agent_leg is None:
            raise InvalidState(f"contact {contact_id} has no answered consultation")
        if not self.gateway.conference(vc.customer, vc.agent_leg, vc.consult_leg):
            raise InvalidState(f"contact {contact_id} cannot be conferenced now")
        vc.conference = True
        vc.held = False
        self._command(ResumeContact(contact_id, agent_id))  # the customer is no longer on hold
        self._command(AppendEvents((ConferenceStarted(at=0.0, contact_id=contact_id, agent_id=agent_id,
                                                      with_agent_id=target),), stamp=True))
        self._changed(vc)
        return self._card(vc, agent_id)

    def leave_conference(self, contact_id: str, agent_id: str) -> dict[str, Any]:
        """``agent_id`` leaves the conference. The first agent leaving hands the customer to the consulted
        agent (a transfer to that agent); the consulted agent leaving leaves the first agent with the call."""
        vc = self.calls.get(contact_id)
        if vc is not None and vc.conference and agent_id == vc.consult_agent and vc.consult_leg is not None:
            leg = vc.consult_leg
            self._consulted_leaves(vc, leg)
            self.gateway.hangup(leg)
            return {"contact_id": contact_id, "transferred_to": None, "remaining_agent_id": vc.agent_id}
        vc = self._owned(contact_id, agent_id)
        if not vc.conference or vc.consult_agent is None:
            raise InvalidState(f"contact {contact_id} is not a conference")
        target = vc.consult_agent
        self._agent_leaves(vc)
        return {"contact_id": contact_id, "transferred_to": target, "remaining_agent_id": target}

    def _consulted_leaves(self, vc: VoiceCall, leg: Leg) -> None:
        consulted = vc.consult_agent
        vc.conference = False
        self.gateway.leave_conference(leg)  # the customer and the agent are bridged again
        self._clear_consult(vc)
        self._command(AppendEvents((ConferenceLeft(at=0.0, contact_id=vc.contact_id, party="consulted",
                                                   agent_id=consulted, remaining_agent_id=vc.agent_id),),
                                   stamp=True))
        self._changed(vc)

    def _agent_leaves(self, vc: VoiceCall) -> None:
        agent, target = vc.agent_id, vc.consult_agent
        assert agent is not None and target is not None
        leg = vc.agent_leg
        vc.conference = False
        vc.agent_muted = False
        if leg is not None:
            vc.agent_leg = None
            self.by_leg.pop(leg.id, None)
            self.gateway.leave_conference(leg)  # the customer and the consulted agent stay bridged
            self.gateway.hangup(leg)
        self._command(AppendEvents((ConferenceLeft(at=0.0, contact_id=vc.contact_id, party="agent", agent_id=agent,
                                                   remaining_agent_id=target),), stamp=True))
        # the engine offers the caller to the consulted agent, accepted on its phone (already up)
        self._command(TransferContact(vc.contact_id, agent, to_agent=target))

    def _conference_leg_ended(self, vc: VoiceCall, leg: Leg) -> bool:
        """A party of a conference hung up; True when handled here (the others stay bridged)."""
        if not vc.conference:
            return False
        if vc.agent_leg is not None and leg.id == vc.agent_leg.id:
            self._agent_leaves(vc)
            return True
        if vc.consult_leg is not None and leg.id == vc.consult_leg.id:
            self._consulted_leaves(vc, leg)
            return True
        if leg.id == vc.customer.id:  # the customer left: the contact ends the usual way
            vc.conference = False
            self.gateway.leave_conference(leg)
            self._command(AppendEvents((ConferenceLeft(at=0.0, contact_id=vc.contact_id, party="customer",
                                                       agent_id=None, remaining_agent_id=vc.agent_id),),
                                       stamp=True))
        return False
