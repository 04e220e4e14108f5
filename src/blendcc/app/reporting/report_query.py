"""A historical report's query (grain, dimension, local dates, filters) and its periods on the centre's clock."""

from __future__ import annotations

from bisect import bisect_right
from datetime import date, datetime, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field

from blendcc.app.reporting.reports import bucket_start
from blendcc.domain.errors import ValidationFailed

Grain = Literal["interval", "day", "week", "month"]
Dimension = Literal["queue", "channel", "agent", "team", "campaign", "disposition"]
ID = Field(default=None, min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.\-]+$")

#: the longest range (days) a report may cover at each grain
MAX_DAYS: dict[str, int] = {"interval": 31, "day": 400, "week": 400, "month": 1830}
#: the dates a report may name (reports start with the epoch; the far future has nothing to count)
FIRST_DAY, LAST_DAY = date(1970, 1, 2), date(2999, 12, 31)
#: the filters each dimension understands (others would be silently meaningless: refused instead)
FILTERS: dict[str, tuple[str, ...]] = {
    "queue": ("queue_id", "channel"), "channel": ("queue_id", "channel"),
    "agent": ("agent_id", "team_id"), "team": ("team_id",), "campaign": ("campaign_id",),
    "disposition": ("queue_id", "channel", "agent_id", "team_id"),
}
#: the resolution rate's repeat window (days): the default of KPIS.md and the longest allowed
FCR_DAYS, MAX_FCR_DAYS = 7, 90


class ReportFilters(BaseModel):
    model_config = ConfigDict(extra="forbid")

    queue_id: str | None = ID
    channel: str | None = ID
    agent_id: str | None = ID
    team_id: str | None = ID
    campaign_id: str | None = ID

    def given(self) -> dict[str, str]:
        return {k: v for k, v in self.model_dump().items() if v is not None}


class ReportQuery(BaseModel):
    """What to report: ``grain`` (interval of ``interval_minutes``, day, week from Monday, month) x ``by``
    over the local dates ``from`` .. ``to`` (both included) in the centre's time zone, with ``filters``."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    grain: Grain = Field(description="interval (15, 30 or 60 minutes), day, week (from Monday) or month")
    interval_minutes: Literal[15, 30, 60] = Field(default=60, description="the interval's length (grain interval)")
    by: Dimension = Field(description="the rows' dimension (disposition: wrap-up codes in Pareto order)")
    from_: date = Field(alias="from", description="first local date (YYYY-MM-DD, the centre's time zone)")
    to: date = Field(description="last local date, included")
    filters: ReportFilters = Field(default_factory=ReportFilters)
    fcr_days: int = Field(default=FCR_DAYS, ge=1, le=MAX_FCR_DAYS,
                          description="resolution rate (FCR): days within which a repeat contact about the same "
                                      "reason counts against it")
    log_kpis: bool = Field(default=True,
                           description="include the KPIs folded from the event log itself (digital conversation "
                                       "KPIs and the resolution rate, FCR); false leaves those columns empty and "
                                       "reads only the per-interval projections (fast over long, busy ranges)")

    def check(self) -> None:
        """Refuse what cannot be reported, with a message that says what to change."""
        for name, d in (("from", self.from_), ("to", self.to)):
            if not FIRST_DAY <= d <= LAST_DAY:
                raise ValidationFailed(f"{name} must be a date between {FIRST_DAY} and {LAST_DAY}")
        if self.from_ > self.to:
            raise ValidationFailed(f"from ({self.from_}) is after to ({self.to})")
        days = (self.to - self.from_).days + 1
        limit = MAX_DAYS[self.grain]
        if days > limit:
            hint = "; choose day, week or month for a longer range" if self.grain == "interval" else ""
            raise ValidationFailed(f"at {self.grain} grain a report covers at most {limit} days "
                                   f"({days} asked){hint}")
        for name in self.filters.given():
            if name not in FILTERS[self.by]:
                raise ValidationFailed(f"filter {name} does not apply to a report by {self.by}; "
                                       f"it takes {', '.join(FILTERS[self.by])}")

    def public(self) -> dict[str, object]:
        return self.model_dump(mode="json", by_alias=True)


#: the base interval of the stored counters (seconds); reports whose periods fall on its edges sum the counters
BASE_S = 900


class Periods:
    """The report's window [start, end) (local midnights) and its buckets on the centre's clock."""

    def __init__(self, query: ReportQuery, tz: str):
        self.query = query
        self.tz = ZoneInfo(tz)
        self.start = _midnight(query.from_, self.tz)
        self.end = _midnight(query.to + timedelta(days=1), self.tz)
        self._table: tuple[list[float], list[float]] | None = None

    def table(self) -> tuple[list[float], list[float]]:
        """Every period's start (``starts``) and end (``after``), computed once."""
        if self._table is None:
            starts = self.starts()
            self._table = (starts, [self.after(b) for b in starts])
        return self._table

    def on_intervals(self) -> bool:
        """Every period starts and ends on a 15-minute edge, so each stored interval lies in one period."""
        starts, ends = self.table()
        return all(b % BASE_S == 0 for b in (self.start, self.end, *starts, *ends))

    def bucket(self, t: float) -> float:
        """Start of the period holding ``t``. Days, weeks and months tile the window, so inside it the period
        is found among the computed ones (a search, not a time-zone conversion per call: reports bucket
        hundreds of thousands of times); interval grain and times outside go the long way."""
        q = self.query
        if q.grain != "interval" and self.start <= t < self.end:
            starts, ends = self.table()
            i = bisect_right(starts, t) - 1
            if i >= 0 and t < ends[i]:
                return starts[i]
        return self._bucket(t)

    def _bucket(self, t: float) -> float:
        q = self.query
        if q.grain == "interval":
            return bucket_start(t, str(q.interval_minutes), self.tz)
        if q.grain in ("day", "week"):
            return bucket_start(t, q.grain, self.tz)
        d = datetime.fromtimestamp(t, self.tz).date()
        return _midnight(d.replace(day=1), self.tz)

    def after(self, b: float) -> float:
        """End of the period that starts at ``b`` (the next period's start)."""
        q = self.query
        if q.grain == "interval":
            return b + q.interval_minutes * 60
        d = datetime.fromtimestamp(b, self.tz).date()
        if q.grain == "day":
            return _midnight(d + timedelta(days=1), self.tz)
        if q.grain == "week":
            return _midnight(d + timedelta(days=7), self.tz)
        nxt = date(d.year + 1, 1, 1) if d.month == 12 else date(d.year, d.month + 1, 1)
        return _midnight(nxt, self.tz)

    def starts(self) -> list[float]:
        """Every period start overlapping the window, in order."""
        out, b = [], self._bucket(self.start)
        while b < self.end:
            out.append(b)
            b = self.after(b)
        return out

    def label(self, b: float) -> str:
        local = datetime.fromtimestamp(b, self.tz)
        if self.query.grain == "interval":
            return local.strftime("%Y-%m-%d %H:%M")
        if self.query.grain == "month":
            return local.strftime("%Y-%m")
        return local.strftime("%Y-%m-%d")

    def iso(self, b: float) -> str:
        return datetime.fromtimestamp(b, self.tz).isoformat()

    def local(self, b: float) -> datetime:
        """The period start as a naive local date-time (spreadsheets have no time zones)."""
        return datetime.fromtimestamp(b, self.tz).replace(tzinfo=None)


def _midnight(d: date, tz: ZoneInfo) -> float:
    return datetime(d.year, d.month, d.day, tzinfo=tz).timestamp()
