"""RFC 3261 section 17 transactions over UDP: INVITE/non-INVITE client and server, timers A-K, 2xx until ACK.

Timers are scheduled through an injected ``call_later(delay, callback) -> handle`` (the asyncio loop in
the edge, a fake in the unit tests). Every transaction tells its owner when it terminates, so the
transaction table never keeps a finished transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from blendcc.adapters.channels.sip.message import SipMessage, Via

T1 = 0.5
T2 = 4.0
T4 = 5.0
TIMER_D = 32.0

Addr = tuple[str, int]
Send = Callable[[bytes, Addr], None]


class Handle(Protocol):
    def cancel(self) -> None: ...


CallLater = Callable[[float, Callable[[], None]], Handle]


def server_key(msg: SipMessage) -> tuple[Any, ...]:
    """Transaction key of a request (RFC 3261 17.2.3); ACK and CANCEL are told apart from INVITE by method."""
    via = msg.top_via
    method = msg.method or msg.cseq[1]
    if method == "ACK":
        method = "INVITE"
    branch = via.branch
    if branch and branch.startswith("z9hG4bK"):
        return (branch, via.host, via.port, method)
    # RFC 2543 peers: the request's identity stands in for the branch
    return ("2543", msg.call_id, msg.from_tag, msg.cseq[0], via.host, via.port, method)


def client_key(msg: SipMessage) -> tuple[Any, ...]:
    """Key matching a response to the client transaction that sent its request (RFC 3261 17.1.3)."""
    return (msg.top_via.branch, msg.cseq[1])


class _Transaction:
    def __init__(self, key: tuple[Any, ...], request: SipMessage, addr: Addr, send: Send, call_later: CallLater,
                 on_terminated: Callable[[tuple[Any, ...]], None]):
        self.key = key
        self.request = request
        self.addr = addr
        self._send = send
        self._call_later = call_later
        self._on_terminated = on_terminated
        self._timers: dict[str, Handle] = {}
        self.state = "init"

    def _start(self, name: str, delay: float, fn: Callable[[], None]) -> None:
        self._stop(name)

        def fire() -> None:
            self._timers.pop(name, None)
            fn()

        self._timers[name] = self._call_later(delay, fire)

    def _stop(self, *names: str) -> None:
        for n in names:
            h = self._timers.pop(n, None)
            if h is not None:
                h.cancel()

    def terminate(self) -> None:
        if self.state == "terminated":
            return
        self.state = "terminated"
        for h in self._timers.values():
            h.cancel()
        self._timers.clear()
        self._on_terminated(self.key)


class InviteServerTransaction(_Transaction):
    """Proceeding -> (non-2xx) completed -> confirmed, or (2xx) accepted until the ACK arrives.

    A retransmitted INVITE is answered with the last response; a 2xx is retransmitted (T1 doubling up to
    T2) until the ACK arrives or 64*T1 passes (then ``on_no_ack``), as RFC 3261 13.3.1.4 / RFC 6026 want.
    """

    def __init__(self, *args: Any, on_no_ack: Callable[[], None] | None = None, **kw: Any):
        super().__init__(*args, **kw)
        self.state = "proceeding"
        self.last: bytes | None = None
        self.final: SipMessage | None = None
        self.on_no_ack = on_no_ack

    def respond(self, resp: SipMessage) -> None:
        if self.state not in ("proceeding",):
            return  # a final response was already sent
        data = resp.encode()
        self.last = data
        self._send(data, self.addr)
        status = resp.status or 0
        if status < 200:
            return
        self.final = resp
        self.state = "accepted" if status < 300 else "completed"
        self._retransmit(T1)
        self._start("H", 64 * T1, self._timeout)

    def _retransmit(self, interval: float) -> None:
        def again() -> None:
            if self.state in ("accepted", "completed") and self.last is not None:
                self._send(self.last, self.addr)
                self._retransmit(min(interval * 2, T2))

        self._start("G", interval, again)

    def _timeout(self) -> None:
        no_ack = self.state == "accepted"
        self.terminate()
        if no_ack and self.on_no_ack is not None:
            self.on_no_ack()

    def retransmitted(self) -> None:
        """The same INVITE again: repeat our last response (absorbed once a 2xx was acknowledged)."""
        if self.last is not None and self.state != "acked":
            self._send(self.last, self.addr)

    def ack(self) -> bool:
        """An ACK for our final response; True when it acknowledged a 2xx (the dialog is confirmed)."""
        if self.state == "completed":
            self.state = "confirmed"
            self._stop("G", "H")
            self._start("I", T4, self.terminate)
            return False
        if self.state == "accepted":
            # RFC 6026 "Accepted": stop retransmitting, keep absorbing INVITE retransmissions until Timer L
            self.state = "acked"
            self._stop("G")
            return True
        return False


class NonInviteServerTransaction(_Transaction):
    """Trying -> completed (Timer J, 64*T1, absorbs retransmitted requests) -> terminated."""

    def __init__(self, *args: Any, **kw: Any):
        super().__init__(*args, **kw)
        self.state = "trying"
        self.last: bytes | None = None

    def respond(self, resp: SipMessage) -> None:
        if self.state == "completed":
            return
        self.last = resp.encode()
        self._send(self.last, self.addr)
        if (resp.status or 0) >= 200:
            self.state = "completed"
            self._start("J", 64 * T1, self.terminate)
        else:
            self.state = "proceeding"

    def retransmitted(self) -> None:
        if self.last is not None:
            self._send(self.last, self.addr)


class ClientTransaction(_Transaction):
    """INVITE (timers A, B, D; ACK for non-2xx) and non-INVITE (timers E, F, K) client transactions."""

    def __init__(self, *args: Any, on_response: Callable[[SipMessage], None],
                 on_timeout: Callable[[], None], **kw: Any):
        super().__init__(*args, **kw)
        self.on_response = on_response
        self.on_timeout = on_timeout
        self.invite = self.request.method == "INVITE"
        self.data = self.request.encode()
        self.ack_data: bytes | None = None
        self.final_status: int | None = None
        #: over TCP/TLS the transport retransmits: no Timer A / E (RFC 3261 17.1.1.2, 17.1.2.2)
        self.reliable = False

    def start(self) -> None:
        self.state = "calling" if self.invite else "trying"
        self._send(self.data, self.addr)
        self._retransmit(T1)
        self._start("B", 64 * T1, self._timeout)

    def _retransmit(self, interval: float) -> None:
        if self.reliable:
            return

        def again() -> None:
            if self.state in ("calling", "trying", "proceeding"):
                self._send(self.data, self.addr)
                self._retransmit(interval * 2 if self.invite else min(interval * 2, T2))

        self._start("A", interval, again)

    def _timeout(self) -> None:
        if self.state in ("calling", "trying", "proceeding"):
            self.terminate()
            self.on_timeout()
        else:
            self.terminate()

    def receive(self, resp: SipMessage) -> None:
        status = resp.status or 0
        if self.state == "terminated":
            return
        if status < 200:
            if self.state in ("calling", "trying"):
                self.state = "proceeding"
                if self.invite:
                    self._stop("A")
                else:  # Timer E keeps running at T2 while proceeding
                    self._retransmit(T2)
            self.on_response(resp)
            return
        if self.invite and status < 300:
            # 2xx: the transaction is done; the dialog ACKs (and re-ACKs retransmitted 2xx)
            first = self.final_status is None
            self.final_status = status
            if first:
                self.state = "accepted"
                self._stop("A", "B")
                self._start("M", 64 * T1, self.terminate)
            self.on_response(resp)
            return
        if self.invite:
            if self.final_status is None:
                self.final_status = status
                self.state = "completed"
                self._stop("A", "B")
                self.ack_data = non2xx_ack(self.request, resp).encode()
                self._send(self.ack_data, self.addr)
                self._start("D", TIMER_D, self.terminate)
                self.on_response(resp)
            elif self.ack_data is not None:
                self._send(self.ack_data, self.addr)  # retransmitted final response: ACK again
            return
        if self.final_status is None:
            self.final_status = status
            self.state = "completed"
            self._stop("A", "B")
            self._start("K", T4, self.terminate)
            self.on_response(resp)


def non2xx_ack(invite: SipMessage, resp: SipMessage) -> SipMessage:
    """The ACK a client INVITE transaction sends for a 3xx-6xx (RFC 3261 17.1.1.3): same branch."""
    ack = SipMessage(method="ACK", uri=invite.uri)
    ack.add("Via", invite.get("Via") or "")
    for r in invite.get_all("Route"):
        ack.add("Route", r)
    ack.add("From", invite.get("From") or "")
    ack.add("To", resp.get("To") or "")
    ack.add("Call-ID", invite.call_id)
    ack.add("CSeq", f"{invite.cseq[0]} ACK")
    ack.add("Max-Forwards", "70")
    return ack


__all__ = ["T1", "T2", "T4", "ClientTransaction", "InviteServerTransaction", "NonInviteServerTransaction",
           "Via", "client_key", "server_key"]
