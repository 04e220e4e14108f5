"""``blendcc campaign ...`` and ``blendcc dnc ...``: outbound campaigns, contact lists, DNC lists, figures.

List and DNC imports, record listings and stats work on the database directly (they touch only the
dialer tables, so they are safe while a server runs). Changes the running server must see at once
(campaign documents, start/pause/stop) go through its API (``--url``), the single writer.
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.table import Table

from blendcc.cli.base import app, fail, out
from blendcc.cli.base import settings_or_exit as _settings

campaign_app = typer.Typer(no_args_is_help=True, help="Outbound campaigns: documents, lists, start/stop, figures")
dnc_app = typer.Typer(no_args_is_help=True, help="Do-not-call lists (global or per campaign)")
app.add_typer(campaign_app, name="campaign")
app.add_typer(dnc_app, name="dnc")

T = TypeVar("T")
DbOpt = Annotated[str | None, typer.Option("--database-url", help="SQLAlchemy URL (default: BLENDCC_DATABASE_URL)")]
UrlOpt = Annotated[str, typer.Option("--url", help="the running blendcc server")]
UserOpt = Annotated[str, typer.Option("--username", help="user for the API (supervisor or admin)")]
PwOpt = Annotated[str | None, typer.Option("--password", envvar="BLENDCC_PASSWORD",
                                           help="password (or BLENDCC_PASSWORD; prompted if missing)")]
CampaignOpt = Annotated[str | None, typer.Option("--campaign", help="a campaign's list (default: the global list)")]
RegionOpt = Annotated[str | None, typer.Option("--region", help="ISO region for national numbers (e.g. US, GB)")]
JsonOpt = Annotated[bool, typer.Option("--json", help="print JSON instead of a table")]


@contextmanager
def _db(database_url: str | None) -> Iterator[Any]:
    from blendcc.adapters.storage.engine import make_engine
    from blendcc.adapters.storage.migrate import migrate

    settings = _settings(database_url=database_url)
    try:
        migrate(settings.database_url)
        engine = make_engine(settings.database_url)
    except Exception as exc:
        raise fail(f"cannot open the database: {exc}") from None
    try:
        yield engine
    finally:
        engine.dispose()


def _run(fn: Callable[[], T]) -> T:
    from blendcc.domain.errors import DomainError

    try:
        return fn()
    except DomainError as exc:
        raise fail(exc.message) from None
    except OSError as exc:
        raise fail(str(exc)) from None


def _campaign(engine: Any, campaign_id: str) -> Any:
    from blendcc.adapters.storage.sql_repos import SqlConfigRepository
    from blendcc.dialer.campaign import CampaignConfig

    doc = SqlConfigRepository(engine).get("campaigns", campaign_id)
    if doc is None or doc.deleted:
        raise fail(f"campaign {campaign_id!r} does not exist (create it with 'blendcc campaign put FILE')")
    return CampaignConfig.model_validate(dict(doc.body))


def _read(path: Path) -> str:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise fail(f"cannot read {path}: {exc.strerror}") from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _pct(v: float | None) -> str:
    return "-" if v is None else f"{v * 100:.2f}%"


# ---------------------------------------------------------------------- via the database


@campaign_app.command("import-list")
def import_list(campaign_id: str, file: Path, region: RegionOpt = None, database_url: DbOpt = None,
                as_json: JsonOpt = False) -> None:
    """Import a CSV contact list; bad rows are listed with line numbers, good rows are kept."""
    from blendcc.adapters.clock import SystemClock
    from blendcc.adapters.storage.dialer_repo import SqlDialerRepository
    from blendcc.app.outbound.campaigns import import_list as run_import

    text = _read(file)
    with _db(database_url) as engine:
        campaign = _campaign(engine, campaign_id)
        report = _run(lambda: run_import(SqlDialerRepository(engine), campaign, text, file.name, region,
                                         SystemClock().now(), uuid.uuid4().hex[:16]))
    if as_json:
        out.print_json(json.dumps(report.to_dict()))
        return
    out.print(f"{file.name}: {report.total} rows, {report.accepted} imported, {report.duplicates} already in the "
              f"campaign, {report.rejected} refused")
    for line, reason in report.errors[:50]:
        out.print(f"  line {line}: {reason}")
    if len(report.errors) > 50:
        out.print(f"  ... {len(report.errors) - 50} more (use --json for all)")


@campaign_app.command("records")
def records(campaign_id: str, state: Annotated[str | None, typer.Option(help="only this state")] = None,
            limit: Annotated[int, typer.Option(min=1, max=100_000)] = 50, database_url: DbOpt = None) -> None:
    """List a campaign's records (state, attempts, next attempt)."""
    from blendcc.adapters.storage.dialer_repo import SqlDialerRepository
    from blendcc.dialer.records import STATES

    if state is not None and state not in STATES:
        raise fail(f"unknown state {state!r}; use one of {', '.join(STATES)}")
    with _db(database_url) as engine:
        repo = SqlDialerRepository(engine)
        rows = repo.records(campaign_id, states=None if state is None else [state], limit=limit)
        counts = repo.record_counts(campaign_id)
    table = Table("record", "phone", "tz", "state", "attempts", "next attempt (UTC epoch)", "last outcome", "reason")
    for r in rows:
        table.add_row(r.record_id, r.phone, r.tz, r.state, str(r.attempts),
                      "-" if r.next_attempt_at is None else f"{r.next_attempt_at:.0f}", r.last_outcome or "-",
                      r.final_reason or "-")
    out.print(table)
    out.print(", ".join(f"{k}: {v}" for k, v in sorted(counts.items())) or "no records")


@campaign_app.command("export")
def export(campaign_id: str, out_path: Annotated[Path | None, typer.Option("--out", help="CSV file (default: stdout)")]
           = None, database_url: DbOpt = None) -> None:
    """Every record of a campaign as CSV: state, attempts, last outcome, why done, the list's columns."""
    from blendcc.adapters.storage.dialer_repo import SqlDialerRepository
    from blendcc.dialer.records import records_csv

    with _db(database_url) as engine:
        text = records_csv(SqlDialerRepository(engine).records(campaign_id))
    if out_path is None:
        typer.echo(text, nl=False)
        return
    try:
        out_path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise fail(f"cannot write {out_path}: {exc.strerror}") from None
    out.print(f"{text.count(chr(10)) - 1} records written to {out_path}")


@campaign_app.command("stats")
def stats(campaign_id: str, hours: Annotated[float, typer.Option(min=0.01, help="period ending now")] = 24.0,
          database_url: DbOpt = None, as_json: JsonOpt = False) -> None:
    """Campaign figures over the last HOURS and its abandonment over 24 hours and 30 days."""
    from blendcc.adapters.clock import SystemClock
    from blendcc.adapters.storage.dialer_repo import SqlDialerRepository
    from blendcc.adapters.storage.sql_store import SqlStore
    from blendcc.app.outbound.campaigns import build_report

    now = SystemClock().now()
    with _db(database_url) as engine:
        campaign = _campaign(engine, campaign_id)
        repo = SqlDialerRepository(engine)
        report = _run(lambda: build_report(campaign, repo, SqlStore(engine), repo.events, now, now - hours * 3600))
    d = report.to_dict()
    if as_json:
        out.print_json(json.dumps(d))
        return
    table = Table("figure", "value", title=f"campaign {campaign_id} ({campaign.mode}), last {hours:g} h")
    rows: list[tuple[str, str]] = [
        ("attempts", str(d["attempts"])), ("connected", str(d["connected"])),
        ("connect rate", _pct(d["connect_rate"])), ("live answers", str(d["live_answers"])),
        ("abandoned", str(d["abandoned"])), ("abandonment (period)", _pct(d["abandon_rate"])),
        ("abandonment 24 h", _pct(d["abandon_rate_24h"])), ("abandonment 30 d", _pct(d["abandon_rate_30d"])),
        (f"regulatory ({campaign.regulatory_mode}, cap {campaign.abandon_cap:.0%})", _pct(d["regulatory_rate"])),
        ("talk min / agent hour", "-" if d["talk_min_per_agent_hour"] is None
         else f"{d['talk_min_per_agent_hour']:.1f}"),
        ("penetration", _pct(d["penetration"])), ("records", str(d["records"])),
        ("calls outside window", str(d["calls_outside_window"])), ("DNC hits", str(d["dnc_hits"])),
    ]
    rows += [(f"outcome {k}", str(v)) for k, v in sorted(d["outcomes"].items())]
    for name, value in rows:
        table.add_row(name, value)
    out.print(table)


@campaign_app.command("list")
def list_campaigns(database_url: DbOpt = None) -> None:
    """Campaigns, their mode, agent pool, state and record counts."""
    from blendcc.adapters.storage.dialer_repo import SqlDialerRepository
    from blendcc.adapters.storage.sql_repos import SqlConfigRepository

    with _db(database_url) as engine:
        docs = SqlConfigRepository(engine).list("campaigns")
        repo = SqlDialerRepository(engine)
        states = repo.campaign_states()
        table = Table("campaign", "name", "mode", "queue", "state", "records")
        for doc in docs:
            counts = repo.record_counts(doc.id)
            table.add_row(doc.id, str(doc.body.get("name", "")), str(doc.body.get("mode")),
                          str(doc.body.get("queue_id")), states.get(doc.id, ("stopped", None, 0.0))[0],
                          str(sum(counts.values())))
    out.print(table)


@dnc_app.command("import")
def dnc_import(file: Path, campaign: CampaignOpt = None, region: RegionOpt = None,
               reason: Annotated[str, typer.Option(help="reason stored with each number")] = "",
               database_url: DbOpt = None) -> None:
    """Add a file of numbers (one per line, or CSV with a 'phone' column) to a DNC list."""
    from blendcc.adapters.clock import SystemClock
    from blendcc.adapters.storage.dialer_repo import SqlDialerRepository
    from blendcc.dialer.dnc import GLOBAL, parse_dnc

    text = _read(file)
    if "\x00" in text:
        raise fail(f"{file} contains NUL characters; is it a text file?")
    with _db(database_url) as engine:
        scope, default_region = GLOBAL, (region or "US").upper()
        if campaign is not None:
            doc = _campaign(engine, campaign)
            scope, default_region = doc.id, (region or doc.default_region).upper()
        parsed = parse_dnc(text, scope, default_region, SystemClock().now(), reason)
        added = SqlDialerRepository(engine).add_dnc(list(parsed.entries))
    name = "global" if scope == GLOBAL else f"campaign {scope}"
    out.print(f"{file.name}: {added} added to the {name} DNC list, {len(parsed.entries) - added} already listed, "
              f"{parsed.duplicates} repeated in the file, {len(parsed.errors)} refused")
    for line, why in parsed.errors[:50]:
        out.print(f"  line {line}: {why}")


@dnc_app.command("add")
def dnc_add(phone: str, campaign: CampaignOpt = None, region: RegionOpt = None,
            reason: Annotated[str, typer.Option()] = "", database_url: DbOpt = None) -> None:
    """Put one number on a DNC list."""
    from blendcc.adapters.clock import SystemClock
    from blendcc.adapters.storage.dialer_repo import SqlDialerRepository
    from blendcc.dialer.dnc import GLOBAL, DncEntry, normalise

    with _db(database_url) as engine:
        doc = None if campaign is None else _campaign(engine, campaign)
        scope = GLOBAL if doc is None else doc.id
        e164 = normalise(phone, (region or ("US" if doc is None else doc.default_region)).upper())
        if e164 is None:
            raise fail(f"not a valid phone number: {phone!r}")
        added = SqlDialerRepository(engine).add_dnc([DncEntry(scope=scope, phone=e164, reason=reason,
                                                              added_at=SystemClock().now())])
    out.print(f"{e164} {'added' if added else 'was already'} on the {'global' if scope == GLOBAL else scope} list")


@dnc_app.command("remove")
def dnc_remove(phone: str, campaign: CampaignOpt = None, region: RegionOpt = None, database_url: DbOpt = None) -> None:
    """Take one number off a DNC list."""
    from blendcc.adapters.storage.dialer_repo import SqlDialerRepository
    from blendcc.dialer.dnc import GLOBAL, normalise

    e164 = normalise(phone, (region or "US").upper()) or phone
    scope = GLOBAL if campaign is None else campaign
    with _db(database_url) as engine:
        if not SqlDialerRepository(engine).remove_dnc(scope, e164):
            raise fail(f"{e164} is not on the {'global' if scope == GLOBAL else scope} DNC list")
    out.print(f"{e164} removed")


@dnc_app.command("list")
def dnc_list(campaign: CampaignOpt = None, limit: Annotated[int, typer.Option(min=1)] = 100,
             database_url: DbOpt = None) -> None:
    """Numbers on a DNC list."""
    from blendcc.adapters.storage.dialer_repo import SqlDialerRepository
    from blendcc.dialer.dnc import GLOBAL

    with _db(database_url) as engine:
        entries = SqlDialerRepository(engine).dnc_entries(GLOBAL if campaign is None else campaign, limit)
    table = Table("phone", "reason", "added (UTC epoch)")
    for e in entries:
        table.add_row(e.phone, e.reason or "-", f"{e.added_at:.0f}")
    out.print(table)


# ---------------------------------------------------------------------- via the server's API


def _api(url: str, username: str, password: str | None) -> Any:
    import httpx

    password = password if password is not None else os.environ.get("BLENDCC_PASSWORD")
    if password is None:
        password = typer.prompt(f"password for {username}", hide_input=True)
    client = httpx.Client(base_url=url.rstrip("/"), timeout=30.0)
    try:
        r = client.post("/api/auth/token", json={"username": username, "password": password})
    except httpx.HTTPError as exc:
        raise fail(f"cannot reach the server at {url}: {exc}") from None
    if r.status_code != 200:
        raise fail(f"login refused: {r.json().get('detail', r.text) if _is_json(r) else r.text}")
    client.headers["Authorization"] = f"Bearer {r.json()['access_token']}"
    return client


def _is_json(r: Any) -> bool:
    return str(r.headers.get("content-type", "")).startswith("application/json")


def _call(client: Any, method: str, path: str, **kw: Any) -> Any:
    import httpx

    try:
        r = client.request(method, path, **kw)
    except httpx.HTTPError as exc:
        raise fail(f"request failed: {exc}") from None
    if r.status_code >= 400:
        raise fail(r.json().get("detail", r.text) if _is_json(r) else r.text)
    return r.json()


@campaign_app.command("put")
def put(file: Annotated[Path, typer.Argument(help="campaign document, YAML or JSON, with its 'id'")],
        url: UrlOpt = "http://127.0.0.1:8000", username: UserOpt = "admin", password: PwOpt = None) -> None:
    """Create or replace a campaign on the running server (admin)."""
    import yaml

    try:
        body = yaml.safe_load(_read(file))
    except yaml.YAMLError as exc:
        raise fail(f"{file} is not valid YAML/JSON: {exc}") from None
    if not isinstance(body, dict) or not isinstance(body.get("id"), str):
        raise fail(f"{file} must be a mapping with an 'id'")
    client = _api(url, username, password)
    result = _call(client, "PUT", f"/api/campaigns/{body['id']}", json=body)
    out.print(f"campaign {body['id']} saved (version {result['version']})")


def _change(action: str, campaign_id: str, reason: str | None, url: str, username: str, password: str | None) -> None:
    client = _api(url, username, password)
    result = _call(client, "POST", f"/api/campaigns/{campaign_id}/{action}",
                   json={"reason": reason} if reason else None)
    out.print(f"campaign {campaign_id} is {result['state']}")


ReasonOpt = Annotated[str | None, typer.Option(help="why (kept in the event log)")]


@campaign_app.command("start")
def start(campaign_id: str, reason: ReasonOpt = None, url: UrlOpt = "http://127.0.0.1:8000",
          username: UserOpt = "admin", password: PwOpt = None) -> None:
    """Start (or resume) dialing a campaign on the running server."""
    _change("start", campaign_id, reason, url, username, password)


@campaign_app.command("pause")
def pause(campaign_id: str, reason: ReasonOpt = None, url: UrlOpt = "http://127.0.0.1:8000",
          username: UserOpt = "admin", password: PwOpt = None) -> None:
    """Pause a running campaign."""
    _change("pause", campaign_id, reason, url, username, password)


@campaign_app.command("stop")
def stop(campaign_id: str, reason: ReasonOpt = None, url: UrlOpt = "http://127.0.0.1:8000",
         username: UserOpt = "admin", password: PwOpt = None) -> None:
    """Stop a campaign."""
    _change("stop", campaign_id, reason, url, username, password)
