"""The SIP edge: one UDP socket, the transaction tables, dialog dispatch, OPTIONS and the REGISTER registrar.

Malformed datagrams get a 400 when enough of them can be read to answer, else they are dropped; no
input reaches an unhandled exception (each datagram is handled inside one guard).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from blendcc.adapters.channels.sip.dialog import Call
from blendcc.adapters.channels.sip.digest import DigestAuthenticator, parse_auth
from blendcc.adapters.channels.sip.message import (
    SipMessage,
    SipParseError,
    canonical,
    param,
    parse,
    response,
    uri_of,
    uri_user,
)
from blendcc.adapters.channels.sip.transaction import (
    ClientTransaction,
    InviteServerTransaction,
    NonInviteServerTransaction,
    client_key,
    server_key,
)
from blendcc.domain.throttle import SIP_POLICIES, Throttle, retry_after_header

log = logging.getLogger(__name__)
Addr = tuple[str, int]
ALLOW = "INVITE, ACK, BYE, CANCEL, OPTIONS, REGISTER, INFO"
MAX_EXPIRES = 3600
RCVBUF = 8 * 1024 * 1024


@dataclass
class Binding:
    user: str
    contact: str
    addr: Addr
    expires_at: float


class _CallClock:
    def __init__(self, fn: Callable[[], float]) -> None:
        self.now = fn


class Registrar:
    """Agent phones' registrations (RFC 3261 section 10) with digest authentication.

    Wrong digests are throttled per claimed user and per source address (app.throttle, shared with API
    logins): while blocked, REGISTER gets 503 Service Unavailable with Retry-After (RFC 3261 21.5.4; SIP's
    429 means "Provide Referrer Identity", not "too many requests")."""

    def __init__(self, realm: str, passwords: dict[str, str], clock: Callable[[], float] = time.time,
                 throttle: Throttle | None = None):
        self.auth = DigestAuthenticator(realm)
        self.passwords = passwords
        self.clock = clock
        self.throttle = throttle or Throttle(_CallClock(clock), SIP_POLICIES)
        self.bindings: dict[str, Binding] = {}
        self.on_change: list[Callable[[str, Binding | None], None]] = []

    def lookup(self, user: str) -> Binding | None:
        b = self.bindings.get(user)
        if b is not None and b.expires_at <= self.clock():
            del self.bindings[user]
            return None
        return b

    def handle(self, req: SipMessage, addr: Addr) -> SipMessage:
        header = req.get("Authorization")
        claimed = parse_auth(header).get("username") if header else None
        keys = [("sip-addr", addr[0])] + ([("sip-user", claimed[:100])] if claimed else [])
        wait = self.throttle.retry_after(keys)
        if wait > 0:
            return response(req, 503, "Too Many Failed Authentications", to_tag="reg",
                            extra=[("Retry-After", retry_after_header(wait))])
        user, stale = self.auth.verify(header, "REGISTER", self.passwords)
        if user is None:
            if header and not stale:
                self.throttle.failed(keys)
            return response(req, 401, to_tag="reg", extra=[("WWW-Authenticate", self.auth.challenge(stale))])
        self.throttle.succeeded([("sip-user", user)])
        aor_user = uri_user(uri_of(req.get("To") or ""))
        if aor_user != user:
            return response(req, 403, "Authenticated user does not own this address", to_tag="reg")
        contacts = req.get_all("Contact")
        header_expires = req.get("Expires")
        default = int(header_expires) if header_expires and header_expires.isdigit() else MAX_EXPIRES
        if not contacts:  # a query: answer with the current binding
            b = self.lookup(user)
            extra = [("Contact", f"<{b.contact}>;expires={int(b.expires_at - self.clock())}")] if b else []
            return response(req, 200, to_tag="reg", extra=extra)
        value = contacts[0]
        p = param(value, "expires")
        expires = min(int(p) if p and p.isdigit() else default, MAX_EXPIRES)
        if value.strip() == "*" or expires == 0:
            if self.bindings.pop(user, None) is not None:
                self._changed(user, None)
            return response(req, 200, to_tag="reg")
        binding = Binding(user, uri_of(value), addr, self.clock() + expires)
        self.bindings[user] = binding
        self._changed(user, binding)
        return response(req, 200, to_tag="reg", extra=[("Contact", f"<{binding.contact}>;expires={expires}"),
                                                       ("Date", time.strftime("%a, %d %b %Y %H:%M:%S GMT",
                                                                              time.gmtime()))])

    def _changed(self, user: str, binding: Binding | None) -> None:
        for fn in self.on_change:
            try:
                fn(user, binding)
            except Exception:
                log.exception("registration handler failed")


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
        self.transport: asyncio.DatagramTransport | None = None
        self.loop: asyncio.AbstractEventLoop | None = None
        self.stats = {"received": 0, "malformed": 0, "retransmissions": 0, "calls": 0}

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

    def close(self) -> None:
        for tx in list(self.server_txs.values()) + list(self.client_txs.values()):
            tx.terminate()
        if self.transport is not None:
            self.transport.close()
            self.transport = None

    def call_later(self, delay: float, fn: Callable[[], None]) -> asyncio.TimerHandle:
        assert self.loop is not None
        return self.loop.call_later(delay, fn)

    def send(self, data: bytes, addr: Addr) -> None:
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
            self._bad_request(data, addr, str(exc))
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

    def _bad_request(self, data: bytes, addr: Addr, reason: str) -> None:
        """Answer 400 if the datagram is a request whose Via, From, To, Call-ID and CSeq can be read."""
        try:
            text = data.decode("utf-8", errors="replace").replace("\r\n", "\n")
            lines = text.split("\n\n", 1)[0].split("\n")
            first = lines[0].split(" ")
            if len(first) != 3 or first[0] == "SIP/2.0" or first[0].upper() == "ACK":
                return
            resp = SipMessage(status=400, reason="Bad Request: " + reason[:60].replace("\n", " "))
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
                return
            self.send(resp.encode(), addr)
        except Exception:
            log.debug("dropped an unreadable datagram from %s", addr)

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
                call._acked()
            return
        tx = self.server_txs.get(key)
        if tx is not None:
            self.stats["retransmissions"] += 1
            tx.retransmitted()
            return
        if method == "CANCEL":
            ntx = self._server_tx(NonInviteServerTransaction, msg, addr)
            target = self.server_txs.get((*key[:-1], "INVITE"))
            call = self._dialog_of_invite(msg)
            if isinstance(target, InviteServerTransaction) and call is not None:
                ntx.respond(response(msg, 200, to_tag=call.local_tag))
                call._cancelled()
            else:
                ntx.respond(response(msg, 481))
            return
        if method == "INVITE":
            itx = self._server_tx(InviteServerTransaction, msg, addr)
            if msg.to_tag:
                call = self._dialog_of(msg)
                if call is None:
                    itx.respond(response(msg, 481))
                else:
                    call.in_dialog(msg, itx)
                return
            itx.respond(response(msg, 100))
            call = Call.inbound(self, msg, addr, itx)
            self.dialogs[call.key] = call
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
            ntx.respond(response(msg, 200, to_tag="opt", extra=[("Allow", self.allow), ("Accept", "application/sdp")]))
        elif method == "BYE":
            ntx.respond(response(msg, 481))
        else:
            ntx.respond(response(msg, 405 if method in ("SUBSCRIBE", "NOTIFY", "REFER", "MESSAGE") else 501,
                                 extra=[("Allow", self.allow)]))

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

    def _dialog_of_invite(self, cancel: SipMessage) -> Call | None:
        for call in self.dialogs.values():  # early inbound dialogs of this Call-ID (few)
            if call.call_id == cancel.call_id and call.direction == "in" and call.remote_tag == cancel.from_tag:
                return call
        return None

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
        self.client_txs[key] = tx
        tx.start()
        return tx

    def _client_done(self, key: tuple[Any, ...]) -> None:
        self.client_txs.pop(key, None)

    def invite(self, target_uri: str, addr: Addr, from_user: str, sdp: bytes, display: str | None = None,
               to_uri: str | None = None, extra: list[tuple[str, str]] | None = None) -> Call:
        """Place an outbound call (UAC): to an agent's registered phone or through a trunk."""
        call = Call.outbound(self, target_uri, addr, from_user, sdp, display, to_uri, extra)
        self.dialogs[call.key] = call
        return call

    def register_dialog(self, call: Call) -> None:
        self.dialogs[call.key] = call

    def forget_dialog(self, call: Call) -> None:
        # kept 32 s so late retransmissions (BYE, 2xx) still find their dialog, then dropped (no leak)
        if self.loop is not None:
            self.loop.call_later(32.0, lambda: self.dialogs.pop(call.key, None)
                                 if self.dialogs.get(call.key) is call else None)
        else:
            self.dialogs.pop(call.key, None)

    def live_calls(self) -> int:
        return sum(1 for c in self.dialogs.values() if c.state != "ended")

