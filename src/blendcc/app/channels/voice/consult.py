"""Consulted (attended) transfer on voice calls: hold the caller, talk to the target, then hand over or return."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from blendcc.app.channels.voice.model import Leg, VoiceCall, VoiceGateway
from blendcc.domain.errors import InvalidState, ValidationFailed
from blendcc.domain.lifecycle.voice import VoiceCallState as V
from blendcc.routing.commands import Command, HoldContact, ResumeContact, TransferContact

log = logging.getLogger(__name__)


class VoiceConsult:
    """Mixed into ``VoiceService``. The engine sees a hold, then a transfer to the consulted agent, whose
    phone is already up: the offer that follows is accepted on that same call (no second ringing)."""

    calls: dict[str, VoiceCall]
    by_leg: dict[str, VoiceCall]
    gateway: VoiceGateway

    if TYPE_CHECKING:  # provided by VoiceSupervision and VoiceService
        def _live(self, contact_id: str) -> VoiceCall: ...
        def _command(self, op: Command) -> None: ...
        def agent_answered(self, leg: Leg) -> None: ...

    def consult(self, contact_id: str, agent_id: str, target: str) -> dict[str, Any]:
        """Agent ``agent_id`` puts the caller on hold and rings ``target``'s phone."""
        vc = self._owned(contact_id, agent_id)
        if vc.consult_leg is not None:
            raise InvalidState(f"contact {contact_id} is already in a consultation")
        if target == agent_id:
            raise ValidationFailed("cannot consult yourself")
        leg = self.gateway.ring(target, vc.caller_id, contact_id)
        if leg is None:
            raise InvalidState(f"{target} has no registered phone")
        vc.consult_agent, vc.consult_leg, vc.consult_up = target, leg, False
        self.by_leg[leg.id] = vc
        self._command(HoldContact(contact_id, agent_id))
        return {"contact_id": contact_id, "consulting": target, "leg": leg.id}

    def complete_consult(self, contact_id: str, agent_id: str) -> dict[str, Any]:
        """Hand the caller to the consulted agent (a transfer to that agent; its phone is already up)."""
        vc = self._owned(contact_id, agent_id)
        target = vc.consult_agent
        if target is None or not vc.consult_up:
            raise InvalidState(f"contact {contact_id} has no answered consultation")
        self._command(TransferContact(contact_id, agent_id, to_agent=target))
        return {"contact_id": contact_id, "transferred_to": target}

    def cancel_consult(self, contact_id: str, agent_id: str) -> dict[str, Any]:
        """End the consultation and take the caller back."""
        vc = self._owned(contact_id, agent_id)
        if vc.consult_leg is None:
            raise InvalidState(f"contact {contact_id} has no consultation")
        leg = vc.consult_leg
        self._clear_consult(vc)
        self.gateway.hangup(leg)
        self._command(ResumeContact(contact_id, agent_id))
        return {"contact_id": contact_id, "resumed": True}

    # ------------------------------------------------------------------ hooks from VoiceService
    def _is_consult(self, vc: VoiceCall, leg: Leg) -> bool:
        return vc.consult_leg is not None and vc.consult_leg.id == leg.id

    def _consult_answered(self, vc: VoiceCall, leg: Leg) -> None:
        vc.consult_up = True
        if vc.agent_leg is not None:
            self.gateway.consult(vc.agent_leg, leg)

    def _consult_gone(self, vc: VoiceCall) -> None:
        """The consulted phone did not answer or hung up: the caller comes back to the first agent."""
        agent = vc.agent_id
        self._clear_consult(vc)
        if agent is not None and vc.state is V.CONNECTED:
            self._command(ResumeContact(vc.contact_id, agent))

    def _take_consult_leg(self, vc: VoiceCall, agent_id: str) -> bool:
        """The engine offers the transferred caller to the consulted agent: accept on the live phone."""
        leg = vc.consult_leg
        if leg is None or vc.consult_agent != agent_id or not vc.consult_up:
            return False
        self._clear_consult(vc)
        vc.move(V.RINGING)
        vc.agent_id = agent_id
        vc.agent_leg = leg
        self.by_leg[leg.id] = vc
        self.agent_answered(leg)
        return True

    def _clear_consult(self, vc: VoiceCall) -> None:
        leg = vc.consult_leg
        if leg is not None:
            self.gateway.end_consult(leg)
            self.by_leg.pop(leg.id, None)
        vc.consult_agent, vc.consult_leg, vc.consult_up = None, None, False

    def _owned(self, contact_id: str, agent_id: str) -> VoiceCall:
        vc = self._live(contact_id)
        if vc.state is not V.CONNECTED or vc.agent_id != agent_id:
            raise InvalidState(f"contact {contact_id} is not in conversation with agent {agent_id}")
        return vc
