"""IMAP polling against a real dovecot: each message ingested once across polls, restarts and a crash
between storing and flagging; IDLE wakes the poller; refused mail is flagged, never lost or retried."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from blendcc.domain import conversation_events as ce
from blendcc.testing.fake_channel import ManualTimers
from conftest import close_container

from .conftest import SUPPORT, configure, email_settings, mail
from .peers import Dovecot, require_dovecot, wait_until

PASSWORD = "s3cret-imap"


@pytest.fixture
def dovecot() -> Iterator[Dovecot]:
    require_dovecot()
    # not under pytest's tmp_path: dovecot's own users must reach the maildir, and socket paths stay short
    root = Path(tempfile.mkdtemp(prefix="blendcc-dovecot-"))
    try:
        with Dovecot(root, {"support": PASSWORD}) as server:
            yield server
    finally:
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def boot(db_url: str, clock: Any, tmp_path: Path, dovecot: Dovecot,
         fast_passwords: None) -> Iterator[Callable[..., Any]]:
    """``boot(**imap options)``: a container polling dovecot's ``support`` mailbox (a second call is a
    restart on the same database)."""
    from blendcc.bootstrap import build_container

    made: list[Any] = []

    def make(**imap: Any) -> Any:
        box = {"address": SUPPORT, "imap": {"host": "127.0.0.1", "port": dovecot.port, "security": "none",
                                            "username": "support", "password": PASSWORD, **imap}}
        settings = email_settings(db_url, tmp_path, relay_port=1, email_smtp_enabled=False,
                                  email_mailboxes={"support": box})
        container = build_container(settings, clock=clock, run_migrations=False)
        container.conversations.later = ManualTimers(clock)
        if not made:
            configure(container)
        made.append(container)
        return container

    yield make
    for container in made:
        container.email.stop()
        close_container(container)


def _received(container: Any) -> list[ce.MessageReceived]:
    return [s.event for s in container.store.read() if isinstance(s.event, ce.MessageReceived)]


def test_mail_is_ingested_once_across_polls_and_a_restart(dovecot: Dovecot, boot: Callable[..., Any]) -> None:
    container = boot()
    poller = container.email.pollers[0]
    dovecot.deliver("support", mail(message_id="<i1@example.org>", body="first"))
    dovecot.deliver("support", mail(sender="bob@example.net", message_id="<i2@example.org>", body="second"))
    assert poller.poll_once() == 2
    assert poller.poll_once() == 0
    dovecot.deliver("support", mail(message_id="<i3@example.org>", body="third",
                                    headers={"References": "<i1@example.org>"}))
    assert poller.poll_once() == 1
    assert all("$BlendccIngested" in f for f in dovecot.flags("support"))
    restarted = boot()
    assert restarted.email.pollers[0].poll_once() == 0
    got = [(m.body, m.address) for m in _received(restarted)]
    assert got == [("first", "jane@example.org"), ("second", "bob@example.net"), ("third", "jane@example.org")]
    threads = {m.body: m.contact_id for m in _received(restarted)}
    assert threads["first"] == threads["third"] != threads["second"]


def test_a_message_stored_but_not_flagged_before_a_crash_is_stored_once(dovecot: Dovecot,
                                                                         boot: Callable[..., Any]) -> None:
    container = boot()
    dovecot.deliver("support", mail(message_id="<c1@example.org>", body="crash test"))
    assert container.email.pollers[0].poll_once() == 1
    # the process died after storing and before flagging: the flag is not there
    conn = dovecot.client("support")
    conn.select("INBOX")
    conn.store("1", "-FLAGS", "($BlendccIngested)")
    conn.logout()
    restarted = boot()
    assert restarted.email.pollers[0].poll_once() == 1  # seen again, stored nothing new, now flagged
    assert [m.body for m in _received(restarted)] == ["crash test"]
    assert "$BlendccIngested" in dovecot.flags("support")[0]


def test_refused_and_machine_mail_is_flagged_and_not_retried(dovecot: Dovecot, boot: Callable[..., Any]) -> None:
    container = boot()
    dovecot.deliver("support", b"From: jane@example.org\r\nSubject: broken\r\n"
                               b"Content-Type: multipart/mixed\r\n\r\nx\r\n")
    dovecot.deliver("support", mail(message_id="<auto@example.org>", headers={"Auto-Submitted": "auto-replied"}))
    dovecot.deliver("support", mail(message_id="<bounce@example.org>", headers={"Return-Path": "<>"}))
    poller = container.email.pollers[0]
    assert poller.poll_once() == 2  # the auto-reply and the bounce: processed, ignored
    assert poller.poll_once() == 0
    flags = dovecot.flags("support")
    assert "$BlendccRejected" in flags[0] and all("$BlendccIngested" in f for f in flags[1:])
    assert _received(container) == []


def test_processed_mail_can_be_moved_to_a_folder(dovecot: Dovecot, boot: Callable[..., Any]) -> None:
    conn = dovecot.client("support")
    conn.create("Processed")
    conn.logout()
    container = boot(processed_folder="Processed")
    dovecot.deliver("support", mail(message_id="<mv@example.org>"))
    assert container.email.pollers[0].poll_once() == 1
    assert dovecot.flags("support") == []
    assert len(dovecot.flags("support", "Processed")) == 1
    assert len(_received(container)) == 1


def test_idle_wakes_the_poller_when_mail_arrives(dovecot: Dovecot, boot: Callable[..., Any]) -> None:
    container = boot(poll_s=600.0)  # without IDLE nothing would be read for ten minutes
    container.email.start()
    poller = container.email.pollers[0]
    assert wait_until(lambda: poller.polls >= 1)  # the first pass ran; the poller now idles
    dovecot.deliver("support", mail(message_id="<idle@example.org>", body="pushed"))
    assert wait_until(lambda: len(_received(container)) == 1, timeout_s=15)
    assert wait_until(lambda: poller.polls >= 2)  # read by a second pass (the count follows the store)


def test_a_stopped_poller_starts_again_and_reads_new_mail(dovecot: Dovecot, boot: Callable[..., Any]) -> None:
    """A leader that steps down stops its pollers; leading again starts them again (ADR 0063)."""
    container = boot(poll_s=600.0)
    poller = container.email.pollers[0]
    poller.start()
    poller.start()  # a second start while it runs is a no-op: one thread
    assert wait_until(lambda: poller.polls >= 1) and poller.running
    poller.stop()
    assert not poller.running
    dovecot.deliver("support", mail(message_id="<again@example.org>", body="after the step-down"))
    poller.start()
    assert poller.running
    assert wait_until(lambda: len(_received(container)) == 1, timeout_s=15)
