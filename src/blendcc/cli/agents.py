"""``blendcc agents temp``: onboard a batch of temporary agents from a CSV roster, list batches, remove one; through
the running server's API (``--url``), the single writer of the configuration."""

from __future__ import annotations

import csv
import os
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from blendcc.cli.base import app, err, fail, out
from blendcc.cli.dialer import PwOpt, UrlOpt, UserOpt, _api, _is_json

agents_app = typer.Typer(no_args_is_help=True, help="Agents: temporary batches")
temp_app = typer.Typer(no_args_is_help=True, help="Temporary agents: onboard from a CSV roster, list, remove")
app.add_typer(agents_app, name="agents")
agents_app.add_typer(temp_app, name="temp")

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([mhd])\s*$")
_UNIT = {"m": 60, "h": 3600, "d": 86400}


def parse_expires(text: str, now: float) -> float:
    """``8h``, ``90m``, ``3d`` (from now) or an ISO 8601 time (UTC unless it names its offset) -> epoch seconds."""
    m = _DURATION.match(text)
    if m is not None:
        return now + float(m.group(1)) * _UNIT[m.group(2)]
    try:
        at = datetime.fromisoformat(text.strip())
    except ValueError:
        raise fail(f"--expires: {text!r} is neither a duration (8h, 90m, 3d) nor an ISO time "
                   "(2026-12-08T18:00, UTC unless an offset is given)") from None
    if at.tzinfo is None:
        at = at.replace(tzinfo=UTC)
    return at.timestamp()


def _request(client: Any, method: str, path: str, **kw: Any) -> Any:
    import httpx

    try:
        r = client.request(method, path, **kw)
    except httpx.HTTPError as exc:
        raise fail(f"request failed: {exc}") from None
    if r.status_code >= 400:
        body = r.json() if _is_json(r) else {"detail": r.text}
        errors = body.get("errors") or []
        for e in errors:
            err.print(f"  {escape(str(e.get('msg')))}", highlight=False)
        raise fail(f"{len(errors)} problem(s) in the roster; nothing was created" if errors
                   else str(body.get("detail", r.text)))
    return r.json()


def _when(at: float | None) -> str:
    return "" if at is None else datetime.fromtimestamp(at, UTC).strftime("%Y-%m-%d %H:%M UTC")


@temp_app.command("import")
def import_batch(
    file: Annotated[Path, typer.Argument(help="CSV roster: name, login (or email), skills (billing:3;french:2), "
                                              "team, queues (optional)")],
    expires: Annotated[str, typer.Option("--expires", help="when the logins stop: 8h, 3d or an ISO time (UTC)")],
    name: Annotated[str | None, typer.Option(help="the batch's name (default: the file's name)")] = None,
    crisis: Annotated[str | None, typer.Option("--crisis", help="the crisis the batch helps with")] = None,
    credentials: Annotated[Path | None, typer.Option("--credentials", help="write the initial passwords to this "
                                                     "CSV file (owner-only) instead of printing them")] = None,
    url: UrlOpt = "http://127.0.0.1:8000", username: UserOpt = "admin", password: PwOpt = None,
) -> None:
    """Onboard every agent of the roster or none; the initial passwords are shown (or written) this once."""
    import time

    try:
        text = file.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise fail(f"cannot read {file}: {exc}") from None
    expires_at = parse_expires(expires, time.time())
    body = {"name": name or file.stem, "expires_at": expires_at, "csv": text}
    if crisis:
        body["crisis_id"] = crisis
    client = _api(url, username, password)
    made = _request(client, "POST", "/api/temp-agents/batches", json=body)
    batch = made["batch"]
    out.print(f"batch {batch['id']} ({escape(batch['name'])}): {batch['count']} agents, logins until "
              f"{_when(batch['expires_at'])}", highlight=False)
    if credentials is not None:
        fd = os.open(credentials, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", newline="", encoding="utf-8") as f:
            w = csv.writer(f)
            w.writerow(["username", "agent_id", "password"])
            for c in made["credentials"]:
                w.writerow([c["username"], c["agent_id"], c["password"]])
        out.print(f"initial passwords written to {escape(str(credentials))}", highlight=False)
        return
    table = Table("username", "agent", "initial password", title="shown once")
    for c in made["credentials"]:
        table.add_row(escape(c["username"]), c["agent_id"], c["password"])
    out.print(table)


@temp_app.command("list")
def list_batches(url: UrlOpt = "http://127.0.0.1:8000", username: UserOpt = "admin", password: PwOpt = None) -> None:
    """Every batch with its state (active, expired, removed) and expiry."""
    batches = _request(_api(url, username, password), "GET", "/api/temp-agents/batches")
    table = Table("batch", "name", "agents", "state", "expires", "created by")
    for b in batches:
        table.add_row(b["id"], escape(b["name"]), str(b["count"]), b["state"], _when(b["expires_at"]),
                      escape(b["created_by"]))
    out.print(table)


@temp_app.command("remove")
def remove_batch(batch: Annotated[str, typer.Argument(help="the batch id (blendcc agents temp list)")],
                 url: UrlOpt = "http://127.0.0.1:8000", username: UserOpt = "admin", password: PwOpt = None) -> None:
    """In one step: log the batch's agents out, disable their logins, delete their agent documents."""
    if not re.fullmatch(r"[A-Za-z0-9_.\-]{1,64}", batch):
        raise fail(f"{batch!r} is not a batch id")
    done = _request(_api(url, username, password), "DELETE", f"/api/temp-agents/batches/{batch}")
    out.print(f"batch {done['id']} removed: {done['count']} agents logged out, logins disabled", highlight=False)
