"""Two real `blendcc serve` nodes on one PostgreSQL schema and one Redis (ADR 0063): the SMTP listener and the dialing
loop run on the routing leader only; after kill -9 of the leader they run on the new leader, which stores the mail
it accepts, and the killed node, started again, comes back as a standby with none of them running."""

from __future__ import annotations

import json
import smtplib
import socket
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from e2e_support import ADMIN_PASSWORD, Client, Server, free_port, pg_schema_url, redis_or_skip, wait_until

from blendcc.testing.redis_check import REDIS_URL

pytestmark = pytest.mark.slow

TTL_S = 2.0
MAILBOX = "support@centre.example"




@pytest.fixture
def pair(tmp_path: Path) -> Iterator[list[tuple[Server, int]]]:
    redis_or_skip()
    prefix = f"t{uuid.uuid4().hex[:10]}"
    with pg_schema_url() as url:
        made = []
        for i in range(2):
            smtp_port = free_port()
            made.append((Server(url, tmp_path, env={
                "BLENDCC_CLUSTER": "true", "BLENDCC_REDIS_URL": REDIS_URL, "BLENDCC_NODE_ID": f"n{i}",
                "BLENDCC_REDIS_STREAM_PREFIX": prefix, "BLENDCC_LEASE_TTL_S": str(TTL_S),
                "BLENDCC_TELEPHONY": "fake", "BLENDCC_EMAIL_MAILBOXES": json.dumps({"support": {"address": MAILBOX}}),
                "BLENDCC_EMAIL_SMTP_ENABLED": "true", "BLENDCC_EMAIL_SMTP_PORT": str(smtp_port),
                "BLENDCC_EMAIL_ATTACHMENT_DIR": str(tmp_path / f"attachments-{i}")}), smtp_port))
        try:
            for node, _ in made:  # the first migrates the schema, then the second starts on it
                node.start(60)
            yield made
        finally:
            for node, _ in made:
                node.stop()
            import redis

            client = redis.Redis.from_url(REDIS_URL)
            keys = list(client.scan_iter(f"{prefix}:*"))
            if keys:
                client.delete(*keys)
            client.close()


def health(node: Server) -> dict[str, Any] | None:
    try:
        body: dict[str, Any] = httpx.get(node.url + "/health", timeout=1.0).json()
        return body
    except (httpx.HTTPError, ValueError):
        return None


def leading(node: Server) -> bool:
    """The node leads and says its leader-only listeners run."""
    h = health(node)
    return h is not None and h["role"] == "leader" and h["listeners"].get("smtp") is True \
        and h["listeners"].get("dialing") is True


def standing_by(node: Server) -> bool:
    """A standby that says none of its leader-only listeners run."""
    h = health(node)
    return h is not None and h["role"] == "standby" and set(h["listeners"]) >= {"smtp", "dialing"} \
        and not any(h["listeners"].values())


def smtp_listening(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(1.0)
        return s.connect_ex(("127.0.0.1", port)) == 0


def send_mail(port: int, subject: str) -> str:
    """Deliver one mail to the mailbox over SMTP; the server's 250 reply names the stored contact."""
    message = (f"From: customer@example.org\r\nTo: {MAILBOX}\r\nSubject: {subject}\r\n"
               f"Message-ID: <{uuid.uuid4().hex}@example.org>\r\n\r\nMy order has not arrived.\r\n")
    with smtplib.SMTP("127.0.0.1", port, timeout=10) as smtp:
        smtp.ehlo()
        smtp.mail("customer@example.org")
        smtp.rcpt(MAILBOX)
        code, reply = smtp.data(message.encode())
    assert code == 250, reply
    return reply.decode()


def test_the_smtp_listener_and_the_dialing_loop_follow_the_routing_lease(pair: list[tuple[Server, int]]) -> None:
    wait_until(lambda: sum(leading(n) for n, _ in pair) == 1 and sum(standing_by(n) for n, _ in pair) == 1, 20,
               "one leader running the listeners and one standby running none")
    (leader, leader_smtp), (standby, standby_smtp) = sorted(pair, key=lambda p: not leading(p[0]))
    assert smtp_listening(leader_smtp) and not smtp_listening(standby_smtp)
    admin = Client(standby.url, "admin", ADMIN_PASSWORD)  # through the standby: forwarded to the leader
    admin.ok("PUT", "/api/config/queues/mail", {"wrap_up_s": None})
    admin.ok("PUT", "/api/config/workflows/main", {"default": [{"queue": "mail"}]})
    assert "stored [#" in send_mail(leader_smtp, "before the failover")

    leader.kill9()
    wait_until(lambda: leading(standby), 20, "the standby to lead and start its listeners")
    assert smtp_listening(standby_smtp)
    assert "stored [#" in send_mail(standby_smtp, "after the failover")  # stored by the new leader's writer

    leader.start(60)  # the killed node comes back: a standby, its listeners stopped (never two SMTP listeners)
    wait_until(lambda: standing_by(leader), 20, "the restarted node to stand by")
    assert leading(standby) and not smtp_listening(leader_smtp)
