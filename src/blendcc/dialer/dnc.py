"""Do-not-call lists: global and per-campaign entries, phone normalisation to E.164, list import."""

from __future__ import annotations

import csv
import io
from collections.abc import Container, Iterable, Iterator
from dataclasses import dataclass

import phonenumbers

GLOBAL = "*"  # the scope of the global list; campaign ids cannot contain '*'


@dataclass(frozen=True, slots=True, kw_only=True)
class DncEntry:
    """``scope`` is GLOBAL ('*') or a campaign id; ``phone`` is E.164."""

    scope: str
    phone: str
    reason: str = ""
    added_at: float = 0.0


def normalise(raw: str, region: str = "US") -> str | None:
    """``raw`` as an E.164 number ('+14155550100'), or None when it is not a possible, valid number.

    National numbers are read in ``region``; '00'/'+' international forms are accepted."""
    text = raw.strip()
    if not text:
        return None
    if text.startswith("00"):
        text = "+" + text[2:]
    try:
        number = phonenumbers.parse(text, None if text.startswith("+") else region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


class DncSet(Container[str]):
    """The numbers a campaign must never dial: the global list plus the campaign's own list."""

    def __init__(self, global_numbers: Iterable[str] = (), campaign_numbers: Iterable[str] = ()) -> None:
        self._numbers = frozenset(global_numbers) | frozenset(campaign_numbers)

    def __contains__(self, phone: object) -> bool:
        return phone in self._numbers

    def __len__(self) -> int:
        return len(self._numbers)

    def __iter__(self) -> Iterator[str]:
        return iter(self._numbers)


@dataclass(frozen=True, slots=True)
class DncImport:
    """Result of reading a DNC file: normalised entries (deduplicated) and the lines refused."""

    entries: tuple[DncEntry, ...]
    errors: tuple[tuple[int, str], ...]  # (line number, reason)
    duplicates: int


def parse_dnc(text: str, scope: str, region: str, at: float, reason: str = "") -> DncImport:
    """Read a DNC file: one number per line, or a CSV whose header has a 'phone' column (an optional
    'reason' column is kept). Blank lines and lines starting with '#' are ignored."""
    lines = text.splitlines()
    first = next((ln for ln in lines if ln.strip() and not ln.lstrip().startswith("#")), "")
    header = [h.strip().lower() for h in next(csv.reader([first]))] if first else []
    entries: dict[str, DncEntry] = {}
    errors: list[tuple[int, str]] = []
    duplicates = 0
    if "phone" in header:
        reader = csv.reader(io.StringIO(text))
        rows: Iterable[tuple[int, str, str]] = _csv_rows(reader, header)
    else:
        rows = ((i, ln.strip(), reason) for i, ln in enumerate(lines, start=1))
    for line_no, raw, why in rows:
        if not raw or raw.startswith("#"):
            continue
        phone = normalise(raw, region)
        if phone is None:
            errors.append((line_no, f"not a valid phone number: {raw[:40]!r}"))
            continue
        if phone in entries:
            duplicates += 1
            continue
        entries[phone] = DncEntry(scope=scope, phone=phone, reason=why or reason, added_at=at)
    return DncImport(tuple(entries.values()), tuple(errors), duplicates)


def _csv_rows(reader: Iterator[list[str]], header: list[str]) -> Iterator[tuple[int, str, str]]:
    phone_i = header.index("phone")
    reason_i = header.index("reason") if "reason" in header else None
    seen_header = False
    for row in reader:
        line_no = reader.line_num  # type: ignore[attr-defined]
        if not row or not any(c.strip() for c in row) or row[0].lstrip().startswith("#"):
            continue
        if not seen_header:
            seen_header = True
            continue
        raw = row[phone_i].strip() if phone_i < len(row) else ""
        why = row[reason_i].strip() if reason_i is not None and reason_i < len(row) else ""
        yield line_no, raw, why
