"""Digital channels benchmark: messages ingested end to end through each channel's real protocol.

Email (this section): a centre on a fresh SQLite file (or ``--database``, e.g. a PostgreSQL URL) with
its built-in SMTP listener; ``--clients`` smtplib clients of the same run send ``--emails`` mails (a
quarter of them replies in an existing thread) over persistent SMTP sessions. The listener answers 250
only once a mail is stored, and the run ends by counting the MessageReceived events in the event log, so
the figure is mails stored per second, end to end (SMTP, MIME parsing, threading, routing, storage).

    python bench/channels.py [--emails 500] [--clients 4] [--database sqlite:///...]
                             [--chats 500] [--agents 20] [--chat-rate 600] [--chat-seconds 10]

Web chat (``section_chat``): a real ``blendcc serve`` process on a fresh SQLite file (or ``--database``);
``--agents`` agents log in over REST, open their ``/ws/agent`` sockets and accept every chat offered to
them (REST), with chat capacity for all of them; ``--chats`` customers start sessions, connect
``/ws/webchat`` and open their chats (all concurrent). Then every customer sends messages, together
``--chat-rate`` per second (0: each sends its next message as soon as the previous one is acknowledged)
for ``--chat-seconds``. A message counts once its agent's socket has received it; latency is customer
send -> the agent's socket receives it (one process, one clock). The last line is one JSON object
(``chat_messages_per_s``, ``chat_p99_ms``, ``concurrent_chats``, ``emails_per_s`` and details).
"""

from __future__ import annotations

import argparse
import email.policy
import json
import smtplib
import socket
import sys
import tempfile
import threading
import time
from email.message import EmailMessage
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from blendcc.bootstrap import build_container  # noqa: E402
from blendcc.config import Settings  # noqa: E402
from blendcc.domain import conversation_events as ce  # noqa: E402

MAILBOX = "support@bench.test"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _mail(i: int, customers: int) -> bytes:
    """Mail ``i``: from one of ``customers`` senders; every fourth one answers that sender's first mail."""
    sender = i % customers
    msg = EmailMessage()
    msg["From"] = f"Customer {sender} <customer{sender}@example.org>"
    msg["To"] = MAILBOX
    msg["Message-ID"] = f"<bench-{i}@example.org>"
    if i >= customers and i % 4 == 0:
        msg["Subject"] = f"Re: Order {sender}"
        msg["In-Reply-To"] = f"<bench-{sender}@example.org>"
        msg["References"] = f"<bench-{sender}@example.org>"
    else:
        msg["Subject"] = f"Order {sender}" if i < customers else f"Question {i}"
    msg.set_content(f"Hello, this is message {i} about my order {sender}.\nThank you.\n")
    if i % 5 == 0:
        msg.add_alternative(f"<p>Hello, <b>message {i}</b><script>x()</script></p>", subtype="html")
    return msg.as_bytes(policy=email.policy.SMTP)


def section_email(args: argparse.Namespace, workdir: Path) -> dict[str, Any]:
    port = _free_port()
    url = args.database or f"sqlite:///{workdir / 'bench.db'}"
    settings = Settings(database_url=url, admin_password="bench-admin", secret_key="bench", log_level="warning",
                        email_mailboxes={"support": {"address": MAILBOX}}, email_smtp_enabled=True,
                        email_smtp_port=port, email_attachment_dir=str(workdir / "attachments"))
    container = build_container(settings)
    put = container.config.put
    put("queues", "mail", {"name": "Mail", "wrap_up_s": None, "offer_timeout_s": 3600}, None)
    for n in range(5):
        put("agents", f"a{n}", {"name": f"Agent {n}", "queues": ["mail"],
                                "capacity": {"limits": {"voice": 1, "email": 5}}}, None)
    put("workflows", "mail", {"name": "Mail", "default": [{"queue": "mail"}]}, None)
    for n in range(5):
        container.runtime.execute(lambda eng, now, n=n: eng.login(f"a{n}", now))
    container.email.start()
    mails = [_mail(i, max(1, args.emails // 4)) for i in range(args.emails)]
    errors: list[str] = []

    def client(k: int) -> None:
        try:
            with smtplib.SMTP("127.0.0.1", port, timeout=60) as smtp:
                for i in range(k, len(mails), args.clients):
                    smtp.sendmail(f"customer{i}@example.org", [MAILBOX], mails[i])
        except Exception as exc:  # reported, and the count below shows what was stored
            errors.append(f"client {k}: {exc}")

    threads = [threading.Thread(target=client, args=(k,)) for k in range(args.clients)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - start
    stored = sum(1 for s in container.store.read() if isinstance(s.event, ce.MessageReceived))
    contacts = len({s.event.contact_id for s in container.store.read() if isinstance(s.event, ce.MessageReceived)})
    container.email.stop()
    container.store.engine.dispose()
    return {"emails_per_s": round(stored / elapsed, 1), "emails_sent": len(mails), "emails_stored": stored,
            "email_contacts": contacts, "email_seconds": round(elapsed, 3), "email_clients": args.clients,
            "email_errors": errors[:5], "database": url.split(":", 1)[0]}


from bench_chat import section_chat  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--emails", type=int, default=500)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--database", default=None, help="SQLAlchemy URL (default: a fresh SQLite file)")
    parser.add_argument("--chats", type=int, default=500, help="concurrent web-chat customers")
    parser.add_argument("--agents", type=int, default=20, help="agents taking the chats")
    parser.add_argument("--chat-rate", type=float, default=600.0,
                        help="customer messages per second in all (0: as fast as acknowledged)")
    parser.add_argument("--chat-seconds", type=float, default=10.0, help="how long the customers write")
    parser.add_argument("--skip-email", action="store_true", help="run the web-chat section only")
    args = parser.parse_args()
    result: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="blendcc-bench-channels-") as tmp:
        if not args.skip_email:
            email = section_email(args, Path(tmp))
            print(f"email: {email['emails_stored']}/{email['emails_sent']} mails stored in "
                  f"{email['email_seconds']} s by {email['email_clients']} SMTP clients: {email['emails_per_s']} "
                  f"emails/s ({email['email_contacts']} conversations)", file=sys.stderr)
            result.update(email)
        chat = section_chat(args, Path(tmp) / "chat")
        print(f"chat: {chat['chat_messages_delivered']} messages from {chat['concurrent_chats']} concurrent chats "
              f"to {chat['chat_agents']} agents in {chat['chat_seconds']} s: {chat['chat_messages_per_s']} msgs/s, "
              f"p50 {chat['chat_p50_ms']} ms, p99 {chat['chat_p99_ms']} ms", file=sys.stderr)
        result.update(chat)
    result.setdefault("emails_per_s", None)
    print(json.dumps(result))
    if (not args.skip_email and result.get("emails_stored") != result.get("emails_sent")) \
            or result.get("chat_errors"):
        sys.exit(1)


if __name__ == "__main__":
    main()
