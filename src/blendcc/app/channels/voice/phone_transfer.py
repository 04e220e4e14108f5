"""Blind transfers asked by the agent's own phone (SIP REFER): the engine's transfer, its outcome told to the phone."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from blendcc.app.channels.voice.model import Leg, VoiceCall, VoiceGateway
from blendcc.domain.errors import InvalidState, NotFound, ValidationFailed
from blendcc.domain.lifecycle.voice import VoiceCallState as V

if TYPE_CHECKING:
    from blendcc.app.acd.agents import AgentService

log = logging.getLogger(__name__)


class VoicePhoneTransfer:
    """Mixed into ``VoiceService``. The phone's REFER names an agent or a queue; the engine transfers the
    contact as the API's blind transfer does (``ContactTransferred``); the phone is told 200 just before it
    is hung up, or the failure (404 no such agent or queue, 403 refused by the engine, 503 otherwise)."""

    by_leg: dict[str, VoiceCall]
    gateway: VoiceGateway
    agents: AgentService

    def phone_transfer(self, leg: Leg, target: str, report: Callable[[int, str], None]) -> None:
        vc = self.by_leg.get(leg.id)
        if (vc is None or vc.agent_leg is None or vc.agent_leg.id != leg.id or vc.agent_id is None
                or vc.state is not V.CONNECTED):
            report(403, "Forbidden")  # only the agent's phone on a connected call can transfer it
            return
        if vc.refer_report is not None:
            report(491, "Request Pending")
            return
        agent, contact_id = vc.agent_id, vc.contact_id
        vc.refer_report = report
        runtime = self.agents.runtime

        def kind_of(engine: Any, _now: float) -> str | None:
            if target in engine.catalog.agents:
                return "agent"
            return "queue" if target in engine.catalog.queues else None

        def work() -> list[str]:
            kind = runtime.query(kind_of)
            if kind is None:
                raise NotFound(f"no agent or queue {target!r}")
            return self.agents.transfer(agent, contact_id, target if kind == "queue" else None,
                                        target if kind == "agent" else None)

        def done(_: Any, error: Exception | None) -> None:
            if error is None:
                self._refer_outcome(vc, 200, "OK")  # normally told already, on ContactTransferred
                return
            log.info("transfer of %s to %s asked by %s's phone failed: %s", contact_id, target, agent, error)
            if isinstance(error, NotFound):
                self._refer_outcome(vc, 404, "Not Found")
            elif isinstance(error, (InvalidState, ValidationFailed)):
                self._refer_outcome(vc, 403, "Forbidden")
            else:
                self._refer_outcome(vc, 503, "Service Unavailable")

        self.gateway.submit(work, done)

    def _refer_outcome(self, vc: VoiceCall, status: int, reason: str) -> None:
        report, vc.refer_report = vc.refer_report, None
        if report is not None:
            report(status, reason)
