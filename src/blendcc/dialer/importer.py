"""Contact-list import: CSV rows -> dial records, validated row by row (bad rows reported, good rows kept)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import lru_cache

import phonenumbers
from phonenumbers import timezone as pn_timezone

from blendcc.dialer.records import DialRecord
from blendcc.dialer.windows import zone

PHONE_COLUMNS = ("phone", "phone_number", "number", "msisdn", "telephone")
ID_COLUMNS = ("record_id", "id")
TZ_COLUMNS = ("tz", "timezone", "time_zone")
REGION_COLUMNS = ("region", "country")
MAX_ID = 64
MAX_FIELD = 1000
MAX_ERRORS = 1000  # errors kept in a report (the counts stay exact)


@dataclass(slots=True)
class ParsedList:
    """The records read from a list, and the rows refused (line number, reason)."""

    records: list[DialRecord] = field(default_factory=list)
    lines: list[int] = field(default_factory=list)  # the line each record was read from
    errors: list[tuple[int, str]] = field(default_factory=list)
    rejected: int = 0
    total: int = 0

    def refuse(self, line: int, reason: str) -> None:
        self.rejected += 1
        if len(self.errors) < MAX_ERRORS:
            self.errors.append((line, reason))


class ListFormatError(ValueError):
    """The file as a whole cannot be read (no header, no phone column...)."""


def parse_list(text: str, campaign_id: str, region: str, at: float) -> ParsedList:
    """Read a CSV contact list (header row first; ',', ';' or tab separated).

    Columns: a phone column (phone, phone_number, number, msisdn, telephone) is required; record_id/id
    (default: the E.164 number), tz/timezone (IANA; default: derived from the number) and
    region/country (ISO code used for national numbers; default ``region``) are optional; every other
    column is kept in the record's ``fields`` for the agent's screen pop. A record id or a number
    already seen earlier in the file is refused (the first one is kept). ``at`` is the import time
    (used to check that a number's candidate zones agree).
    """
    if "\x00" in text:
        raise ListFormatError("the file contains NUL characters; is it a CSV text file?")
    text = text.lstrip("\ufeff")
    first = next((ln for ln in text.splitlines() if ln.strip()), None)
    if first is None:
        raise ListFormatError("the file is empty; expected a header row with a phone column")
    delimiter = max((",", ";", "\t"), key=first.count)
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    header: list[str] | None = None
    out = ParsedList()
    seen: dict[str, int] = {}
    phones: dict[str, int] = {}
    for row in _rows(reader):
        line, cells = row
        if header is None:
            header = [c.strip().lower() for c in cells]
            _check_header(header)
            continue
        out.total += 1
        result = _record(header, cells, campaign_id, region, at)
        if isinstance(result, str):
            out.refuse(line, result)
            continue
        if result.record_id in seen:
            out.refuse(line, f"duplicate record id {result.record_id!r} (first on line {seen[result.record_id]})")
            continue
        if result.phone in phones:
            out.refuse(line, f"duplicate phone number {result.phone} (first on line {phones[result.phone]})")
            continue
        seen[result.record_id] = line
        phones[result.phone] = line
        out.records.append(result)
        out.lines.append(line)
    if header is None:
        raise ListFormatError("the file has no header row")
    return out


def _rows(reader: Iterator[list[str]]) -> Iterator[tuple[int, list[str]]]:
    line = 0
    while True:
        start = line + 1
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise ListFormatError(f"line {start}: {exc}") from None
        line = reader.line_num  # type: ignore[attr-defined]
        if cells and any(c.strip() for c in cells):
            yield start, cells


def _check_header(header: Sequence[str]) -> None:
    if not any(c in header for c in PHONE_COLUMNS):
        raise ListFormatError(f"no phone column in the header; name one of: {', '.join(PHONE_COLUMNS)}")
    dupes = sorted({c for c in header if c and header.count(c) > 1})
    if dupes:
        raise ListFormatError(f"duplicate column(s) in the header: {', '.join(dupes)}")
    if "" in header:
        raise ListFormatError("the header has an empty column name")


def _pick(row: dict[str, str], names: Sequence[str]) -> tuple[str | None, str]:
    for name in names:
        if name in row:
            return name, row[name].strip()
    return None, ""


def _record(header: Sequence[str], cells: Sequence[str], campaign_id: str, region: str, at: float) -> DialRecord | str:
    if len(cells) != len(header):
        return f"{len(cells)} columns, the header has {len(header)}"
    row = dict(zip(header, cells, strict=True))
    phone_col, raw_phone = _pick(row, PHONE_COLUMNS)
    id_col, raw_id = _pick(row, ID_COLUMNS)
    tz_col, raw_tz = _pick(row, TZ_COLUMNS)
    region_col, raw_region = _pick(row, REGION_COLUMNS)
    if not raw_phone:
        return "missing phone number"
    row_region = (raw_region or region).upper()
    if row_region not in phonenumbers.SUPPORTED_REGIONS:
        return f"unknown region {row_region!r}"
    text = "+" + raw_phone[2:] if raw_phone.startswith("00") else raw_phone
    try:
        number = phonenumbers.parse(text, None if text.startswith("+") else row_region)
    except phonenumbers.NumberParseException as exc:
        return f"not a phone number: {raw_phone[:40]!r} ({exc._msg})"
    kind = phonenumbers.number_type(number)  # UNKNOWN exactly when is_valid_number is False (one lookup for both)
    if kind == phonenumbers.PhoneNumberType.UNKNOWN:
        return f"not a valid number: {raw_phone[:40]!r} (region {row_region})"
    phone = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    if raw_tz:
        if zone(raw_tz) is None:
            return f"unknown time zone {raw_tz[:40]!r}"
        tz = raw_tz
    else:
        candidates = _candidate_zones(number, kind)
        derived = _one_zone(candidates, int(at // 86400))
        if derived is None:
            shown = ", ".join(candidates[:4]) + (" ..." if len(candidates) > 4 else "")
            return (f"cannot tell the callee's time zone from {phone} ({len(candidates)} candidates: {shown}); "
                    "add a tz column")
        tz = derived
    record_id = raw_id or phone
    if len(record_id) > MAX_ID:
        return f"record id longer than {MAX_ID} characters"
    used = {phone_col, id_col, tz_col, region_col}
    fields = {k: v for k, v in row.items() if k not in used}
    for k, v in fields.items():
        if len(v) > MAX_FIELD:
            return f"column {k!r} longer than {MAX_FIELD} characters"
    # record_id is provisional here (it keys the duplicate checks); the import gives stored records opaque ids
    return DialRecord(campaign_id=campaign_id, record_id=record_id, phone=phone, tz=tz, fields=fields,
                      external_id=raw_id or None)


def _candidate_zones(number: phonenumbers.PhoneNumber, kind: int) -> tuple[str, ...]:
    """The zones a valid number may be in (what phonenumbers.timezone.time_zones_for_number returns,
    without computing the number type again): by prefix for geographic numbers, else the country's."""
    country = number.country_code or 0
    if phonenumbers.is_number_type_geographical(kind, country):
        found = pn_timezone.time_zones_for_geographical_number(number)
    else:
        found = _country_zones(country, number)
    return tuple(z for z in found if zone(z) is not None)


_COUNTRY_ZONES: dict[int, tuple[str, ...]] = {}


def _country_zones(country_code: int, number: phonenumbers.PhoneNumber) -> tuple[str, ...]:
    """Country-level zones depend on the calling code only: computed once per code."""
    hit = _COUNTRY_ZONES.get(country_code)
    if hit is None:
        hit = _COUNTRY_ZONES[country_code] = tuple(pn_timezone.time_zones_for_number(number))
    return hit


@lru_cache(maxsize=4096)
def _one_zone(candidates: tuple[str, ...], day: int) -> str | None:
    """One zone standing for all ``candidates`` if they keep the same UTC offset every week of the year
    from ``day`` (e.g. London/Jersey/Guernsey for a UK mobile); None when they differ or are none."""
    if not candidates:
        return None
    if len(candidates) == 1:
        return candidates[0]
    start = datetime(1970, 1, 1) + timedelta(days=day)
    zones = [zone(z) for z in candidates]
    for week in range(54):
        t = start + timedelta(days=7 * week)
        offsets = {datetime(t.year, t.month, t.day, 12, tzinfo=z).utcoffset() for z in zones}
        if len(offsets) > 1:
            return None
    preferred = [z for z in candidates if z in ("Europe/London",)]
    return preferred[0] if preferred else candidates[0]


def number_zone(phone: str, at: float) -> str | None:
    """The IANA zone of an E.164 number as a list import derives it (None: invalid, or zones that differ)."""
    try:
        number = phonenumbers.parse(phone, None)
    except phonenumbers.NumberParseException:
        return None
    kind = phonenumbers.number_type(number)
    if kind == phonenumbers.PhoneNumberType.UNKNOWN:
        return None
    return _one_zone(_candidate_zones(number, kind), int(at // 86400))
