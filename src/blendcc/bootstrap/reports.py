"""A read-only historical report runner on a database (file or URL), for commands that need no server."""

from __future__ import annotations

from pathlib import Path

from blendcc.adapters.clock import SystemClock
from blendcc.adapters.storage.engine import make_engine, normalise_url
from blendcc.adapters.storage.migrate import current_revision, head_revision
from blendcc.adapters.storage.sql_repos import SqlConfigRepository
from blendcc.adapters.storage.sql_store import SqlStore
from blendcc.app.admin.configuration import ConfigService
from blendcc.app.planning.adherence import ScheduleService
from blendcc.app.reporting.business_hours import queue_open_time
from blendcc.app.reporting.report_runner import ReportRunner
from blendcc.domain.errors import ValidationFailed


def database_url_of(target: str) -> str:
    """``target`` as a SQLAlchemy URL: a URL as given, anything else a SQLite file's path."""
    return target if "://" in target else f"sqlite:///{Path(target).expanduser().absolute()}"


def open_reports(target: str, timezone: str) -> ReportRunner:
    """The API's report runner on the database at ``target``, reading only: a missing SQLite file, a
    database blendcc never migrated or one behind this version is refused (ValidationFailed), never
    created or upgraded."""
    url = database_url_of(target)
    try:
        parsed = normalise_url(url)
    except Exception as exc:
        raise ValidationFailed(f"not a database URL or file: {exc}") from None
    if parsed.get_backend_name() == "sqlite":
        name = parsed.database or ""
        if name in ("", ":memory:") or not Path(name).is_file():
            raise ValidationFailed(f"no database file at {name or '(none given)'}")
    try:
        db = make_engine(parsed)
        have = current_revision(db)
    except Exception as exc:
        raise ValidationFailed(f"cannot open the database: {exc}") from None
    if have is None:
        raise ValidationFailed("the database holds no blendcc schema (run 'blendcc migrate' or import history)")
    if have != head_revision():
        raise ValidationFailed(f"the database's schema is at revision {have}, not this version's "
                               f"{head_revision()}: run 'blendcc migrate' first")
    clock = SystemClock()
    config = ConfigService(SqlConfigRepository(db), clock)
    store = SqlStore(db)
    return ReportRunner(store, timezone, config, None, queue_open_time(lambda: config.catalog), clock.now,
                        ScheduleService(config, store, clock))
