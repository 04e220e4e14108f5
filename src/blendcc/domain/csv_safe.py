"""CSV formula-injection defence for every CSV the product writes (OWASP): a text cell that a spreadsheet
would read as a formula gets a leading apostrophe."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

#: First characters that make a spreadsheet evaluate a cell (OWASP "CSV Injection").
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
#: Plain numbers written as text (a phone number in E.164, a negative amount) are data, not formulas.
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


def safe_cell(value: Any) -> Any:
    """``value`` unchanged unless it is text starting with ``= + - @``, tab or CR (and not a plain
    number such as ``+48600100200`` or ``-12.5``): then ``'`` + value. Non-text values pass as they are."""
    if isinstance(value, str) and value.startswith(FORMULA_START) and not _NUMBER.fullmatch(value):
        return "'" + value
    return value


def safe_row(values: Iterable[Any]) -> list[Any]:
    """A row for ``csv.writer.writerow`` with every cell made safe."""
    return [safe_cell(v) for v in values]


def safe_dict(row: Mapping[str, Any]) -> dict[str, Any]:
    """A row for ``csv.DictWriter.writerow`` with every cell made safe (the header is written as given)."""
    return {k: safe_cell(v) for k, v in row.items()}
