"""Parser of the Anonymous Bank 1999 per-call log (january.txt) into typed call records.

The log has one tab-separated row per call entering the voice response unit (VRU). ``parse_bank1999``
is pure (lines in, records and line problems out); ``read_bank1999`` is the thin file reader. Bad lines
are reported with their line number and reason and skipped; they never stop the import.

Decisions (docs/history-replay.md):

* Times carry no date. Each call is placed on the ``date`` field's day at ``vru_entry``; every later
  time is unwrapped to the occurrence closest to the time before it, so a call crossing midnight ends
  on the next day.
* A call *enters the queue* at ``q_start`` when it queued. A served call with ``q_start = 0:00:00``
  found a free agent on leaving the VRU: it entered the queue at ``vru_exit`` and waited 0 s. A HANG
  call that never queued hung up in the VRU (``VRU_ONLY``): it was never offered to the queue.
* The wait is ``q_time`` (queue exit minus queue start); service starts when the wait ends (the log's
  ``ser_start`` is often 1 s before ``q_exit``) and lasts ``ser_time``.
* 33 rows have a negative ``vru_time`` (VRU exit a few seconds before entry, matching the times):
  kept, counted as ``negative_vru_time``; the queue and service times of these calls are consistent.
* PHANTOM rows are kept as ``PHANTOM`` records so they can be counted, and excluded everywhere else.
* AGENT rows with ``server = NO_SERVER`` are served by an unknown agent (``server`` is None); AGENT
  rows with ``ser_time = 0`` are served with a zero service time. Both are counted in ``notes``.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum
from pathlib import Path

from blendcc.domain import events as ev
from blendcc.domain.interaction import RouteStep

DAY_S = 86_400
HALF_DAY_S = DAY_S // 2
FIELDS = ("vru+line", "call_id", "customer_id", "priority", "type", "date", "vru_entry", "vru_exit",
          "vru_time", "q_start", "q_exit", "q_time", "outcome", "ser_start", "ser_exit", "ser_time", "server")
DATA_RELATIVE = Path("shared") / "data" / "anonymous_bank_1999" / "january.txt"
_EPOCH = date(1970, 1, 1)


class Outcome(StrEnum):
    SERVED = "served"  # AGENT
    ABANDONED = "abandoned"  # HANG after entering the queue
    VRU_ONLY = "vru_only"  # HANG in the VRU, never queued
    PHANTOM = "phantom"  # PHANTOM rows: ignored by every KPI


@dataclass(frozen=True, slots=True)
class CallRecord:
    """One call. Times (``*_at``) are local wall-clock seconds since 1970-01-01 (no time zone).

    ``queued_at`` is None for calls that never entered the queue (VRU-only, phantom); ``wait_s`` is the
    time in queue (0 for calls served straight from the VRU); ``service_s`` is the recorded service
    time of served calls (0 otherwise).
    """

    line_no: int
    vru_line: str
    call_id: str
    customer_id: str | None
    priority: int
    call_type: str
    day: date
    outcome: Outcome
    vru_entry_at: float
    vru_exit_at: float
    queued_at: float | None
    wait_s: float
    service_s: float
    server: str | None
    queued_in_log: bool

    @property
    def offered(self) -> bool:
        """The call entered the queue (it counts in the queue KPIs)."""
        return self.queued_at is not None and self.outcome in (Outcome.SERVED, Outcome.ABANDONED)

    @property
    def service_start_at(self) -> float | None:
        if self.outcome is not Outcome.SERVED or self.queued_at is None:
            return None
        return self.queued_at + self.wait_s

    @property
    def contact_id(self) -> str:
        """Unique within the file: call ids repeat across VRUs and days, line numbers do not."""
        return f"bank1999-{self.day:%y%m%d}-{self.vru_line}-{self.call_id}-{self.line_no}"


@dataclass(frozen=True, slots=True)
class LineProblem:
    line_no: int
    reason: str
    text: str


@dataclass
class ImportResult:
    records: list[CallRecord] = field(default_factory=list)
    problems: list[LineProblem] = field(default_factory=list)
    #: counts of the log's quirks met and how they were handled (see module docstring)
    notes: Counter[str] = field(default_factory=Counter)

    def offered(self) -> list[CallRecord]:
        return [r for r in self.records if r.offered]

    def days(self) -> list[date]:
        return sorted({r.day for r in self.records})


class _Bad(Exception):
    """A line cannot be read; the message is the reason reported."""


def clock_s(text: str) -> int:
    """``H:MM:SS`` -> seconds after midnight."""
    parts = text.strip().split(":")
    if len(parts) != 3 or not all(p.isdigit() for p in parts):
        raise _Bad(f"time {text!r} is not H:MM:SS")
    h, m, s = (int(p) for p in parts)
    if h > 23 or m > 59 or s > 59:
        raise _Bad(f"time {text!r} out of range")
    return h * 3600 + m * 60 + s


def wall_s(day: date, seconds: float = 0.0) -> float:
    """Local wall-clock seconds since 1970-01-01 of ``seconds`` after midnight of ``day``."""
    return float((day - _EPOCH).days * DAY_S) + seconds


def unwrap(clock: int, reference: float) -> float:
    """The absolute time with this time of day closest to ``reference`` (handles midnight wraps)."""
    base = reference - (reference % DAY_S)
    t = base + clock
    if t - reference > HALF_DAY_S:
        t -= DAY_S
    elif reference - t >= HALF_DAY_S:
        t += DAY_S
    return t


def _int(text: str, name: str) -> int:
    text = text.strip()
    if not text.lstrip("-").isdigit():
        raise _Bad(f"{name} {text!r} is not an integer")
    return int(text)


def _day(text: str) -> date:
    text = text.strip()
    if len(text) != 6 or not text.isdigit():
        raise _Bad(f"date {text!r} is not YYMMDD")
    yy, mm, dd = int(text[:2]), int(text[2:4]), int(text[4:])
    try:
        return date(1900 + yy if yy >= 50 else 2000 + yy, mm, dd)
    except ValueError:
        raise _Bad(f"date {text!r} is not a calendar date") from None


def _check_duration(start: float, end: float, recorded: int, name: str) -> None:
    if recorded < 0 or end < start:
        raise _Bad(f"{name} {recorded} is negative")
    if abs((end - start) - recorded) > 1:
        raise _Bad(f"{name} {recorded} s disagrees with its start/exit times ({end - start:.0f} s)")


def _record(line_no: int, row: dict[str, str], notes: Counter[str]) -> CallRecord:
    outcome_text = row["outcome"].strip().upper()
    if outcome_text not in ("AGENT", "HANG", "PHANTOM"):
        raise _Bad(f"outcome {row['outcome']!r} is not AGENT, HANG or PHANTOM")
    priority = _int(row["priority"], "priority")
    if priority not in (0, 1, 2):
        raise _Bad(f"priority {priority} is not 0, 1 or 2")
    day = _day(row["date"])
    vru_entry = wall_s(day, clock_s(row["vru_entry"]))
    vru_exit = unwrap(clock_s(row["vru_exit"]), vru_entry)
    vru_time = _int(row["vru_time"], "vru_time")
    if vru_exit < vru_entry and vru_time == round(vru_exit - vru_entry):
        notes["negative_vru_time"] += 1  # the VRU clock ran behind: keep it, the queue times are sound
    else:
        _check_duration(vru_entry, vru_exit, vru_time, "vru_time")
    q_start_clock = clock_s(row["q_start"])
    queued_in_log = q_start_clock != 0 or clock_s(row["q_exit"]) != 0
    ser_time = _int(row["ser_time"], "ser_time")
    server_text = row["server"].strip()
    server = None if server_text in ("", "NO_SERVER") else server_text
    wait = 0.0
    queued_at: float | None = None
    if queued_in_log:
        queued_at = unwrap(q_start_clock, vru_exit)
        q_exit = unwrap(clock_s(row["q_exit"]), queued_at)
        if q_exit < queued_at:
            raise _Bad("q_exit is before q_start")
        q_time = _int(row["q_time"], "q_time")
        _check_duration(queued_at, q_exit, q_time, "q_time")
        wait = float(q_time)
    if outcome_text == "PHANTOM":
        notes["phantom"] += 1
        outcome = Outcome.PHANTOM
        queued_at = None
    elif outcome_text == "HANG":
        outcome = Outcome.ABANDONED if queued_in_log else Outcome.VRU_ONLY
        notes["abandoned" if queued_in_log else "vru_only"] += 1
    else:
        outcome = Outcome.SERVED
        if not queued_in_log:
            queued_at = vru_exit  # served straight from the VRU: entered the queue and waited 0 s
            notes["served_without_queue"] += 1
        ser_start_clock = clock_s(row["ser_start"])
        if ser_start_clock == 0 and ser_time == 0:
            notes["served_no_service_times"] += 1
        else:
            assert queued_at is not None
            ser_start = unwrap(ser_start_clock, queued_at + wait)
            _check_duration(ser_start, unwrap(clock_s(row["ser_exit"]), ser_start), ser_time, "ser_time")
            if ser_start < queued_at + wait:
                notes["ser_start_before_queue_exit"] += 1
        if ser_time == 0:
            notes["served_zero_service"] += 1
        if server is None:
            notes["served_no_server"] += 1
    last = max(vru_exit, queued_at + wait if queued_at is not None else vru_exit)
    if outcome is Outcome.SERVED:
        last += ser_time
    if last >= wall_s(day) + DAY_S:
        notes["midnight_wrap"] += 1
    customer = row["customer_id"].strip()
    return CallRecord(
        line_no=line_no, vru_line=row["vru+line"].strip(), call_id=row["call_id"].strip(),
        customer_id=None if customer in ("", "0") else customer, priority=priority,
        call_type=row["type"].strip(), day=day, outcome=outcome, vru_entry_at=vru_entry,
        vru_exit_at=vru_exit, queued_at=queued_at, wait_s=wait,
        service_s=float(ser_time) if outcome is Outcome.SERVED else 0.0,
        server=server if outcome is Outcome.SERVED else None, queued_in_log=queued_in_log)


def parse_bank1999(lines: Iterable[str]) -> ImportResult:
    """Parse the log's lines (header first; CRLF or LF). Bad lines become ``problems``, never errors."""
    result = ImportResult()
    columns: list[str] | None = None
    for line_no, raw in enumerate(lines, start=1):
        line = raw.rstrip("\r\n")
        if not line.strip():
            continue
        cells = line.split("\t")
        if columns is None:
            names = [c.strip().lower() for c in cells]
            missing = [f for f in FIELDS if f not in names]
            if missing:
                result.problems.append(LineProblem(line_no, f"header lacks columns {', '.join(missing)}",
                                                   line[:200]))
                return result
            columns = names
            continue
        if len(cells) != len(columns):
            result.problems.append(LineProblem(line_no, f"{len(cells)} fields, expected {len(columns)}",
                                               line[:200]))
            continue
        try:
            result.records.append(_record(line_no, dict(zip(columns, cells, strict=True)), result.notes))
        except _Bad as exc:
            result.problems.append(LineProblem(line_no, str(exc), line[:200]))
    if columns is None:
        result.problems.append(LineProblem(0, "no header line: the file is empty", ""))
    return result


def read_bank1999(path: str | os.PathLike[str]) -> ImportResult:
    """Read and parse the log file (bytes that are not UTF-8 are replaced, never fatal)."""
    with open(path, encoding="utf-8", errors="replace", newline="") as fh:
        return parse_bank1999(fh)


def default_path(start: Path | None = None) -> Path | None:
    """``../shared/data/anonymous_bank_1999/january.txt`` beside the repository, found from the current
    directory (walking up to the repository root) or from this package's checkout; None if absent."""
    roots: list[Path] = []
    here = (start or Path.cwd()).resolve()
    for p in (here, *here.parents):
        if (p / "pyproject.toml").exists() or (p / ".git").exists():
            roots.append(p)
            break
    roots.append(Path(__file__).resolve().parents[4])
    for root in roots:
        candidate = root.parent / DATA_RELATIVE
        if candidate.is_file():
            return candidate
    return None


def local_datetime(at: float) -> datetime:
    """A record's wall-clock time as a naive datetime (for display and grouping)."""
    return datetime(1970, 1, 1) + timedelta(seconds=at)


# ------------------------------------------------------------------------------- events for the store

IMPORT_QUEUE = "bank"
IMPORT_WORKFLOW = "bank1999"
UNKNOWN_AGENT = "unknown"


def call_events(record: CallRecord, utc_offset_s: float, queue_id: str = IMPORT_QUEUE) -> list[ev.Event]:
    """The lifecycle events of one recorded call, as blendcc would have emitted them, at UTC times
    (``utc_offset_s``: local time minus UTC, e.g. 7200 for Israel in January). PHANTOM rows give none.

    VRU-only calls are created and abandoned before queueing (not offered); offered calls are routed
    and queued at their queue entry, then abandoned or offered+connected when their wait ended, ended
    after their service time and wrapped up with no after-call work (the log records none).
    """
    if record.outcome is Outcome.PHANTOM:
        return []
    cid = record.contact_id
    voice = "voice"
    at = min(record.vru_entry_at, record.vru_exit_at) - utc_offset_s  # a few VRU clocks ran behind
    attrs = {"source": "bank1999", "type": record.call_type, "vru_line": record.vru_line,
             "bank_priority": record.priority, "bank_customer_id": record.customer_id}
    priority = 1 if record.priority == 2 else 0
    out: list[ev.Event] = [ev.ContactCreated(at=at, contact_id=cid, channel=voice, direction="inbound",
                                             customer_id=None, priority=priority, attributes=attrs)]
    if record.queued_at is None:
        left = record.vru_exit_at - utc_offset_s
        out.append(ev.ContactAbandoned(at=left, contact_id=cid, queue_id=None, channel=voice, queued_at=None,
                                       wait_s=0.0))
        out.append(ev.ContactClosed(at=left, contact_id=cid, outcome="abandoned"))
        return out
    q = record.queued_at - utc_offset_s
    left = q + record.wait_s
    out.append(ev.ContactRouted(at=q, contact_id=cid, workflow_id=IMPORT_WORKFLOW, filter_name="default",
                                steps=(RouteStep(queue_id=queue_id),)))
    out.append(ev.ContactQueued(at=q, contact_id=cid, queue_id=queue_id, channel=voice, step_index=0,
                                priority=priority))
    if record.outcome is Outcome.ABANDONED:
        out.append(ev.ContactAbandoned(at=left, contact_id=cid, queue_id=queue_id, channel=voice, queued_at=q,
                                       wait_s=record.wait_s))
        out.append(ev.ContactClosed(at=left, contact_id=cid, outcome="abandoned"))
        return out
    agent = record.server or UNKNOWN_AGENT
    end = left + record.service_s
    out += [
        ev.ContactOffered(at=left, contact_id=cid, agent_id=agent, queue_id=queue_id, channel=voice,
                          expires_at=left),
        ev.ContactConnected(at=left, contact_id=cid, agent_id=agent, queue_id=queue_id, channel=voice,
                            queued_at=q, wait_s=record.wait_s),
        ev.ContactEnded(at=end, contact_id=cid, agent_id=agent, queue_id=queue_id, reason="customer",
                        wrap_up_until=None),
        ev.WrapUpCompleted(at=end, contact_id=cid, agent_id=agent, queue_id=queue_id, channel=voice, queued_at=q,
                           disposition=None, notes=None, talk_s=record.service_s, hold_s=0.0, acw_s=0.0),
        ev.ContactClosed(at=end, contact_id=cid, outcome="completed"),
    ]
    return out


def day_events(records: Iterable[CallRecord], utc_offset_s: float, queue_id: str = IMPORT_QUEUE) -> list[ev.Event]:
    """Every call's lifecycle events, in time order (a call's own events keep their order)."""
    out = [e for r in records for e in call_events(r, utc_offset_s, queue_id)]
    out.sort(key=lambda e: e.at)
    return out
