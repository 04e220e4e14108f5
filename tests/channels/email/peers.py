"""Real mail peers for the email tests: a private dovecot IMAP server and a capturing SMTP server."""

from __future__ import annotations

import email
import email.policy
import imaplib
import os
import pwd
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller

DOVECOT = "/usr/sbin/dovecot"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_until(predicate: Any, timeout_s: float = 10.0) -> bool:
    """Poll ``predicate`` until true (for work done by real servers on their own threads)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.02)
    return bool(predicate())


# ---------------------------------------------------------------------- outbound: a capturing SMTP server


@dataclass
class Captured:
    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage


@dataclass
class CaptureHandler:
    """Keeps every accepted message; ``failures`` are answered (in order) instead of accepting DATA."""

    received: list[Captured] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        if self.failures:
            return self.failures.pop(0)
        msg = email.message_from_bytes(envelope.original_content or envelope.content, policy=email.policy.default)
        assert isinstance(msg, EmailMessage)
        self.received.append(Captured(envelope.mail_from, list(envelope.rcpt_tos), msg))
        return "250 2.0.0 queued"


class CaptureServer:
    def __init__(self) -> None:
        self.handler = CaptureHandler()
        self.port = free_port()
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)

    @property
    def received(self) -> list[Captured]:
        return self.handler.received

    def fail_next(self, n: int, reply: str) -> None:
        self.handler.failures.extend([reply] * n)

    def __enter__(self) -> CaptureServer:
        self.controller.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.controller.stop()


# ---------------------------------------------------------------------- inbound: a private dovecot


class Dovecot:
    """dovecot-imapd on an unprivileged port with its own config (temp dir, passwd-file, maildir); never
    the system service. As root, the login and mail processes run as dovecot's own users."""

    def __init__(self, root: Path, users: dict[str, str]):
        self.root = root
        self.port = free_port()
        self.users = users
        root.chmod(0o755)
        for d in ("run", "state", "mail"):
            (root / d).mkdir(exist_ok=True)
        if os.geteuid() == 0:
            login_user, internal_user = "dovenull", "dovecot"
            mail = pwd.getpwnam("dovecot")
        else:
            login_user = internal_user = pwd.getpwuid(os.geteuid()).pw_name
            mail = pwd.getpwuid(os.geteuid())
        shutil.chown(root / "mail", mail.pw_uid, mail.pw_gid)
        (root / "passwd").write_text("".join(f"{u}:{{PLAIN}}{p}\n" for u, p in users.items()))
        (root / "dovecot.conf").write_text(f"""
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
instance_name = blendcc-test-{self.port}
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
default_login_user = {login_user}
default_internal_user = {internal_user}
default_internal_group = {pwd.getpwnam(internal_user).pw_name if internal_user == "dovecot" else mail.pw_gid}
first_valid_uid = 1
mail_location = maildir:{root}/mail/%u
service imap-login {{
  inet_listener imap {{
    port = {self.port}
  }}
  inet_listener imaps {{
    port = 0
  }}
  chroot =
}}
service anvil {{
  chroot =
}}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/passwd
}}
userdb {{
  driver = static
  args = uid={mail.pw_uid} gid={mail.pw_gid} home={root}/mail/%u
}}
""")

    def __enter__(self) -> Dovecot:
        # no pipes: the daemon's children would hold them open and run() would wait forever
        subprocess.run([DOVECOT, "-c", str(self.root / "dovecot.conf")], check=True, stdin=subprocess.DEVNULL,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                conn = imaplib.IMAP4("127.0.0.1", self.port, timeout=2)
                conn.logout()
                return self
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("dovecot did not start: " + (self.root / "dovecot.log").read_text())

    def __exit__(self, *exc: Any) -> None:
        subprocess.run([DOVECOT, "-c", str(self.root / "dovecot.conf"), "stop"], check=False, stdin=subprocess.DEVNULL,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=30)

    def client(self, user: str) -> imaplib.IMAP4:
        conn = imaplib.IMAP4("127.0.0.1", self.port, timeout=10)
        conn.login(user, self.users[user])
        return conn

    def deliver(self, user: str, raw: bytes, folder: str = "INBOX") -> None:
        """Put a message in a user's folder (what the centre's mail provider would do)."""
        conn = self.client(user)
        try:
            typ, data = conn.append(folder, None, None, raw)
            assert typ == "OK", data
        finally:
            conn.logout()

    def flags(self, user: str, folder: str = "INBOX") -> list[str]:
        conn = self.client(user)
        try:
            _, count = conn.select(folder)
            if count[0] in (b"0", None):
                return []
            _typ, data = conn.fetch("1:*", "(FLAGS)")
            return [] if data == [None] else [d.decode() for d in data if isinstance(d, bytes)]
        finally:
            conn.logout()


def require_dovecot() -> None:
    if not Path(DOVECOT).exists():
        if os.environ.get("CI"):
            pytest.fail("dovecot-imapd is missing in CI (make system-deps)")
        pytest.skip("dovecot-imapd is not installed (make system-deps)")
