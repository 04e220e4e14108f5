"""SIP REFER (RFC 3515) from an agent's phone: 202 Accepted, then NOTIFYs with message/sipfrag progress."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from blendcc.adapters.channels.sip.message import SipMessage, response, uri_of, uri_user
from blendcc.adapters.channels.sip.transaction import NonInviteServerTransaction

if TYPE_CHECKING:
    from blendcc.adapters.channels.sip.dialog import Call
    from blendcc.adapters.channels.sip.edge import SipEdge
    from blendcc.ports import VoiceCallHandler

log = logging.getLogger(__name__)


def refer_target(req: SipMessage) -> tuple[str | None, str]:
    """The user part of the one Refer-To of a blind transfer, or (None, why not)."""
    targets = req.get_all("Refer-To")
    if len(targets) != 1:
        return None, "Exactly one Refer-To is needed"
    uri = uri_of(targets[0])
    if "replaces" in uri.lower():
        return None, "Attended transfer (Replaces) is not supported"
    user = uri_user(uri)
    return (user, "") if user else (None, "Refer-To names no user")


class GatewayRefer:
    """Mixed into ``SipGateway``: a REFER inside an agent phone's dialog becomes a blind transfer."""

    edge: SipEdge
    voice: VoiceCallHandler | None

    def _refer(self, call: Call, req: SipMessage, tx: NonInviteServerTransaction) -> None:
        leg: Any = call.app
        target, why = refer_target(req)
        if target is None:
            tx.respond(response(req, 400, why, to_tag=call.local_tag))
            return
        if leg is None or self.voice is None or getattr(leg, "kind", None) != "agent":
            tx.respond(response(req, 403, "Only an agent's phone can transfer its call", to_tag=call.local_tag))
            return
        tx.respond(response(req, 202, to_tag=call.local_tag, extra=[("Contact", f"<{self.edge.contact_uri}>")]))
        call.notify_refer(100, "Trying", final=False)

        def report(status: int, reason: str) -> None:
            log.info("REFER of %s to %s: %s %s", call.call_id, target, status, reason)
            if call.state == "confirmed":
                call.notify_refer(status, reason, final=status >= 200)

        self.voice.phone_transfer(leg, target, report)
