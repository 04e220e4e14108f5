"""Supervisor alert rules (SL breach, long wait, out of adherence, abandon spike, negative sentiment) and the
raise/ack/clear book."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

KINDS = ("sl_breach", "long_wait", "out_of_adherence", "abandon_spike", "negative_sentiment")


@dataclass(frozen=True, slots=True)
class AlertRules:
    """Centre-wide settings of the rules (per-queue targets come from the queue's configuration)."""

    #: the abandon-spike window and rate: abandoned / (abandoned + answered) of queue visits ended in it
    abandon_window_s: float = 900.0
    abandon_spike_rate: float = 0.25
    #: fewer ended visits than this in the window raise no spike (one abandon of one call is no spike)
    abandon_min_contacts: int = 4
    #: today's SL is judged once this many contacts were offered (excluding short abandons)
    sl_min_contacts: int = 3
    #: negative sentiment: the mean score of a live contact's last ``sentiment_window`` customer messages is
    #: below this (stricter than KPIS.md's -0.25 negative label, so one mildly negative line raises nothing)
    negative_sentiment_below: float = -0.5
    sentiment_window: int = 3


@dataclass(frozen=True, slots=True)
class QueueNow:
    """One queue as the rules see it now: today's SL and its target, the oldest wait and its threshold."""

    queue_id: str
    service_level: float | None
    offered: int
    sl_target: float
    longest_wait_s: float
    long_wait_s: float


@dataclass(frozen=True, slots=True)
class Condition:
    """A rule that holds now; ``key`` names the episode (one alert per key while it holds)."""

    kind: str
    subject: str  # the queue id, or the agent id for out_of_adherence
    value: float | None
    threshold: float | None

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.subject}"


def queue_conditions(q: QueueNow, rules: AlertRules) -> list[Condition]:
    """SL below the queue's target (with enough contacts offered) and the oldest wait above its threshold."""
    out: list[Condition] = []
    if q.service_level is not None and q.offered >= rules.sl_min_contacts and q.service_level < q.sl_target:
        out.append(Condition("sl_breach", q.queue_id, q.service_level, q.sl_target))
    if q.longest_wait_s > q.long_wait_s:
        out.append(Condition("long_wait", q.queue_id, q.longest_wait_s, q.long_wait_s))
    return out


class AbandonWindow:
    """Queue visits that ended (answered or abandoned) in the last ``window_s``, per queue."""

    def __init__(self, window_s: float) -> None:
        self.window_s = window_s
        self._ended: deque[tuple[float, str, bool]] = deque()  # (at, queue, abandoned), in arrival order

    def add(self, at: float, queue_id: str, abandoned: bool) -> None:
        self._ended.append((at, queue_id, abandoned))

    def rates(self, now: float) -> dict[str, tuple[float, int]]:
        """queue -> (abandon rate, ended visits) over the window ending at ``now``."""
        cutoff = now - self.window_s
        while self._ended and self._ended[0][0] < cutoff:
            self._ended.popleft()
        counts: dict[str, list[int]] = {}
        for at, q, abandoned in self._ended:
            if at <= now:
                c = counts.setdefault(q, [0, 0])
                c[0] += abandoned
                c[1] += 1
        return {q: (a / n, n) for q, (a, n) in counts.items()}


def abandon_conditions(rates: Mapping[str, tuple[float, int]], rules: AlertRules) -> list[Condition]:
    return [Condition("abandon_spike", q, rate, rules.abandon_spike_rate) for q, (rate, n) in sorted(rates.items())
            if n >= rules.abandon_min_contacts and rate > rules.abandon_spike_rate]


class SentimentWindow:
    """The last customer message scores of each live contact (dropped when the contact ends)."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._scores: dict[str, deque[float]] = {}

    def add(self, contact_id: str, score: float) -> None:
        self._scores.setdefault(contact_id, deque(maxlen=self.size)).append(score)

    def end(self, contact_id: str) -> None:
        self._scores.pop(contact_id, None)

    def means(self) -> dict[str, float]:
        return {cid: sum(s) / len(s) for cid, s in self._scores.items()}


def sentiment_conditions(means: Mapping[str, float], rules: AlertRules) -> list[Condition]:
    """A live contact whose recent customer messages average below the threshold (subject: the contact)."""
    return [Condition("negative_sentiment", cid, round(m, 4), rules.negative_sentiment_below)
            for cid, m in sorted(means.items()) if m < rules.negative_sentiment_below]


@dataclass(slots=True)
class Alert:
    id: str
    kind: str
    subject: str
    value: float | None
    threshold: float | None
    raised_at: float
    acked_by: str | None = None
    acked_at: float | None = None
    detail: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "kind": self.kind, "subject": self.subject, "value": self.value,
                "threshold": self.threshold, "raised_at": self.raised_at, "acked_by": self.acked_by,
                "acked_at": self.acked_at, "acknowledged": self.acked_by is not None}


class AlertBook:
    """Open alerts by condition key: a condition that starts to hold raises a new alert (not acknowledged),
    one that keeps holding updates its value, one that stops holding clears it. An acknowledgement lasts
    until the alert clears; the same condition holding again later is a new alert."""

    def __init__(self) -> None:
        self._open: dict[str, Alert] = {}
        self._serial = 0

    def update(self, conditions: Iterable[Condition], now: float) -> tuple[list[Alert], list[Alert], list[Alert]]:
        """Apply what holds now; returns (raised, updated, cleared)."""
        holding = {c.key: c for c in conditions}
        raised: list[Alert] = []
        updated: list[Alert] = []
        cleared = [self._open.pop(k) for k in sorted(set(self._open) - set(holding))]
        for key, c in holding.items():
            alert = self._open.get(key)
            if alert is None:
                self._serial += 1
                alert = self._open[key] = Alert(f"{self._serial}", c.kind, c.subject, c.value, c.threshold, now)
                raised.append(alert)
            elif (alert.value, alert.threshold) != (c.value, c.threshold):
                alert.value, alert.threshold = c.value, c.threshold
                updated.append(alert)
        return raised, updated, cleared

    def ack(self, alert_id: str, who: str, now: float) -> Alert | None:
        """Acknowledge an open alert (the first acknowledgement is kept); None if no open alert has that id."""
        for alert in self._open.values():
            if alert.id == alert_id:
                if alert.acked_by is None:
                    alert.acked_by, alert.acked_at = who, now
                return alert
        return None

    def open(self) -> list[Alert]:
        return sorted(self._open.values(), key=lambda a: (a.raised_at, int(a.id)))
