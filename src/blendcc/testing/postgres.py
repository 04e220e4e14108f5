"""Throwaway PostgreSQL schemas for tests (URL from BLENDCC_TEST_PG_URL), created and dropped."""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import Callable, Iterator
from typing import NoReturn

from sqlalchemy import text
from sqlalchemy.engine import make_url

from blendcc.adapters.storage.engine import make_engine, normalise_url

DEFAULT_PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def test_pg_url() -> str:
    """The test server's base URL (``BLENDCC_TEST_PG_URL`` or the local default)."""
    return os.environ.get("BLENDCC_TEST_PG_URL", DEFAULT_PG_URL)


def url_with_schema(schema: str, base: str | None = None) -> str:
    """``base`` with ``search_path`` set to ``schema`` in the URL, for code that only takes a URL."""
    url = make_url(normalise_url(base or test_pg_url())).update_query_dict({"options": f"-csearch_path={schema}"})
    return url.render_as_string(hide_password=False)


@contextlib.contextmanager
def temporary_schema(prefix: str, fail: Callable[[str], NoReturn]) -> Iterator[tuple[str, str]]:
    """Create a fresh schema; yield (schema, URL selecting it); drop it (CASCADE) afterwards.

    PostgreSQL is required, never skipped: when it is unreachable ``fail`` is called with a message
    that says how to fix it (tests pass ``pytest.fail``).
    """
    base = test_pg_url()
    admin = make_engine(base)
    try:
        with admin.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as exc:
        admin.dispose()
        fail(f"PostgreSQL is required but not reachable at {base!r}: {exc}. Start it or set "
             "BLENDCC_TEST_PG_URL=postgresql+psycopg://user:pw@host:5432/db")
    schema = f"{prefix}_{uuid.uuid4().hex[:12]}"
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield schema, url_with_schema(schema, base)
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()
