"""Reading JSON columns so that no stored row can break a read: unpaired surrogates become U+FFFD and
non-finite numbers become null (rows written before the edge refused them, or by other writers)."""

from __future__ import annotations

import json
import math
import re
from typing import Any

_SURROGATE = re.compile("[\ud800-\udfff]")
#: Text that may decode to something unwritable: a \\uD800-\\uDFFF escape, NaN or Infinity.
_SUSPECT = re.compile(r"\\u[dD][89a-fA-F]|NaN|Infinity")


def repair(value: Any) -> Any:
    """``value`` with every string (keys included) free of unpaired surrogates and every float finite."""
    if isinstance(value, str):
        return _SURROGATE.sub("\ufffd", value)
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {repair(k): repair(v) for k, v in value.items()}
    if isinstance(value, list):
        return [repair(v) for v in value]
    return value


def loads(text: str | bytes) -> Any:
    """``json.loads`` for the engine's ``json_deserializer``; repairs only the (rare) suspect documents."""
    value = json.loads(text)
    raw = text.decode("utf-8", "replace") if isinstance(text, bytes) else text
    return repair(value) if _SUSPECT.search(raw) else value
