"""Size limits of free-form request data (contact attributes, customer fields, IVR choices) as pydantic
types; every refusal is a 422 naming the field (docs/security.md, "Limits")."""

from __future__ import annotations

import json
import math
from typing import Annotated, Any

from pydantic import AfterValidator, Field

#: Keys of one attributes/fields object, at most.
MAX_KEYS = 100
#: Characters of one key, at most.
MAX_KEY_CHARS = 64
#: Serialized size (JSON, UTF-8 bytes) of one value, at most.
MAX_VALUE_BYTES = 4 * 1024
#: Serialized size of the whole object, at most (it is copied into every event of a contact).
MAX_TOTAL_BYTES = 16 * 1024
#: Nesting of one value (objects and lists inside objects), at most.
MAX_VALUE_DEPTH = 4


def _depth(value: Any) -> int:
    if isinstance(value, dict):
        return 1 + max((_depth(v) for v in value.values()), default=0)
    if isinstance(value, list):
        return 1 + max((_depth(v) for v in value), default=0)
    return 0


def _first_non_finite(value: Any, path: str) -> str | None:
    if isinstance(value, float) and not math.isfinite(value):
        return path
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for k, v in items:
        found = _first_non_finite(v, f"{path}.{k}")
        if found is not None:
            return found
    return None


def _bad_text(*values: Any) -> str | None:
    """What is wrong with the first string (key or value, at any depth) holding NUL or a surrogate."""
    stack = list(values)
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if "\x00" in item:
                return "NUL characters (\\u0000) are not allowed"
            if any("\ud800" <= ch <= "\udfff" for ch in item):
                return "invalid Unicode (an unpaired surrogate) is not allowed"
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return None


def check_free_form(value: dict[str, Any]) -> dict[str, Any]:
    """Refuse an object with too many keys, long keys, big or deep values, or a big total size."""
    if len(value) > MAX_KEYS:
        raise ValueError(f"at most {MAX_KEYS} keys (got {len(value)})")
    for key, item in value.items():
        if not key or len(key) > MAX_KEY_CHARS:
            raise ValueError(f"key {key[:MAX_KEY_CHARS]!a}...: keys have 1 to {MAX_KEY_CHARS} characters"
                             if key else "keys must not be empty")
        if _depth(item) > MAX_VALUE_DEPTH:
            raise ValueError(f"{key}: nested deeper than {MAX_VALUE_DEPTH} levels")
        bad = _first_non_finite(item, key)
        if bad is not None:
            raise ValueError(f"{bad} must be a finite number (NaN and Infinity are not allowed)")
        problem = _bad_text(key, item)
        if problem is not None:
            raise ValueError(f"{ascii(key)[1:-1]}: {problem}")
        size = len(json.dumps(item, ensure_ascii=False).encode("utf-8"))
        if size > MAX_VALUE_BYTES:
            raise ValueError(f"{key}: the value takes {size:,} bytes; at most {MAX_VALUE_BYTES:,}")
    total = len(json.dumps(value, ensure_ascii=False).encode("utf-8"))
    if total > MAX_TOTAL_BYTES:
        raise ValueError(f"{total:,} bytes in all; at most {MAX_TOTAL_BYTES:,}")
    return value


#: Contact attributes and customer fields: JSON values under the limits above.
FreeForm = Annotated[dict[str, Any], AfterValidator(check_free_form)]
#: IVR choices: node id -> answer.
IvrChoices = Annotated[dict[Annotated[str, Field(min_length=1, max_length=MAX_KEY_CHARS)],
                            Annotated[str, Field(max_length=256)]], Field(max_length=MAX_KEYS)]
