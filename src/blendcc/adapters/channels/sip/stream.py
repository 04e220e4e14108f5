"""SIP over TCP and TLS (RFC 3261 section 18): listeners, Content-Length framing, connection reuse, keep-alives.

Each accepted or opened connection is keyed by the peer's address: the edge's ``send(data, addr)`` writes to
that connection when there is one, so responses go back on the connection their request came in on (RFC 3261
18.2.2) and requests to a phone registered over TCP/TLS (an agent's phone behind NAT) reuse the connection
it registered on. A double CRLF on a connection is an RFC 5626 keep-alive ping, answered with one CRLF (the
pong). A peer we must reach over TCP/TLS without a live connection (``;transport=tcp|tls`` in its URI) gets
a new connection; what is sent meanwhile waits for it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import ssl
from collections.abc import Callable, Coroutine
from typing import Any

log = logging.getLogger(__name__)
Addr = tuple[str, int]
MAX_HEADER = 16 * 1024
MAX_BODY = 64 * 1024
PING, PONG = b"\r\n\r\n", b"\r\n"
CONNECT_TIMEOUT_S = 5.0
MAX_CONNECTIONS = 10_000
MAX_REMEMBERED = 4 * MAX_CONNECTIONS  # peers remembered as stream peers (oldest forgotten first)
MAX_WRITE_BUFFER = 1024 * 1024  # a peer that stops reading is disconnected rather than buffered forever


class FramingError(ValueError):
    """The byte stream is not a sequence of SIP messages (the connection is closed)."""


class Framer:
    """Splits a byte stream into SIP messages by their Content-Length (RFC 3261 18.3); keep-alive pings out."""

    def __init__(self) -> None:
        self.buf = bytearray()

    def feed(self, data: bytes) -> list[bytes | None]:
        """Messages completed by ``data``, in order; None stands for a keep-alive ping (to be ponged)."""
        self.buf += data
        out: list[bytes | None] = []
        while self.buf:
            if self.buf.startswith(PING):
                del self.buf[:4]
                out.append(None)
                continue
            if self.buf.startswith(b"\r\n"):
                if len(self.buf) < 4 and PING.startswith(bytes(self.buf)):
                    break  # maybe the start of a ping: wait for the rest
                del self.buf[:2]  # a stray CRLF (a pong, or leading CRLF before a message: RFC 3261 7.5)
                continue
            end = self.buf.find(b"\r\n\r\n")
            if end < 0:
                if len(self.buf) > MAX_HEADER:
                    raise FramingError("headers too long")
                break
            length = content_length(bytes(self.buf[:end]))
            total = end + 4 + length
            if len(self.buf) < total:
                break
            out.append(bytes(self.buf[:total]))
            del self.buf[:total]
        return out


def content_length(head: bytes) -> int:
    """The Content-Length (or compact ``l``) of a header block; 0 when absent (RFC 3261 18.3: required on
    streams, but a bodiless request without it is still taken)."""
    for line in head.split(b"\r\n")[1:]:
        name, colon, value = line.partition(b":")
        if colon and name.strip().lower() in (b"content-length", b"l"):
            v = value.strip()
            if not v.isdigit() or int(v) > MAX_BODY:
                raise FramingError("bad Content-Length")
            return int(v)
    return 0


class Connection:
    """One TCP or TLS connection: reads messages into ``on_message(data, addr)``, writes ours."""

    def __init__(self, transport: str, peer: Addr, reader: asyncio.StreamReader, writer: asyncio.StreamWriter):
        self.transport = transport  # "TCP" or "TLS"
        self.peer = peer
        self.reader = reader
        self.writer = writer
        self.framer = Framer()
        self.closed = False
        self.pings = 0

    def write(self, data: bytes) -> None:
        if self.closed:
            return
        self.writer.write(data)
        if self.writer.transport.get_write_buffer_size() > MAX_WRITE_BUFFER:
            log.warning("closing the %s connection to %s:%d: it does not read what we send", self.transport,
                        self.peer[0], self.peer[1])
            self.close()

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            with contextlib.suppress(Exception):
                self.writer.close()


class StreamTransports:
    """The edge's TCP and TLS listeners and connections (``send`` returns False for a UDP peer)."""

    def __init__(self, on_message: Callable[[bytes, Addr], None]):
        self.on_message = on_message
        self.conns: dict[Addr, Connection] = {}
        #: peers reached over a stream: after their connection closes, we connect again rather than use UDP
        self.want: dict[Addr, str] = {}
        self.servers: list[asyncio.Server] = []
        self.ports: dict[str, int] = {}
        self.client_tls: ssl.SSLContext | None = None
        self._pending: dict[Addr, list[bytes]] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self.stats = {"connections": 0, "pings": 0, "framing_errors": 0, "connect_failures": 0,
                      "refused": 0}

    async def listen(self, host: str, port: int, tls: ssl.SSLContext | None = None) -> int:
        kind = "TLS" if tls is not None else "TCP"

        async def accepted(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            peer = writer.get_extra_info("peername")
            if len(self.conns) >= MAX_CONNECTIONS:  # a connection flood must not exhaust descriptors
                self.stats["refused"] += 1
                writer.close()
                return
            with contextlib.suppress(asyncio.CancelledError):  # the edge is shutting down
                await self._serve(Connection(kind, (peer[0], peer[1]), reader, writer))

        server = await asyncio.start_server(accepted, host, port, ssl=tls, limit=MAX_HEADER + MAX_BODY)
        self.servers.append(server)
        self.ports[kind] = server.sockets[0].getsockname()[1]
        return self.ports[kind]

    def transport_of(self, addr: Addr) -> str:
        """How we reach ``addr``: "TCP", "TLS" (a live or wanted connection) or "UDP"."""
        conn = self.conns.get(addr)
        if conn is not None and not conn.closed:
            return conn.transport
        return self.want.get(addr, "UDP")

    def send(self, data: bytes, addr: Addr) -> bool:
        conn = self.conns.get(addr)
        if conn is not None and not conn.closed:
            conn.write(data)
            return True
        kind = self.want.get(addr)
        if kind is None:
            return False
        queue = self._pending.get(addr)
        if queue is None:
            self._pending[addr] = [data]
            self._spawn(self._connect(addr, kind))
        else:
            queue.append(data)
        return True

    def prefer(self, addr: Addr, transport: str) -> None:
        """Reach ``addr`` over ``transport`` ("TCP" or "TLS"; "UDP" forgets a preference)."""
        if transport in ("TCP", "TLS"):
            self.want[addr] = transport
        else:
            self.want.pop(addr, None)

    async def _connect(self, addr: Addr, kind: str) -> None:
        ctx: ssl.SSLContext | None = None
        if kind == "TLS":
            ctx = self.client_tls or _unverified_client()
        try:
            reader, writer = await asyncio.wait_for(asyncio.open_connection(
                addr[0], addr[1], ssl=ctx, limit=MAX_HEADER + MAX_BODY,
                server_hostname=addr[0] if ctx is not None else None), CONNECT_TIMEOUT_S)
        except (OSError, TimeoutError, ssl.SSLError) as exc:
            self.stats["connect_failures"] += 1
            dropped = self._pending.pop(addr, [])
            log.warning("cannot connect over %s to %s:%d (%s); %d message(s) dropped", kind, addr[0], addr[1],
                        exc, len(dropped))
            return
        conn = Connection(kind, addr, reader, writer)
        for data in self._pending.pop(addr, []):
            conn.write(data)
        await self._serve(conn)

    async def _serve(self, conn: Connection) -> None:
        old = self.conns.get(conn.peer)
        self.conns[conn.peer] = conn
        self.want.pop(conn.peer, None)  # (re)inserted last: the oldest remembered peers are forgotten first
        self.want[conn.peer] = conn.transport
        if len(self.want) > MAX_REMEMBERED:
            del self.want[next(iter(self.want))]
        self.stats["connections"] += 1
        if old is not None and old is not conn:
            old.close()
        try:
            while not conn.closed:
                data = await conn.reader.read(65536)
                if not data:
                    break
                for msg in conn.framer.feed(data):
                    if msg is None:
                        conn.pings += 1
                        self.stats["pings"] += 1
                        conn.write(PONG)  # RFC 5626 4.4.1: the pong
                    else:
                        self.on_message(msg, conn.peer)
        except FramingError as exc:
            self.stats["framing_errors"] += 1
            log.warning("closing the %s connection from %s:%d: %s", conn.transport, conn.peer[0], conn.peer[1], exc)
        except (OSError, ssl.SSLError, asyncio.IncompleteReadError) as exc:
            log.debug("%s connection %s closed: %s", conn.transport, conn.peer, exc)
        finally:
            conn.close()
            if self.conns.get(conn.peer) is conn:
                del self.conns[conn.peer]

    def _spawn(self, coro: Coroutine[Any, Any, None]) -> None:
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def close(self) -> None:
        for server in self.servers:
            server.close()
        self.servers = []
        for conn in list(self.conns.values()):
            conn.close()
        self.conns.clear()
        for task in list(self._tasks):
            task.cancel()


def _unverified_client() -> ssl.SSLContext:
    """Phones present self-signed certificates: without a configured CA the link is encrypted, not verified."""
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    return ctx


def server_context(cert_file: str, key_file: str) -> ssl.SSLContext:
    """The TLS listener's context: our certificate and key (TLS 1.2 or later)."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    ctx.load_cert_chain(cert_file, key_file)
    return ctx


__all__ = ["Connection", "Framer", "FramingError", "StreamTransports", "content_length", "server_context"]
