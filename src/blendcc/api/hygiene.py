"""Input hygiene at the edge: JSON bodies, paths and query strings must be valid Unicode without NUL,
surrogates or non-finite numbers; each refusal names the field (docs/security.md, "Input validation")."""

from __future__ import annotations

import json
import math
import re
from typing import Any
from urllib.parse import unquote_to_bytes

#: JSON nesting deeper than this is refused before the parser can recurse into it.
MAX_JSON_DEPTH = 64

_SURROGATE = re.compile("[\ud800-\udfff]")


class Refused(ValueError):
    """The request breaks an input rule; ``str(exc)`` names the field and the rule."""


def check_text(value: str, where: str) -> None:
    """Refuse NUL characters (PostgreSQL cannot store them) and unpaired UTF-16 surrogates (not Unicode
    scalar values: no encoder can write them, so a stored one would break every read of its row)."""
    if "\x00" in value:
        raise Refused(f"{where}: NUL characters (\\u0000) are not allowed")
    if _SURROGATE.search(value):
        raise Refused(f"{where}: invalid Unicode (an unpaired surrogate such as \\ud800) is not allowed")


def _name(path: list[str | int]) -> str:
    return ".".join(_printable(p) if isinstance(p, str) else str(p) for p in path) or "body"


def check_json_body(body: bytes) -> None:
    """Refuse a JSON body that is not UTF-8, nests deeper than :data:`MAX_JSON_DEPTH`, holds NaN,
    Infinity or a number beyond float range (1e400), or a string (key or value, at any depth) with NUL
    or an unpaired surrogate. A body that is not JSON at all is left to the route (which answers 422)."""
    try:
        raw = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise Refused(f"body: the JSON body is not valid UTF-8 (byte {exc.start})") from None
    try:
        value = json.loads(raw)  # NaN, Infinity and 1e400 come out as non-finite floats, refused below
    except RecursionError:
        raise Refused(f"body: JSON nested deeper than {MAX_JSON_DEPTH} levels") from None
    except ValueError:
        return  # not JSON: the route's own parser answers with its message
    _walk(value)


def _walk(value: Any) -> None:
    stack: list[tuple[list[str | int], Any]] = [([], value)]
    while stack:
        path, item = stack.pop()
        if len(path) > MAX_JSON_DEPTH:
            raise Refused(f"{_name(path[:MAX_JSON_DEPTH])}: JSON nested deeper than {MAX_JSON_DEPTH} levels")
        if isinstance(item, str):
            check_text(item, _name(path))
        elif isinstance(item, float) and not math.isfinite(item):
            raise Refused(f"{_name(path)}: must be a finite number (NaN, Infinity and numbers beyond "
                          "1.8e308 are not allowed)")
        elif isinstance(item, dict):
            for k, v in item.items():
                check_text(k, _name([*path, k]) + " (a key)")
                stack.append(([*path, k], v))
        elif isinstance(item, list):
            stack.extend(([*path, i], v) for i, v in enumerate(item))


def _printable(key: str) -> str:
    """The key as it can be shown in a message: surrogates and NUL as escapes, at most 80 characters."""
    shown = key if len(key) <= 80 else key[:77] + "..."
    return _SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", shown).replace("\x00", "\\u0000")


def check_target(raw_path: bytes, query: bytes) -> None:
    """Refuse a path or query string whose percent-decoded bytes are not UTF-8, or hold NUL or surrogates."""
    for where, raw in (("path", raw_path), ("query", query)):
        if not raw:
            continue
        try:
            text = unquote_to_bytes(raw.replace(b"+", b" ") if where == "query" else raw).decode("utf-8")
        except UnicodeDecodeError:
            raise Refused(f"{where}: not valid UTF-8 after percent-decoding") from None
        check_text(text, where)
