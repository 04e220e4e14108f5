"""Agent phones' registrations survive a restart: stored through the container's ``phone_bindings`` (SQLite
and PostgreSQL) and loaded by the next server's registrar until they expire."""

from __future__ import annotations

from typing import Any

from sip_fakes import request

from blendcc.adapters.channels.sip.digest import authorization
from blendcc.adapters.channels.sip.gateway import SipGateway
from blendcc.adapters.channels.sip.message import SipMessage, parse
from blendcc.adapters.channels.sip.registrar import Binding, Registrar

URI = "sip:main@127.0.0.1:5060"
USERS = {"a1": "pw-a1", "a2": "pw-a2", "a3": "pw-a3"}


def _register(reg: Registrar, user: str, port: int, expires: int) -> SipMessage:
    raw = request("REGISTER", from_user=user, extra=f"Expires: {expires}\r\n")
    msg = parse(raw.replace(b"To: <sip:main@", f"To: <sip:{user}@".encode())
                .replace(b"127.0.0.1:5061>", f"127.0.0.1:{port}>".encode()))
    first = reg.handle(msg, ("10.0.0.5", port))
    msg.add("Authorization", authorization(first.get("WWW-Authenticate") or "", user, USERS[user], "REGISTER", URI))
    return reg.handle(msg, ("10.0.0.5", port))


def _server(container: Any, clock: Any) -> SipGateway:
    """What the voice stack builds at start (bootstrap.voice): a registrar on the container's stored bindings."""
    reg = Registrar("blendcc", USERS, clock=clock.now, store=container.phone_bindings)
    return SipGateway("127.0.0.1", 0, "127.0.0.1", (30000, 30010), reg)


def test_a_registered_phone_is_still_reachable_after_a_restart_until_its_expiry(
        db_url: str, clock: Any, containers: Any) -> None:
    first = _server(containers(db_url, clock), clock)
    reg = first.edge.registrar
    assert reg is not None
    assert _register(reg, "a1", 5071, 600).status == 200
    assert _register(reg, "a2", 5072, 60).status == 200
    assert _register(reg, "a3", 5073, 600).status == 200
    assert _register(reg, "a3", 5073, 0).status == 200  # a3 unregistered
    clock.advance(120)  # a2's registration lapsed
    first.worker.shutdown()

    restarted = _server(containers(db_url, clock), clock)  # a new process on the same database
    again = restarted.edge.registrar
    assert again is not None
    assert again.lookup("a1") == Binding("a1", "sip:a1@127.0.0.1:5071", ("10.0.0.5", 5071), clock.now() + 480)
    assert again.lookup("a2") is None and again.lookup("a3") is None
    assert sorted(again.bindings) == ["a1"]
    clock.advance(481)
    assert again.lookup("a1") is None  # and it lapses at its expiry as before
    restarted.worker.shutdown()


def test_a_user_removed_from_the_configuration_is_not_restored(db_url: str, clock: Any, containers: Any) -> None:
    before = Registrar("blendcc", USERS, clock=clock.now, store=containers(db_url, clock).phone_bindings)
    assert _register(before, "a2", 5072, 600).status == 200
    reg = Registrar("blendcc", {"a1": "pw-a1"}, clock=clock.now, store=containers(db_url, clock).phone_bindings)
    assert reg.lookup("a2") is None


def test_the_voice_stack_restores_registrations_from_the_database(db_url: str, clock: Any, tmp_path: Any) -> None:
    from blendcc.bootstrap import build_container
    from blendcc.bootstrap.voice import VoiceStack
    from blendcc.config import Settings

    settings = Settings(database_url=db_url, admin_password="stack-admin-pw", secret_key="k", sip_enabled=True,
                        sip_port=0, sip_users=USERS, recording_dir=str(tmp_path / "rec"),
                        prompts_dir=str(tmp_path / "prompts"))
    stacks = []
    try:
        for _ in range(2):  # serve, stop, serve again
            stacks.append(VoiceStack(build_container(settings, clock=clock, run_migrations=False), settings))
            if len(stacks) == 1:
                assert _register(stacks[0].registrar, "a1", 5071, 600).status == 200
        binding = stacks[1].registrar.lookup("a1")
        assert binding is not None and (binding.contact, binding.addr) == ("sip:a1@127.0.0.1:5071", ("10.0.0.5", 5071))
        assert [p["user"] for p in stacks[1].phones()] == ["a1"]
    finally:
        for s in stacks:
            s.close()
            s.container.store.engine.dispose()
