"""The SIP edge: one UDP socket, the transaction tables, dialog dispatch, OPTIONS and REGISTER.

Malformed datagrams get a 400 (505 for another SIP version) when enough of them can be read to answer,
else they are dropped, logged and counted (``stats["dropped"]``); no input reaches an unhandled exception
(each datagram is handled inside one guard).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
import ssl
from collections.abc import Callable
from typing import Any

from blendcc.adapters.channels.sip.conformance import ALLOW as ALLOWED
from blendcc.adapters.channels.sip.conformance import Rejection, method_status, precheck
from blendcc.adapters.channels.sip.dialog import Call
from blendcc.adapters.channels.sip.message import (
    SipMessage,
    SipParseError,
    SipVersionError,
    canonical,
    new_tag,
    parse,
    response,
)
from blendcc.adapters.channels.sip.registrar import Binding, Registrar
from blendcc.adapters.channels.sip.stream import StreamTransports
from blendcc.adapters.channels.sip.transaction import (
    ClientTransaction,
    InviteServerTransaction,
    NonInviteServerTransaction,
    client_key,
    server_key,
)

log = logging.getLogger(__name__)
Addr = tuple[str, int]
ALLOW = ", ".join(ALLOWED)
RCVBUF = 8 * 1024 * 1024


class _Proto(asyncio.DatagramProtocol):
    def __init__(self, edge: SipEdge):
        self.edge = edge

    def datagram_received(self, data: bytes, addr: Addr) -> None:
        self.edge.datagram(data, addr)

    def error_received(self, exc: Exception) -> None:
        log.debug("sip socket error: %s", exc)


class SipEdge:
    """SIP over UDP. ``on_invite(call)`` receives each new inbound call (already answered with 100 Trying)."""

    def __init__(self, host: str, port: int, registrar: Registrar | None = None,
                 on_invite: Callable[[Call], None] | None = None, public_host: str | None = None):
        self.host = host
        self.port = port
        self.public_host = public_host or host
        self.registrar = registrar
        self.on_invite = on_invite or (lambda call: call.reject(480))
        self.allow = ALLOW
        self.server_txs: dict[tuple[Any, ...], InviteServerTransaction | NonInviteServerTransaction] = {}
        self.client_txs: dict[tuple[Any, ...], ClientTransaction] = {}
        self.dialogs: dict[tuple[str, str], Call] = {}
        #: inbound calls not yet ended, by (Call-ID, From tag): merged requests (482) and CANCEL find them
        self.inbound: dict[tuple[str, str], Call] = {}
        self.transport: asyncio.DatagramTransport | None = None
        self.loop: asyncio.AbstractEventLoop | None = None
        self.stats = {"received": 0, "malformed": 0, "dropped": 0, "retransmissions": 0, "calls": 0, "merged": 0}
        #: TCP (on ``port``, when ``tcp_enabled``) and TLS (on ``tls_port``, when ``tls`` is set) beside UDP
        self.streams = StreamTransports(self.datagram)
        self.tcp_enabled = False
        self.tls: ssl.SSLContext | None = None
        self.tls_port = 5061

    @property
    def contact_uri(self) -> str:
        return f"sip:blendcc@{self.public_host}:{self.port}"

    async def start(self, loop: asyncio.AbstractEventLoop | None = None) -> None:
        self.loop = loop or asyncio.get_running_loop()
        transport, _ = await self.loop.create_datagram_endpoint(lambda: _Proto(self),
                                                                local_addr=(self.host, self.port))
        self.transport = transport
        sock = transport.get_extra_info("socket")
        if sock is not None:  # bursts of requests must not overflow the kernel queue while the loop is busy
            try:  # above net.core.rmem_max only with SO_RCVBUFFORCE (root)
                sock.setsockopt(socket.SOL_SOCKET, getattr(socket, "SO_RCVBUFFORCE", 33), RCVBUF)
            except OSError:
                with contextlib.suppress(OSError):
                    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, RCVBUF)
        if self.port == 0:
            self.port = transport.get_extra_info("sockname")[1]
        await self._listen_streams()

    async def _listen_streams(self) -> None:
        """TCP and TLS listeners; a port taken by another process leaves that transport off (UDP goes on)."""
        if self.tcp_enabled:
            try:
                await self.streams.listen(self.host, self.port)
            except OSError as exc:
                self.tcp_enabled = False
                log.warning("SIP over TCP is off: cannot listen on %s:%d (%s)", self.host, self.port, exc)
        if self.tls is not None:
            try:
                self.tls_port = await self.streams.listen(self.host, self.tls_port, self.tls)
            except OSError as exc:
                self.tls = None
                log.warning("SIP over TLS is off: cannot listen on %s:%d (%s)", self.host, self.tls_port, exc)

    def transport_of(self, addr: Addr) -> str:
        """"UDP", "TCP" or "TLS": how messages to ``addr`` travel (its connection, if it has one)."""
        return self.streams.transport_of(addr)

    def via_for(self, addr: Addr) -> str:
        """Our Via (without parameters) for a request to ``addr``: its transport and our port for it."""
        kind = self.transport_of(addr)
        return f"SIP/2.0/{kind} {self.public_host}:{self.tls_port if kind == 'TLS' else self.port}"

    def contact_for(self, addr: Addr) -> str:
        """Our Contact URI in a dialog with ``addr``: ``;transport=`` tells the peer how to reach us back."""
        kind = self.transport_of(addr)
        if kind == "UDP":
            return self.contact_uri
        port = self.tls_port if kind == "TLS" else self.port
        return f"sip:blendcc@{self.public_host}:{port};transport={kind.lower()}"

    def close(self) -> None:
        for tx in list(self.server_txs.values()) + list(self.client_txs.values()):
            tx.terminate()
        self.streams.close()
        if self.transport is not None:
            self.transport.close()
            self.transport = None

    def call_later(self, delay: float, fn: Callable[[], None]) -> asyncio.TimerHandle:
        assert self.loop is not None
        return self.loop.call_later(delay, fn)

    def send(self, data: bytes, addr: Addr) -> None:
        if self.streams.send(data, addr):  # a TCP/TLS peer: on its connection (RFC 3261 18.2.2)
            return
        if self.transport is not None:
            self.transport.sendto(data, addr)

    # ------------------------------------------------------------------ receiving
    def datagram(self, data: bytes, addr: Addr) -> None:
        self.stats["received"] += 1
        if not data.strip(b"\r\n \t\x00"):
            return  # keep-alive (RFC 5626 CRLF)
        try:
            msg = parse(data)
        except SipParseError as exc:
            self.stats["malformed"] += 1
            status = 505 if isinstance(exc, SipVersionError) else 400
            if not self._bad_request(data, addr, str(exc), status):
                self._dropped(addr, str(exc))
            return
        try:
            if msg.is_request:
                self._request(msg, addr)
            else:
                self._response(msg)
        except Exception:
            log.exception("failed to handle a SIP message from %s", addr)
            if msg.is_request and msg.method != "ACK":
                with contextlib.suppress(Exception):
                    self.send(response(msg, 500).encode(), addr)

    def _dropped(self, addr: Addr, reason: str) -> None:
        """A datagram we cannot answer (no Via, Call-ID or CSeq to address a response): logged and counted."""
        self.stats["dropped"] += 1
        n = self.stats["dropped"]
        if n <= 10 or n % 1000 == 0:  # a flood of garbage must not flood the log
            log.warning("dropped an unanswerable SIP datagram from %s:%s (%s; %d dropped so far)",
                        addr[0], addr[1], reason[:80], n)

    def _bad_request(self, data: bytes, addr: Addr, reason: str, status: int = 400) -> bool:
        """Answer 400 (or 505) if the datagram is a request whose Via, Call-ID and CSeq can be read; False
        when it cannot be answered (a response, an ACK, or those headers missing)."""
        try:
            text = data.decode("utf-8", errors="replace").replace("\r\n", "\n")
            lines = text.lstrip("\n").split("\n\n", 1)[0].split("\n")
            first = lines[0].split(" ")
            if len(first) != 3 or first[0].upper().startswith("SIP/") or first[0].upper() == "ACK":
                return False
            head = "Version Not Supported" if status == 505 else "Bad Request: " + reason[:60].replace("\n", " ")
            resp = SipMessage(status=status, reason=head)
            found = set()
            for line in lines[1:]:
                name, colon, value = line.partition(":")
                if not colon:
                    continue
                cname = canonical(name)
                if cname in ("Via", "From", "To", "Call-ID", "CSeq"):
                    resp.add(cname, value.strip())
                    found.add(cname)
            if not {"Via", "Call-ID", "CSeq"} <= found:
                return False
            self.send(resp.encode(), addr)
            return True
        except Exception:
            return False

    def _reject(self, msg: SipMessage, addr: Addr, rej: Rejection) -> None:
        cls = InviteServerTransaction if msg.method == "INVITE" else NonInviteServerTransaction
        tx = self._server_tx(cls, msg, addr)
        tx.respond(response(msg, rej.status, rej.reason, to_tag=new_tag(), extra=list(rej.extra)))

    def _request(self, msg: SipMessage, addr: Addr) -> None:
        key = server_key(msg)
        method = msg.method
        if method == "ACK":
            itx = self.server_txs.get(key)
            if isinstance(itx, InviteServerTransaction) and itx.state in ("completed", "confirmed"):
                itx.ack()  # ACK of a non-2xx, inside the transaction
                return
            call = self._dialog_of(msg)
            if call is not None:
                call._acked(msg)
            return
        tx = self.server_txs.get(key)
        if tx is not None:
            self.stats["retransmissions"] += 1
            tx.retransmitted()
            return
        if method == "CANCEL":
            ntx = self._server_tx(NonInviteServerTransaction, msg, addr)
            target = self.server_txs.get((*key[:-1], "INVITE"))
            call = self.inbound.get((msg.call_id, msg.from_tag or ""))
            if isinstance(target, InviteServerTransaction) and call is not None and call.invite_tx is target:
                ntx.respond(response(msg, 200, to_tag=call.local_tag))
                call._cancelled()
            else:
                ntx.respond(response(msg, 481))
            return
        rej = precheck(msg)
        if rej is not None:
            self._reject(msg, addr, rej)
            return
        if method == "INVITE":
            if msg.to_tag:
                itx = self._server_tx(InviteServerTransaction, msg, addr)
                call = self._dialog_of(msg)
                if call is None:
                    itx.respond(response(msg, 481))
                else:
                    call.in_dialog(msg, itx)
                return
            if (msg.call_id, msg.from_tag or "") in self.inbound:
                # RFC 3261 8.2.2.2: the same request reached us twice (forked and merged): one call only
                self.stats["merged"] += 1
                self._reject(msg, addr, Rejection(482))
                return
            itx = self._server_tx(InviteServerTransaction, msg, addr)
            itx.respond(response(msg, 100))
            call = Call.inbound(self, msg, addr, itx)
            self.dialogs[call.key] = call
            self.inbound[(call.call_id, call.remote_tag or "")] = call
            self.stats["calls"] += 1
            self.on_invite(call)
            return
        ntx = self._server_tx(NonInviteServerTransaction, msg, addr)
        if method == "REGISTER":
            if self.registrar is None:
                ntx.respond(response(msg, 405, extra=[("Allow", self.allow)]))
            else:
                ntx.respond(self.registrar.handle(msg, addr))
            return
        if msg.to_tag:
            call = self._dialog_of(msg)
            if call is None:
                ntx.respond(response(msg, 481))
            else:
                call.in_dialog(msg, ntx)
            return
        if method == "OPTIONS":
            ntx.respond(response(msg, 200, to_tag="opt", extra=[("Allow", self.allow), ("Accept", "application/sdp"),
                                                                ("Accept-Encoding", "identity"),
                                                                ("Supported", "100rel")]))
            return
        rej = method_status(method or "", in_dialog=False) or Rejection(405, (("Allow", self.allow),))
        ntx.respond(response(msg, rej.status, rej.reason, to_tag=new_tag(), extra=list(rej.extra)))

    def _server_tx(self, cls: Any, msg: SipMessage, addr: Addr) -> Any:
        key = server_key(msg)
        tx = cls(key, msg, addr, self.send, self.call_later, self._server_done)
        self.server_txs[key] = tx
        return tx

    def _server_done(self, key: tuple[Any, ...]) -> None:
        self.server_txs.pop(key, None)

    def _dialog_of(self, msg: SipMessage) -> Call | None:
        tag = msg.to_tag if msg.is_request else msg.from_tag
        return self.dialogs.get((msg.call_id, tag or ""))

    def _response(self, msg: SipMessage) -> None:
        tx = self.client_txs.get(client_key(msg))
        if tx is not None:
            tx.receive(msg)
            return
        # a 2xx retransmitted after our INVITE transaction ended: ACK it again through the dialog
        call = self.dialogs.get((msg.call_id, msg.from_tag or ""))
        if call is not None and msg.cseq[1] == "INVITE" and (msg.status or 0) // 100 == 2:
            call._invite_response(msg)

    # ------------------------------------------------------------------ sending
    def client_transaction(self, req: SipMessage, addr: Addr, on_response: Callable[[SipMessage], None],
                           on_timeout: Callable[[], None]) -> ClientTransaction:
        key = client_key(req)
        tx = ClientTransaction(key, req, addr, self.send, self.call_later, self._client_done,
                               on_response=on_response, on_timeout=on_timeout)
        tx.reliable = self.transport_of(addr) != "UDP"
        self.client_txs[key] = tx
        tx.start()
        return tx

    def _client_done(self, key: tuple[Any, ...]) -> None:
        self.client_txs.pop(key, None)

    def invite(self, target_uri: str, addr: Addr, from_user: str, sdp: bytes, display: str | None = None,
               to_uri: str | None = None, extra: list[tuple[str, str]] | None = None) -> Call:
        """Place an outbound call (UAC): to an agent's registered phone or through a trunk."""
        kind = uri_transport(target_uri)
        if kind != "UDP" and self.transport_of(addr) == "UDP":
            self.streams.prefer(addr, kind)  # ;transport=tcp|tls (or sips:): connect if not connected
        call = Call.outbound(self, target_uri, addr, from_user, sdp, display, to_uri, extra)
        self.dialogs[call.key] = call
        return call

    def register_dialog(self, call: Call) -> None:
        self.dialogs[call.key] = call

    def forget_dialog(self, call: Call) -> None:
        ikey = (call.call_id, call.remote_tag or "")
        if call.direction == "in" and self.inbound.get(ikey) is call:
            del self.inbound[ikey]
        # kept 32 s so late retransmissions (BYE, 2xx) still find their dialog, then dropped (no leak)
        if self.loop is not None:
            self.loop.call_later(32.0, lambda: self.dialogs.pop(call.key, None)
                                 if self.dialogs.get(call.key) is call else None)
        else:
            self.dialogs.pop(call.key, None)

    def live_calls(self) -> int:
        return sum(1 for c in self.dialogs.values() if c.state != "ended")


def uri_transport(uri: str) -> str:
    """"TLS" for a sips: URI or ``;transport=tls``, "TCP" for ``;transport=tcp``, else "UDP"."""
    if uri.lower().startswith("sips:"):
        return "TLS"
    for p in uri.partition("?")[0].split(";")[1:]:
        k, _, v = p.strip().partition("=")
        if k.lower() == "transport" and v.lower() in ("tcp", "tls"):
            return v.upper()
    return "UDP"


__all__ = ["ALLOW", "Binding", "Registrar", "SipEdge", "uri_transport"]
