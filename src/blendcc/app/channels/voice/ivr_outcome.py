"""Calls that end inside the IVR (the caller hangs up, or the flow hangs up): stored as ``IvrCallEnded``."""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from blendcc.app.channels.voice.model import VoiceCall, VoiceGateway
from blendcc.domain.channels import Channel
from blendcc.domain.ivr_events import IVR_ABANDONED, IVR_CONTAINED, IvrCallEnded
from blendcc.routing.commands import AppendEvents, Command

if TYPE_CHECKING:
    from blendcc.app.acd.contacts import ContactService

log = logging.getLogger(__name__)


class VoiceIvrOutcome:
    """Mixed into ``VoiceService``: the service calls ``_ivr_ended`` when it drops a call still in the IVR
    state (no contact was created for it)."""

    contacts: ContactService
    gateway: VoiceGateway
    stats: dict[str, Any]

    if TYPE_CHECKING:
        def _now(self) -> float: ...  # VoiceControls
        def _command(self, op: Command) -> None: ...  # VoiceService

    def _ivr_ended(self, vc: VoiceCall) -> None:
        """The call ends inside the IVR (no contact was created): store it as ``IvrCallEnded`` with the
        choices and path so far; ``ivr_contained`` when the flow itself ended the call (a hang-up node),
        else ``ivr_abandoned`` (the caller hung up while the flow ran). The caller is matched to a customer
        as a queued call is (so the contact is in the customer's history and erasure finds it)."""
        session = vc.ivr_session
        contained = session is not None and session.outcome == "hangup"
        reason = IVR_CONTAINED if contained else IVR_ABANDONED
        self.stats[reason] = self.stats.get(reason, 0) + 1
        started = session.started_at if session is not None else self._now()
        event = IvrCallEnded(at=0.0, contact_id=vc.contact_id, channel=Channel.VOICE.value, reason=reason,
                             flow_id=session.flow_id if session is not None else None, caller_id=vc.caller_id,
                             dialled=vc.dialled, ivr_s=max(0.0, self._now() - started),
                             customer_id=session.customer_id if session is not None else None,
                             ivr=dict(session.ivr) if session is not None else {},
                             path=tuple(session.path) if session is not None else (),
                             last_node=session.node if session is not None else None)
        caller = vc.caller_id

        def customer() -> str | None:
            if event.customer_id is not None or not caller:
                return event.customer_id
            found = self.contacts.resolve_customer(Channel.VOICE, caller, None)
            return str(found["id"]) if found else None

        def done(customer_id: str | None, error: Exception | None) -> None:
            if error is not None:
                log.warning("no customer for IVR call %s: %s", vc.contact_id, error)
            self._command(AppendEvents((replace(event, customer_id=customer_id),), stamp=True))

        self.gateway.submit(customer, done)
