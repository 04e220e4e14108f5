"""Server commands: serve, migrate, demo, user."""

from __future__ import annotations

import contextlib
import logging
import os
import secrets
import subprocess
import sys
import time
from typing import Annotated

import typer
from rich.markup import escape

from blendcc.cli.base import app, err, fail, out
from blendcc.cli.base import settings_or_exit as _settings
from blendcc.redaction import install as install_redaction
from blendcc.redaction import redact


@app.command()
def migrate(database_url: Annotated[str | None, typer.Option(help="SQLAlchemy URL")] = None) -> None:
    """Create or upgrade the database schema (Alembic)."""
    from blendcc.adapters.storage.migrate import migrate as run

    settings = _settings(database_url=database_url)
    try:
        run(settings.database_url)
    except Exception as exc:
        raise fail(f"migration failed: {exc}") from None  # fail() redacts a URL's password
    out.print(f"database at {escape(redact(settings.database_url))} is up to date", highlight=False)


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="bind address")] = None,
    port: Annotated[int | None, typer.Option(help="TCP port", min=1, max=65535)] = None,
    database_url: Annotated[str | None, typer.Option(help="SQLAlchemy URL")] = None,
    demo: Annotated[bool, typer.Option("--demo", help="seed a demo centre and run live demo traffic")] = False,
    demo_rate: Annotated[float, typer.Option(help="demo arrivals per minute", min=0.1, max=6000)] = 12.0,
) -> None:
    """Run the API server, WebSocket streams, the agent desktop and the console."""
    from blendcc.api.app import create_app
    from blendcc.bootstrap import build_container
    from blendcc.cli.serving import import_phase, run

    timer = import_phase()  # the start's phases, logged once the server listens (ADR 0059)

    settings = _settings(host=host, port=port, database_url=database_url)
    logging.basicConfig(level=settings.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    install_redaction()  # no log line (uvicorn's and the websockets library's included) carries a secret
    channels = None
    if demo:
        from blendcc.demo.providers import SMS_TOKEN_ENV, demo_channels
        from blendcc.demo.seed import DEMO_ADMIN_PASSWORD, seed_demo

        settings = settings.model_copy(update={"admin_password": settings.admin_password or DEMO_ADMIN_PASSWORD,
                                               # the demo's preview campaign dials through simulated telephony
                                               "telephony": "fake" if settings.telephony == "none"
                                               else settings.telephony})
        settings, channels = demo_channels(settings)  # demo mailbox, SMS number and their stand-in providers
        if not settings.sip_enabled:  # the SIP edge, so demo callers reach the desktop's browser phone
            settings = settings.model_copy(update={"sip_enabled": True, "sip_port": _udp_port(settings.sip_port)})
        if not settings.sip_tls_cert:  # SIP over TLS (and SRTP) for the demo: a self-signed certificate
            from blendcc.adapters.channels.sip.tlscert import self_signed

            cert, key = self_signed("sip-tls", settings.sip_public_host or settings.sip_host)
            settings = settings.model_copy(update={"sip_tls_cert": cert, "sip_tls_key": key})
    try:
        container = build_container(settings, startup=timer)
    except Exception as exc:
        if channels is not None:
            channels.stop()
        raise fail(f"cannot start: {exc}") from None
    for note in container.notes:
        err.print(f"[yellow]note:[/yellow] {note}")
    child: subprocess.Popen[bytes] | None = None
    if demo:
        seed_demo(container)
        local = {"0.0.0.0": "127.0.0.1", "::": "[::1]"}.get(settings.host, settings.host)
        url = f"http://{local}:{settings.port}"
        err.print(f"[green]demo centre ready[/green]: open {url}/  (supervisor: super / super); agent desktop "
                  f"{url}/desktop  (maria / maria, reza / reza); "
                  f"desk line sip:+442079460999@{local}:{settings.sip_port}")
        assert channels is not None
        env = os.environ.copy()
        if channels.sms_token is not None:
            env[SMS_TOKEN_ENV] = channels.sms_token  # never on the command line (ps shows it)
        child = subprocess.Popen([sys.executable, "-m", "blendcc.cli", "demo", "--url", url,
                                  "--rate", str(demo_rate), "--wait-for-server", "--parent-pid", str(os.getpid()),
                                  "--smtp-port", str(channels.smtp_port), "--sip-port", str(settings.sip_port)],
                                 env=env)
    try:
        # access_log off: request lines are noise here (and any token in them would be redacted anyway)
        api = create_app(container)
        api.state.demo = demo  # the demo pages (/demo/chat) are served only with --demo
        timer.mark("app")
        run(api, None if demo else timer, host=settings.host, port=settings.port,
            log_level=settings.log_level.lower(), access_log=False, ws_per_message_deflate=settings.ws_compression)
    finally:
        if child is not None:
            child.terminate()
            try:
                child.wait(5)
            except subprocess.TimeoutExpired:
                child.kill()
        if channels is not None:
            channels.stop()


@app.command()
def demo(
    url: Annotated[str, typer.Option(help="server base URL")] = "http://127.0.0.1:8000",
    rate: Annotated[float, typer.Option(help="arrivals per minute", min=0.1, max=6000)] = 12.0,
    duration: Annotated[float, typer.Option(help="seconds to run (0: until stopped)", min=0)] = 0.0,
    wait_for_server: Annotated[bool, typer.Option("--wait-for-server")] = False,
    seed: Annotated[int, typer.Option(help="random seed")] = 1,
    parent_pid: Annotated[int | None, typer.Option(hidden=True, help="stop when this process dies")] = None,
    smtp_port: Annotated[int | None, typer.Option(help="send demo emails to the server's SMTP listener on this "
                                                  "port (else over the API)", min=1, max=65535)] = None,
    sip_port: Annotated[int | None, typer.Option(help="phone the server's desk line over SIP on this port (UDP, "
                                                 "same host as --url)", min=1, max=65535)] = None,
) -> None:
    """Live demo traffic: customers arrive through the API, scripted agents answer over WebSocket."""
    from blendcc.demo.traffic import run_demo

    if parent_pid is not None:  # started by `serve --demo`: never outlive the server (even after kill -9)
        from blendcc.cli.lifeline import die_with_parent

        die_with_parent(parent_pid)

    if wait_for_server:
        _wait(url)
    with contextlib.suppress(KeyboardInterrupt):
        run_demo(url, rate_per_min=rate, duration_s=duration, seed=seed, smtp_port=smtp_port, sip_port=sip_port,
                 sms_token=os.environ.get("BLENDCC_DEMO_SMS_TOKEN"))


def _wait(url: str, timeout: float = 30.0) -> None:
    import httpx

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(url + "/health", timeout=1.0).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    err.print(f"[red]error:[/red] server at {url} did not answer within {timeout:.0f} s")
    raise typer.Exit(2)


@app.command()
def user(
    username: str,
    password: Annotated[str, typer.Option(prompt=True, hide_input=True)],
    role: Annotated[str, typer.Option(help="agent, supervisor or admin")] = "agent",
    agent_id: Annotated[str | None, typer.Option(help="agent id for agent users")] = None,
    database_url: Annotated[str | None, typer.Option(help="SQLAlchemy URL")] = None,
) -> None:
    """Create or replace a user (safe while a server runs: it touches only the users table)."""
    from blendcc.adapters.storage.engine import make_engine
    from blendcc.adapters.storage.migrate import migrate as run_migrations
    from blendcc.adapters.storage.sql_repos import SqlConfigRepository, SqlMeta, SqlUserRepository
    from blendcc.app.admin.auth import AuthService
    from blendcc.domain.errors import DomainError

    settings = _settings(database_url=database_url)
    try:
        run_migrations(settings.database_url)
        db = make_engine(settings.database_url)
        if agent_id is not None and SqlConfigRepository(db).get("agents", agent_id) is None:
            err.print(f"[red]error:[/red] agent {agent_id} is not configured")
            raise typer.Exit(2)
        secret = settings.secret_key or SqlMeta(db).setdefault_meta("secret_key", secrets.token_urlsafe(32))
        from blendcc.adapters.clock import SystemClock
        from blendcc.adapters.storage.auth_repos import SqlAuditLog, SqlSessionRepository
        from blendcc.app.admin.audit import Auditor

        clock = SystemClock()
        AuthService(SqlUserRepository(db), secret, settings.token_ttl_s, clock=clock,
                    sessions=SqlSessionRepository(db), audit=Auditor(SqlAuditLog(db), clock),
                    password_min_length=settings.password_min_length).set_user(username, password, role, agent_id,
                                                                                actor="cli")
    except DomainError as exc:
        err.print(f"[red]error:[/red] {exc.message}")
        raise typer.Exit(2) from None
    except typer.Exit:
        raise
    except Exception as exc:
        raise fail(f"cannot save the user: {exc}") from None
    out.print(f"user {username} ({role}) saved")


def _udp_port(preferred: int) -> int:
    """``preferred`` when it is free for UDP on this host, else a free port."""
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        try:
            sock.bind(("127.0.0.1", preferred))
        except OSError:
            sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port
