"""IMAP polling of an existing mailbox (imaplib): unprocessed mail is fetched, stored, and only then
flagged (or moved) as processed, so nothing accepted is lost and nothing is ingested twice; the poller
waits with IDLE when the server offers it, else sleeps for the poll interval."""

from __future__ import annotations

import contextlib
import email.parser
import email.policy
import imaplib
import logging
import re
import select
import ssl
import threading
import time
from dataclasses import dataclass

from blendcc.adapters.channels.email.channel import EmailChannel
from blendcc.adapters.channels.email.inbound import EmailInbound
from blendcc.domain.errors import ValidationFailed

log = logging.getLogger(__name__)

PROCESSED = "$BlendccIngested"
REJECTED = "$BlendccRejected"  # malformed or refused mail: logged and left in the mailbox, never retried
_UID = re.compile(rb"UID (\d+)")


@dataclass(frozen=True, slots=True)
class ImapAccount:
    host: str
    port: int
    username: str
    password: str
    security: str = "ssl"  # ssl | starttls | none
    folder: str = "INBOX"
    poll_s: float = 60.0
    idle: bool = True
    processed_folder: str | None = None


class ImapPoller:
    """One mailbox's poller. ``poll_once`` is one pass (used by tests and by the loop of ``start``)."""

    def __init__(self, channel: EmailChannel, account: ImapAccount, inbound: EmailInbound,
                 context: ssl.SSLContext | None = None):
        self.channel = channel
        self.account = account
        self.inbound = inbound
        self.context = context
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.polls = 0

    # ------------------------------------------------------------------ connection

    def connect(self) -> imaplib.IMAP4:
        a = self.account
        conn: imaplib.IMAP4
        if a.security == "ssl":
            conn = imaplib.IMAP4_SSL(a.host, a.port, ssl_context=self.context or ssl.create_default_context(),
                                     timeout=30)
        else:
            conn = imaplib.IMAP4(a.host, a.port, timeout=30)
            if a.security == "starttls":
                conn.starttls(self.context or ssl.create_default_context())
        conn.login(a.username, a.password)
        typ, _ = conn.select(_quote(a.folder))
        if typ != "OK":
            raise imaplib.IMAP4.error(f"cannot select folder {a.folder!r}")
        return conn

    # ------------------------------------------------------------------ one pass

    def poll_once(self, conn: imaplib.IMAP4 | None = None) -> int:
        """Ingest every unprocessed message of the folder; return how many were stored or ignored."""
        own = conn is None
        conn = conn or self.connect()
        done = 0
        try:
            typ, data = conn.uid("SEARCH", "UNDELETED", "UNKEYWORD", PROCESSED, "UNKEYWORD", REJECTED)
            if typ != "OK":
                raise imaplib.IMAP4.error(f"SEARCH failed: {data!r}")
            for uid in (data[0] or b"").decode().split():
                typ, parts = conn.uid("FETCH", uid, "(BODY.PEEK[])")
                raw = next((p[1] for p in parts if isinstance(p, tuple) and _UID.search(p[0] or b"")), None)
                if typ != "OK" or raw is None:
                    continue  # expunged meanwhile
                try:
                    self.inbound.accept(self.channel, raw, _return_path(raw))
                except ValidationFailed as exc:
                    log.warning("IMAP %s: refused message uid %s: %s", self.channel.config.name, uid, exc)
                    conn.uid("STORE", uid, "+FLAGS", f"({REJECTED})")
                    continue
                self._mark_processed(conn, uid)  # only after the message is stored
                done += 1
            self.polls += 1
            return done
        finally:
            if own:
                _logout(conn)

    def _mark_processed(self, conn: imaplib.IMAP4, uid: str) -> None:
        target = self.account.processed_folder
        conn.uid("STORE", uid, "+FLAGS", f"(\\Seen {PROCESSED})")
        if target:
            typ, _ = conn.uid("MOVE", uid, _quote(target))
            if typ != "OK":
                log.warning("IMAP %s: could not move uid %s to %s (it stays flagged as processed)",
                            self.channel.config.name, uid, target)

    # ------------------------------------------------------------------ the loop

    def start(self) -> None:
        """Start the loop's thread; a no-op while it runs. A stopped poller can be started again."""
        if self._thread is not None and self._thread.is_alive():
            if not self._stop.is_set():
                return
            self._thread.join(timeout=10)  # a stop still finishing its pass
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name=f"imap-{self.channel.config.name}", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive() and not self._stop.is_set()

    def _run(self) -> None:
        backoff = 1.0
        while not self._stop.is_set():
            conn = None
            try:
                conn = self.connect()
                idle = self.account.idle and "IDLE" in conn.capabilities
                while not self._stop.is_set():
                    self.poll_once(conn)
                    backoff = 1.0
                    if idle:
                        _idle(conn, self.account.poll_s, self._stop)
                    else:
                        conn.noop()
                        self._stop.wait(self.account.poll_s)
            except Exception as exc:
                log.warning("IMAP %s: %s; reconnecting in %g s", self.channel.config.name, exc, backoff)
                self._stop.wait(backoff)
                backoff = min(backoff * 2, 300.0)
            finally:
                if conn is not None:
                    _logout(conn)


def _idle(conn: imaplib.IMAP4, timeout_s: float, stop: threading.Event) -> None:
    """RFC 2177 IDLE until the server reports new mail, ``timeout_s`` passes or ``stop`` is set."""
    tag = conn._new_tag().decode()
    conn.send(f"{tag} IDLE\r\n".encode())
    line = conn.readline()
    if not line.startswith(b"+"):
        raise imaplib.IMAP4.error(f"IDLE refused: {line!r}")
    sock = conn.socket()
    deadline = time.monotonic() + timeout_s
    try:
        while not stop.is_set() and time.monotonic() < deadline:
            readable, _, _ = select.select([sock], [], [], min(1.0, max(0.0, deadline - time.monotonic())))
            if not readable:
                continue
            line = conn.readline()
            if not line:
                raise imaplib.IMAP4.abort("server closed the connection during IDLE")
            if b"EXISTS" in line or b"RECENT" in line:
                break
    finally:
        conn.send(b"DONE\r\n")
        while True:
            line = conn.readline()
            if not line or line.startswith(tag.encode()):
                break


def _return_path(raw: bytes) -> str | None:
    """The envelope sender the delivering server recorded (``<>`` for bounces), if any."""
    headers = email.parser.BytesHeaderParser(policy=email.policy.compat32).parsebytes(raw)
    value = headers.get("Return-Path")
    if value is None:
        return None
    return str(value).strip().strip("<>")


def _quote(folder: str) -> str:
    return '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _logout(conn: imaplib.IMAP4) -> None:
    with contextlib.suppress(Exception):
        conn.logout()
