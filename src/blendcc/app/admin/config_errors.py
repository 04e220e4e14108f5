"""Configuration errors with a field path (``loc``) each, so an editor can show them at the field."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from pydantic import ValidationError

from blendcc.domain.errors import ValidationFailed

Loc = list[str | int]
_QUOTED = re.compile(r"'([^']*)'|\"([^\"]*)\"")


class InvalidDocument(ValidationFailed):
    """A document is refused; ``errors`` lists ``{"loc": [...], "msg": ...}`` (``loc`` [] = the whole document)."""

    def __init__(self, message: str, errors: Sequence[Mapping[str, Any]]) -> None:
        super().__init__(message)
        self.errors = [dict(e) for e in errors]


def from_pydantic(exc: ValidationError, prefix: str = "") -> InvalidDocument:
    errors = [{"loc": [p for p in err["loc"] if p != "body"], "msg": err["msg"]} for err in exc.errors()]
    message = "; ".join(f"{'.'.join(str(p) for p in e['loc']) or 'body'}: {e['msg']}" for e in errors)
    return InvalidDocument(f"{prefix}{message}", errors)


def from_message(message: str, body: Mapping[str, Any]) -> InvalidDocument:
    """A cross-document check's message ("queue q1: unknown calendar 'x'") placed at the field of ``body``
    holding the quoted value (a key of a mapping, e.g. a skill, or a value); [] if none holds it."""
    loc: Loc = []
    for m in _QUOTED.finditer(message):
        found = locate(body, m.group(1) if m.group(1) is not None else m.group(2))
        if found is not None:
            loc = found
            break
    return InvalidDocument(message, [{"loc": loc, "msg": message}])


def locate(value: Any, wanted: str, path: Loc | None = None) -> Loc | None:
    """The path of the first place ``wanted`` appears in a JSON-like value (as a string value or a key)."""
    here: Loc = path or []
    if isinstance(value, str):
        return here if value == wanted else None
    if isinstance(value, Mapping):
        for k, v in value.items():
            if k == wanted:
                return [*here, k]
            found = locate(v, wanted, [*here, k])
            if found is not None:
                return found
    elif isinstance(value, list | tuple):
        for i, v in enumerate(value):
            found = locate(v, wanted, [*here, i])
            if found is not None:
                return found
    return None
