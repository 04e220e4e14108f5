"""Requests inside a dialog (RFC 3261 section 12.2.2): BYE, re-INVITE and UPDATE offers, INFO, OPTIONS, the rest."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from blendcc.adapters.channels.sip.conformance import ALLOW, Rejection, method_status
from blendcc.adapters.channels.sip.message import SipMessage, response
from blendcc.adapters.channels.sip.sdp import MediaDescription, SdpError, parse_sdp, reanswer
from blendcc.adapters.channels.sip.transaction import InviteServerTransaction, NonInviteServerTransaction

if TYPE_CHECKING:
    from blendcc.adapters.channels.sip.edge import SipEdge

log = logging.getLogger(__name__)
ServerTx = InviteServerTransaction | NonInviteServerTransaction


class InDialog:
    """Mixed into ``dialog.Call``: answers the peer's requests inside the dialog."""

    edge: SipEdge
    local_tag: str
    call_id: str
    state: str
    remote_cseq: int
    local_sdp: bytes
    sdp_version: int
    remote_media: MediaDescription | None
    reinvite_tx: InviteServerTransaction | None
    on_refer: Callable[[Any, SipMessage, NonInviteServerTransaction], None] | None = None

    if TYPE_CHECKING:  # provided by dialog.Call
        def _emit(self, name: str, detail: Any = None) -> None: ...
        def _finish(self) -> None: ...
        def _no_ack(self) -> None: ...
        def _prack(self, req: SipMessage, tx: ServerTx) -> None: ...

    def _reply(self, req: SipMessage, tx: ServerTx, status: int, reason: str = "", body: bytes = b"",
               extra: list[tuple[str, str]] | None = None) -> None:
        tx.respond(response(req, status, reason, to_tag=self.local_tag, body=body, extra=extra))

    def in_dialog(self, req: SipMessage, tx: ServerTx) -> None:
        """A request inside this dialog (BYE, re-INVITE, UPDATE, INFO, OPTIONS, REFER...)."""
        num = req.cseq[0]
        if req.method != "ACK" and num < self.remote_cseq:
            self._reply(req, tx, 500, "CSeq out of order")
            return
        self.remote_cseq = max(self.remote_cseq, num)
        method = req.method or ""
        if method == "BYE":
            self._reply(req, tx, 200)
            was = self.state
            self._finish()
            if was != "ended":
                self._emit("ended", "bye")
        elif method in ("INVITE", "UPDATE"):
            self._offer(req, tx)
        elif method == "INFO":
            self._reply(req, tx, 200)
            signal = _info_digit(req)
            if signal is not None:
                self._emit("dtmf", signal)
        elif method == "OPTIONS":
            self._reply(req, tx, 200, extra=[("Allow", ", ".join(ALLOW)), ("Accept", "application/sdp")])
        elif method == "PRACK":  # RFC 3262, in the early dialog
            self._prack(req, tx)
        elif method == "REFER" and self.on_refer is not None and isinstance(tx, NonInviteServerTransaction):
            self.on_refer(self, req, tx)
        else:
            rej = method_status(method, in_dialog=True) or Rejection(405, (("Allow", ", ".join(ALLOW)),))
            self._reply(req, tx, rej.status, rej.reason, extra=list(rej.extra))

    def _offer(self, req: SipMessage, tx: ServerTx) -> None:
        """A new offer in a re-INVITE or UPDATE (RFC 3264 section 8, RFC 3311): answered with SDP from the
        codecs it offers; none we can use is 488 and the session goes on unchanged (RFC 3261 14.2)."""
        contact = ("Contact", f"<{self.edge.contact_uri}>")
        invite = isinstance(tx, InviteServerTransaction)
        if isinstance(tx, InviteServerTransaction):
            self.reinvite_tx = tx
            tx.on_no_ack = self._no_ack  # an unacknowledged 2xx ends the session (RFC 3261 13.3.1.4)
        if not req.body:
            if invite and self.local_sdp:  # no offer: ours goes in the 200, the answer comes in the ACK
                self.sdp_version += 1
                self.local_sdp = with_direction(self.local_sdp, None, self.sdp_version)
                self._reply(req, tx, 200, body=self.local_sdp, extra=[contact])
            else:  # an UPDATE without SDP only refreshes the dialog (RFC 3311 5.2)
                self._reply(req, tx, 200, extra=[contact])
            return
        try:
            media = parse_sdp(req.body)
            sdp, _codec, _te = reanswer(self.local_sdp, media, self.sdp_version + 1)
        except SdpError as exc:
            log.info("call %s: %s offer refused: %s", self.call_id, req.method, exc)
            self._reply(req, tx, 488, extra=[("Warning", '305 blendcc "Incompatible media format"')])
            return
        self.sdp_version += 1
        self.local_sdp = sdp
        self.remote_media = media
        self._emit("media", media)
        self._reply(req, tx, 200, body=sdp, extra=[contact])


def with_direction(sdp: bytes, direction: str | None, version: int) -> bytes:
    """``sdp`` with its o= version set to ``version`` and (unless None) every direction attribute changed."""
    out = []
    for raw in sdp.decode().splitlines():
        line = raw
        if direction is not None and line in ("a=sendrecv", "a=sendonly", "a=recvonly", "a=inactive"):
            line = f"a={direction}"
        elif line.startswith("o="):
            parts = line.split()
            if len(parts) >= 3:
                parts[2] = str(version)
                line = " ".join(parts)
        out.append(line)
    return ("\r\n".join(out) + "\r\n").encode()


def _info_digit(req: SipMessage) -> str | None:
    """SIP INFO DTMF (application/dtmf-relay ``Signal=5``), which some phones send instead of RFC 4733."""
    if "dtmf" not in (req.get("Content-Type") or "").lower():
        return None
    for line in req.body.decode(errors="replace").splitlines():
        k, _, v = line.partition("=")
        if k.strip().lower() == "signal" and v.strip()[:1] in "0123456789*#ABCD" and v.strip():
            return v.strip()[:1]
    return None
