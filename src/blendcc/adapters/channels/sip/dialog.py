"""SIP dialogs (RFC 3261 section 12): one call leg, inbound (UAS) or outbound (UAC), its requests and state.

A ``Call`` reports what happens to it through ``on_event(call, name, detail)``: ``answered`` (our
outbound INVITE got a 2xx), ``failed`` (a final error or timeout, detail = status), ``confirmed`` (the
ACK for our 2xx arrived), ``cancelled`` (the caller sent CANCEL), ``ended`` (a BYE arrived, or our 2xx
was never acknowledged) and ``media`` (a re-INVITE changed the remote SDP, e.g. hold).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from blendcc.adapters.channels.sip.indialog import InDialog, with_direction
from blendcc.adapters.channels.sip.message import (
    SipMessage,
    display_name,
    new_branch,
    new_tag,
    param,
    response,
    uri_hostport,
    uri_of,
    uri_user,
)
from blendcc.adapters.channels.sip.prack import Reliable, peer_wants
from blendcc.adapters.channels.sip.sdp import MediaDescription, SdpError, parse_sdp
from blendcc.adapters.channels.sip.transaction import ClientTransaction, InviteServerTransaction

if TYPE_CHECKING:
    from blendcc.adapters.channels.sip.edge import SipEdge

log = logging.getLogger(__name__)
Addr = tuple[str, int]


class Call(InDialog):
    """One dialog. Inbound: ``ringing`` / ``answer`` / ``reject``; outbound: ``cancel``; both: ``bye``."""

    def __init__(self, edge: SipEdge, direction: str, call_id: str, local_tag: str, addr: Addr):
        self.edge = edge
        self.direction = direction
        self.call_id = call_id
        self.local_tag = local_tag
        self.remote_tag: str | None = None
        self.addr = addr
        self.local_header = ""   # our From (outbound) / To (inbound) value, with our tag
        self.remote_header = ""  # the peer's
        self.remote_target = ""
        #: the dialog's route set (RFC 3261 12.1): Route values for our requests inside it, first hop first
        self.route_set: list[str] = []
        self.local_cseq = 1
        self.remote_cseq = 0
        self.state = "early"  # early -> confirmed -> ended
        self.invite: SipMessage | None = None
        self.invite_tx: InviteServerTransaction | ClientTransaction | None = None
        self.remote_media: MediaDescription | None = None
        self.local_sdp: bytes = b""
        self.sdp_version = 1
        self.on_event: Callable[[Call, str, Any], None] = lambda call, name, detail: None
        self.caller_id: str | None = None
        self.caller_name: str | None = None
        self.dialled: str | None = None
        self.app: Any = None  # the application's object for this leg
        self._ack: bytes | None = None
        self._provisional = False
        self._cancel_wanted = False
        self.final_status: int | None = None
        #: an inbound INVITE without SDP (RFC 3261 13.2.1 late offer): our offer goes in the 200, the answer
        #: comes in the ACK
        self.late_offer = False
        #: the peer's latest re-INVITE transaction (its 2xx is retransmitted until its own ACK)
        self.reinvite_tx: InviteServerTransaction | None = None
        #: RFC 3262: set when the caller announced 100rel; our 18x then go reliably and a 2xx waits for PRACK
        self.reliable: Reliable | None = None
        self._rseq_pracked = 0  # outbound: the highest RSeq we PRACKed

    @property
    def next_hop(self) -> Addr:
        """Where our requests inside the dialog go: the first route's address when there is a route set
        (a proxy that Record-Routed, RFC 3261 12.2.1.1 / 8.1.2), else the peer's address as before."""
        if self.route_set:
            hop = uri_hostport(uri_of(self.route_set[0]))
            if hop is not None:
                return hop
        return self.addr

    @property
    def key(self) -> tuple[str, str]:
        return (self.call_id, self.local_tag)

    def _emit(self, name: str, detail: Any = None) -> None:
        try:
            self.on_event(self, name, detail)
        except Exception:
            log.exception("call event handler failed (%s)", name)

    # ------------------------------------------------------------------ inbound (UAS)
    @classmethod
    def inbound(cls, edge: SipEdge, invite: SipMessage, addr: Addr, tx: InviteServerTransaction) -> Call:
        call = cls(edge, "in", invite.call_id, new_tag(), addr)
        call.invite, call.invite_tx = invite, tx
        call.remote_tag = invite.from_tag
        call.remote_header = invite.get("From") or ""
        call.local_header = f"{invite.get('To') or ''};tag={call.local_tag}"
        call.remote_target = uri_of(invite.get("Contact") or call.remote_header)
        call.route_set = invite.get_all("Record-Route")  # UAS: in the order received (RFC 3261 12.1.1)
        call.remote_cseq = invite.cseq[0]
        call.caller_id = uri_user(uri_of(call.remote_header))
        call.caller_name = display_name(call.remote_header)
        call.dialled = uri_user(invite.uri or "") or uri_user(uri_of(invite.get("To") or ""))
        if invite.body:
            try:
                call.remote_media = parse_sdp(invite.body)
            except SdpError:
                call.remote_media = None
        else:
            call.late_offer = True
        tx.on_no_ack = call._no_ack
        if peer_wants(invite) is not None:
            call.reliable = Reliable(invite.cseq[0], call._send_provisional, edge.call_later, call._no_prack)
        return call

    def _respond(self, status: int, body: bytes = b"", extra: list[tuple[str, str]] | None = None) -> None:
        assert self.invite is not None and isinstance(self.invite_tx, InviteServerTransaction)
        hdrs = list(extra or [])
        if 200 <= status < 300 or 100 < status < 200:
            hdrs.append(("Contact", f"<{self.edge.contact_for(self.addr)}>"))
        resp = response(self.invite, status, to_tag=self.local_tag, body=body, extra=hdrs)
        tx = self.invite_tx
        if self.reliable is not None:  # RFC 3262: 18x reliably, a 2xx after the last PRACK
            if 100 < status < 200:
                self.reliable.provisional(resp)
                return
            if 200 <= status < 300 and self.reliable.hold_final(lambda: tx.respond(resp)):
                return
            self.reliable.stop()
        tx.respond(resp)

    def ringing(self) -> None:
        if self.state == "early" and self.final_status is None:
            self._respond(180)

    def progress(self, sdp: bytes) -> None:
        """183 Session Progress with our answer (early media); reliable when the caller announced 100rel."""
        if self.state == "early" and self.final_status is None:
            self.local_sdp = sdp
            self._respond(183, sdp)

    def _send_provisional(self, resp: SipMessage) -> None:
        if isinstance(self.invite_tx, InviteServerTransaction) and self.invite_tx.state == "proceeding":
            self.invite_tx.respond(resp)

    def _prack(self, req: SipMessage, tx: Any) -> None:
        """A PRACK (RFC 3262 section 3): 200 when its RAck names our outstanding reliable 18x, else 481."""
        if self.reliable is not None and self.reliable.prack(req):
            self._reply(req, tx, 200)
            self.reliable.next()
        else:
            self._reply(req, tx, 481, "No Reliable Provisional Response Outstanding")

    def _no_prack(self) -> None:
        """No PRACK within 64*T1 (RFC 3262 section 3): the INVITE is rejected with a 5xx, the call ends."""
        if self.state != "early" or self.invite is None or not isinstance(self.invite_tx, InviteServerTransaction):
            return
        log.info("call %s: reliable provisional response never PRACKed; rejecting", self.call_id)
        self.final_status = 504
        self.invite_tx.respond(response(self.invite, 504, "Server Time-out (no PRACK)", to_tag=self.local_tag))
        self._finish()
        self._emit("ended", "no_prack")

    def answer(self, sdp: bytes) -> None:
        if self.state != "early" or self.final_status is not None:
            return
        self.final_status = 200
        self.local_sdp = sdp
        self._respond(200, sdp, [("Allow", self.edge.allow)])

    def reject(self, status: int = 486, extra: list[tuple[str, str]] | None = None) -> None:
        if self.state != "early" or self.final_status is not None:
            return
        self.final_status = status
        self._respond(status, extra=extra)
        self._finish()

    def _acked(self, ack: SipMessage) -> None:
        """An ACK for one of our 2xx (a new branch, matched by the dialog): the initial INVITE's or a
        re-INVITE's, told apart by CSeq; a late offer's answer is in the initial INVITE's ACK."""
        rtx = self.reinvite_tx
        if rtx is not None and ack.cseq[0] == rtx.request.cseq[0]:
            if rtx.ack() and ack.body:
                self._remote_answer(ack.body)
            return
        if self.direction != "in" or self.invite is None or ack.cseq[0] != self.invite.cseq[0]:
            return
        assert isinstance(self.invite_tx, InviteServerTransaction)
        if not (self.invite_tx.ack() and self.state == "early"):
            return
        self.state = "confirmed"
        self._emit("confirmed")
        if self.late_offer and not (ack.body and self._remote_answer(ack.body)):
            log.info("call %s: late offer without an answer in the ACK; hanging up", self.call_id)
            self.bye()  # RFC 3261 13.2.1 / 13.3.1.4: no usable answer, the session cannot go on
            self._emit("ended", "no_answer")

    def _remote_answer(self, body: bytes) -> bool:
        """The peer's answer to our offer (in an ACK): the media it describes; False when unusable."""
        try:
            media = parse_sdp(body)
        except SdpError:
            return False
        if not media.audio_codecs:
            return False
        self.remote_media = media
        self._emit("media", media)
        return True

    def _no_ack(self) -> None:
        if self.state != "ended":
            log.info("call %s: our 2xx was never acknowledged; hanging up", self.call_id)
            self.bye()
            self._emit("ended", "no_ack")

    def _cancelled(self) -> None:
        held = self.reliable is not None and self.reliable.holding  # a 2xx waiting for PRACK is not sent yet
        if self.state == "early" and (self.final_status is None or held):
            self.final_status = 487
            self._respond(487)
            self._finish()
            self._emit("cancelled")

    # ------------------------------------------------------------------ outbound (UAC)
    @classmethod
    def outbound(cls, edge: SipEdge, target_uri: str, addr: Addr, from_user: str, sdp: bytes,
                 display: str | None = None, to_uri: str | None = None,
                 extra: list[tuple[str, str]] | None = None) -> Call:
        call = cls(edge, "out", new_tag() + "@blendcc", new_tag(), addr)
        name = f'"{display}" ' if display else ""
        call.local_header = f"{name}<sip:{from_user}@{edge.public_host}>;tag={call.local_tag}"
        call.remote_header = f"<{to_uri or target_uri}>"
        call.remote_target = target_uri
        call.local_sdp = sdp
        inv = call._request("INVITE", sdp, [("Supported", "100rel"), *(extra or [])])
        call.invite = inv
        call.invite_tx = edge.client_transaction(inv, addr, call._invite_response, call._invite_timeout)
        return call

    def _request(self, method: str, body: bytes = b"", extra: list[tuple[str, str]] | None = None,
                 cseq: int | None = None, content_type: str = "application/sdp") -> SipMessage:
        uri, routes = route_headers(self.remote_target, self.route_set)
        req = SipMessage(method=method, uri=uri)
        req.add("Via", f"{self.edge.via_for(self.next_hop)};branch={new_branch()};rport")
        req.add("Max-Forwards", "70")
        req.add("From", self.local_header)
        req.add("To", self.remote_header)
        req.add("Call-ID", self.call_id)
        if cseq is None:
            if method != "INVITE" or self.invite is not None:
                self.local_cseq += 1
            cseq = self.local_cseq
        req.add("CSeq", f"{cseq} {method}")
        for route in routes:
            req.add("Route", route)
        req.add("Contact", f"<{self.edge.contact_for(self.next_hop)}>")
        req.add("User-Agent", "blendcc")
        for k, v in extra or ():
            req.add(k, v)
        if body:
            req.add("Content-Type", content_type)
        req.body = body
        return req

    def _invite_response(self, resp: SipMessage) -> None:
        status = resp.status or 0
        if status < 200:
            if status > 100 and "100rel" in (resp.get("Require") or "").lower():
                self._prack_out(resp)  # RFC 3262: a reliable 18x from the callee (carriers' early media)
            if not self._provisional:
                self._provisional = True
                if self._cancel_wanted:
                    self._send_cancel()
            if status in (180, 183):
                self._emit("ringing", status)
            return
        if status < 300:
            first = self._ack is None
            if first:
                self.remote_tag = resp.to_tag
                self.remote_header = resp.get("To") or self.remote_header
                self.remote_target = uri_of(resp.get("Contact") or "") or self.remote_target
                # UAC: the 2xx's Record-Route list reversed (RFC 3261 12.1.2); the ACK already follows it
                self.route_set = list(reversed(resp.get_all("Record-Route")))
                ack = self._request("ACK", cseq=self.invite.cseq[0] if self.invite else self.local_cseq)
                self._ack = ack.encode()
            assert self._ack is not None
            self.edge.send(self._ack, self.next_hop)  # every (retransmitted) 2xx is acknowledged
            if not first:
                return
            self.final_status = status
            if resp.body:
                try:
                    self.remote_media = parse_sdp(resp.body)
                except SdpError:
                    self.remote_media = None
            self.edge.register_dialog(self)
            if self._cancel_wanted:  # 2xx crossed our CANCEL: take the call down
                self.state = "confirmed"
                self.bye()
                self._emit("failed", 487)
                return
            self.state = "confirmed"
            self._emit("answered", resp)
            return
        if self.final_status is None:
            self.final_status = status
            self._finish()
            self._emit("failed", status)

    def _prack_out(self, resp: SipMessage) -> None:
        """PRACK a reliable 18x once per RSeq, in the early dialog it makes (RFC 3262 section 4)."""
        rseq = (resp.get("RSeq") or "").strip()
        if not rseq.isdigit() or self.invite is None or int(rseq) <= self._rseq_pracked:
            return  # malformed, or a retransmission of one we PRACKed (our PRACK transaction repeats itself)
        self._rseq_pracked = int(rseq)
        self.remote_header = resp.get("To") or self.remote_header
        self.remote_target = uri_of(resp.get("Contact") or "") or self.remote_target
        self.route_set = list(reversed(resp.get_all("Record-Route")))
        req = self._request("PRACK", extra=[("RAck", f"{rseq} {self.invite.cseq[0]} INVITE")])
        self.edge.client_transaction(req, self.next_hop, lambda r: None, lambda: None)

    def _invite_timeout(self) -> None:
        if self.final_status is None:
            self.final_status = 408
            self._finish()
            self._emit("failed", 408)

    def cancel(self) -> None:
        """Stop ringing (CANCEL after the first provisional response, as RFC 3261 9.1 asks)."""
        if self.direction != "out" or self.final_status is not None or self._cancel_wanted:
            return
        self._cancel_wanted = True
        if self._provisional:
            self._send_cancel()

    def _send_cancel(self) -> None:
        assert self.invite is not None
        c = SipMessage(method="CANCEL", uri=self.invite.uri)
        c.add("Via", self.invite.get("Via") or "")
        c.add("Max-Forwards", "70")
        c.add("From", self.invite.get("From") or "")
        c.add("To", self.invite.get("To") or "")
        c.add("Call-ID", self.call_id)
        c.add("CSeq", f"{self.invite.cseq[0]} CANCEL")
        self.edge.client_transaction(c, self.addr, lambda r: None, lambda: None)

    # ------------------------------------------------------------------ both
    def bye(self) -> None:
        """Hang up: BYE when confirmed (or answered), CANCEL when still ringing out, 480 when ringing in."""
        if self.state == "ended":
            return
        if self.state == "early" and self.direction == "out" and self.final_status is None:
            self.cancel()
            return
        held = self.reliable is not None and self.reliable.holding  # our 2xx still waits for a PRACK
        if self.state == "early" and self.direction == "in" and (self.final_status is None or held):
            self.final_status = None
            self.reject(480)
            return
        req = self._request("BYE")
        self.edge.client_transaction(req, self.next_hop, lambda r: None, lambda: None)
        self._finish()

    def notify_refer(self, status: int, reason: str, final: bool) -> None:
        """A NOTIFY of the implicit subscription a REFER made (RFC 3515 2.4.4): the progress as a sipfrag."""
        state = "terminated;reason=noresource" if final else "active;expires=60"
        req = self._request("NOTIFY", f"SIP/2.0 {status} {reason}\r\n".encode(),
                            [("Event", "refer"), ("Subscription-State", state)],
                            content_type="message/sipfrag;version=2.0")
        self.edge.client_transaction(req, self.next_hop, lambda r: None, lambda: None)

    def reinvite(self, direction: str) -> None:
        """Change our media direction (hold: sendonly, resume: sendrecv) with a re-INVITE."""
        if self.state != "confirmed" or not self.local_sdp:
            return
        self.sdp_version += 1
        sdp = with_direction(self.local_sdp, direction, self.sdp_version)
        self.local_sdp = sdp
        req = self._request("INVITE", sdp)

        def on_response(resp: SipMessage) -> None:
            if resp.status is not None and 200 <= resp.status < 300:
                ack = self._request("ACK", cseq=req.cseq[0])
                self.edge.send(ack.encode(), self.next_hop)

        self.edge.client_transaction(req, self.next_hop, on_response, lambda: None)

    def _finish(self) -> None:
        if self.state != "ended":
            self.state = "ended"
            self.edge.forget_dialog(self)


def route_headers(remote_target: str, route_set: list[str]) -> tuple[str, list[str]]:
    """(Request-URI, Route values) of a request inside a dialog (RFC 3261 12.2.1.1). Loose routing (the first
    route has ``;lr``): the remote target with the whole route set. Strict routing (a pre-RFC 3261 proxy):
    the first route's URI becomes the Request-URI and the remote target goes last in the Route list."""
    if not route_set:
        return remote_target, []
    first = uri_of(route_set[0])
    if _is_loose(first):
        return remote_target, list(route_set)
    return first.partition("?")[0], [*route_set[1:], f"<{remote_target}>"]


def _is_loose(uri: str) -> bool:
    params = uri.partition("?")[0].split(";")[1:]
    return any(p.strip().lower().partition("=")[0] == "lr" for p in params)


__all__ = ["Call", "param", "route_headers"]
