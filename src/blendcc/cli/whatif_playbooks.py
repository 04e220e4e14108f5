"""``blendcc whatif --playbook ID|FILE``: the crisis playbooks to run in the surge, from a YAML or JSON file (a
playbook document, as ``PUT /api/crisis/playbooks/{id}`` takes; its id from the file name when it has none) or
by id from the configuration store (``--database-url``)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from blendcc.cli.base import fail
from blendcc.cli.base import settings_or_exit as _settings

if TYPE_CHECKING:
    from blendcc.crisis.playbook import Playbook

PLAYBOOK_KIND = "crisis_playbooks"


def _validate(doc: Any, where: str, default_id: str) -> Playbook:
    from pydantic import ValidationError

    from blendcc.crisis.playbook import Playbook

    if not isinstance(doc, dict):
        raise fail(f"{where}: a playbook is a mapping (id, triggers, actions, notify)")
    try:
        return Playbook.model_validate({"id": default_id, **doc})
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = ".".join(str(x) for x in first["loc"])
        raise fail(f"{where}: {loc}: {first['msg']}") from None


def _from_file(path: Path) -> Playbook:
    import re

    import yaml

    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError) as exc:
        raise fail(f"cannot read playbook {path}: {exc}") from None
    except yaml.YAMLError as exc:
        raise fail(f"{path.name}: not YAML or JSON: {str(exc).splitlines()[0]}") from None
    return _validate(doc, path.name, re.sub(r"[^A-Za-z0-9_.\-]", "-", path.stem)[:64] or "playbook")


def _from_store(ids: list[str], database_url: str | None) -> list[Playbook]:
    from blendcc.adapters.storage.engine import make_engine
    from blendcc.adapters.storage.sql_repos import SqlConfigRepository

    settings = _settings(database_url=database_url)
    try:
        engine = make_engine(settings.database_url)
        repo = SqlConfigRepository(engine)
        docs = {i: repo.get(PLAYBOOK_KIND, i) for i in ids}
    except Exception as exc:
        raise fail(f"cannot read playbooks from the database: {exc}") from None
    out = []
    for i, doc in docs.items():
        if doc is None or doc.deleted:
            raise fail(f"--playbook {i}: no such file, and no playbook {i!r} in the configuration store")
        out.append(_validate(dict(doc.body), f"playbook {i}", i))
    return out


def load_playbooks(refs: list[str] | None, database_url: str | None) -> list[Playbook]:
    """Each ``--playbook``: a file if one exists at that path, else a stored playbook's id."""
    if not refs:
        return []
    files = [_from_file(Path(r)) for r in refs if Path(r).is_file()]
    ids = [r for r in refs if not Path(r).is_file()]
    stored = _from_store(ids, database_url) if ids else []
    return files + stored
