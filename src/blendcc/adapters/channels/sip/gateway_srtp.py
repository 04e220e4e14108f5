"""SRTP on the gateway's legs (mixed into SipGateway): SDES keys for RTP/SAVP offers and answers, the TLS policy.

SDES sends the media keys in the SDP, so they are only as secret as the signalling: an RTP/SAVP offer is
accepted over TLS; over UDP or TCP it is refused with 488 and a Warning unless ``srtp_over_plain`` is
"allow". Our own offers to a phone or trunk reached over TLS are RTP/SAVP (``srtp_to_tls``).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from blendcc.adapters.channels.sip.sdp import SAVP
from blendcc.adapters.channels.sip.srtp import Crypto, SrtpContext, choose, new_crypto

if TYPE_CHECKING:
    from blendcc.adapters.channels.sip.dialog import Call
    from blendcc.adapters.channels.sip.edge import SipEdge
    from blendcc.adapters.channels.sip.rtp import RtpEndpoint

log = logging.getLogger(__name__)
PLAIN_WARNING = '399 blendcc "SRTP (RTP/SAVP with SDES keys) is accepted over TLS only: call sips: or ;transport=tls"'
SUITE_WARNING = '305 blendcc "No supported a=crypto suite (AES_CM_128_HMAC_SHA1_80 needed)"'


class GatewaySrtp:
    """SDES-keyed SRTP for the legs of a ``SipGateway``."""

    edge: SipEdge
    #: "refuse" (488) or "allow" an RTP/SAVP offer arriving over UDP or TCP
    srtp_over_plain = "refuse"
    #: offer RTP/SAVP when we call a phone or trunk over TLS
    srtp_to_tls = True

    def srtp_inbound(self, call: Call, ep: RtpEndpoint) -> bool:
        """Key ``ep`` for an inbound RTP/SAVP offer; False when the call was refused (488 sent)."""
        media = call.remote_media
        if media is None or media.proto != SAVP:
            return True
        if self.edge.transport_of(call.addr) != "TLS" and self.srtp_over_plain != "allow":
            log.info("call %s: RTP/SAVP offered over %s refused (keys would travel in clear)", call.call_id,
                     self.edge.transport_of(call.addr))
            call.reject(488, [("Warning", PLAIN_WARNING)])
            return False
        remote = choose(media.crypto)
        if remote is None:
            call.reject(488, [("Warning", SUITE_WARNING)])
            return False
        ep.srtp = SrtpContext(new_crypto(remote.tag), remote)
        return True

    def srtp_offer(self, uri: str, addr: tuple[str, int]) -> Crypto | None:
        """Our key for an outbound offer (RTP/SAVP) when the peer is reached over TLS, else None."""
        from blendcc.adapters.channels.sip.edge import uri_transport

        if not self.srtp_to_tls:
            return None
        if self.edge.transport_of(addr) == "TLS" or uri_transport(uri) == "TLS":
            return new_crypto()
        return None

    def srtp_answered(self, leg: Any) -> None:
        """The answer to our RTP/SAVP offer: key the leg with its a=crypto (the same tag as ours)."""
        local: Crypto | None = getattr(leg, "sdes", None)
        media = leg.call.remote_media
        if local is None or media is None or leg.rtp.srtp is not None:
            return
        if media.proto != SAVP:
            log.warning("leg %s: our RTP/SAVP offer was answered with %s: media in clear", leg.id, media.proto)
            return
        remote = choose(media.crypto)
        if remote is None:
            log.warning("leg %s: no usable a=crypto in the answer; hanging up", leg.id)
            leg.call.bye()
            return
        leg.rtp.srtp = SrtpContext(local, remote)


__all__ = ["PLAIN_WARNING", "GatewaySrtp"]
