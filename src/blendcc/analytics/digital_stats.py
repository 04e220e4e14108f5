"""Digital conversation KPIs (KPIS.md): a pure fold of conversation and contact events into counters.

One definition per metric: live stats and historical reports feed the same events, in log order, into a
``DigitalFold`` and read rates through ``digital_kpis``. Counters are keyed by (interval start, queue,
channel, agent) -- "" where a dimension does not apply -- and each measure lands in the interval in which
it completes (a first response when it is sent, a resolution when it happens, a reopen in the interval
of the resolution it undoes). A reopened thread counts once: its earlier resolution is taken back and
the thread's final resolution counts from the first customer message with every resolved-to-reopened
gap left out. Concurrency is time-weighted over each agent's ContactConnected .. ContactEnded spans.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, fields
from typing import Any

from blendcc.analytics.queue_stats import BASE_INTERVAL_S, interval_start
from blendcc.domain import conversation_events as cv
from blendcc.domain import events as ev

#: A reopen counts in the reopen rate when the customer wrote within this many days after resolution.
DEFAULT_REOPEN_DAYS = 7.0
#: Channels whose contacts are conversations (everything but voice).
VOICE = "voice"

DigitalKey = tuple[float, str, str, str]  # (interval start, queue_id, channel, agent_id)
#: (queue_id, start, end) -> seconds the queue's calendar is open in between (business-hours variants).
OpenTime = Callable[[str, float, float], float]


def _always_open(_queue_id: str, start: float, end: float) -> float:
    return max(0.0, end - start)


@dataclass(slots=True)
class DigitalCounters:
    started: int = 0            # conversations started by a customer message (not a reopen's continuation)
    first_responses: int = 0
    first_response_s: float = 0.0
    first_response_bh_s: float = 0.0  # business-hours variants: the queue's closed time left out
    replies: int = 0            # agent replies that answered a waiting customer message
    reply_s: float = 0.0
    reply_bh_s: float = 0.0
    resolved: int = 0           # threads resolved (a reopened thread's earlier resolution is taken back)
    resolution_timed: int = 0   # of those, threads with a customer message (resolution time is defined)
    resolution_s: float = 0.0
    resolution_bh_s: float = 0.0
    customer_messages: int = 0  # of the resolved threads
    agent_messages: int = 0
    resolutions: int = 0        # every resolution (the reopen rate's denominator; never taken back)
    reopened: int = 0           # resolutions reopened by the customer within the reopen window
    bot_sessions: int = 0
    bot_contained: int = 0
    handling_s: float = 0.0     # an agent's wall-clock time with at least one contact (counted once)
    contact_s: float = 0.0      # the sum over contacts of their handling time
    csat_answers: int = 0
    csat_sum: float = 0.0
    csat_top2: int = 0

    def add(self, delta: dict[str, float]) -> None:
        for name, value in delta.items():
            setattr(self, name, getattr(self, name) + value)

    def merge(self, other: DigitalCounters) -> None:
        for name in _NAMES:
            setattr(self, name, getattr(self, name) + getattr(other, name))

    def as_dict(self) -> dict[str, float]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


_NAMES = tuple(f.name for f in fields(DigitalCounters))


def _ratio(a: float, b: float) -> float | None:
    return a / b if b else None


def digital_kpis(c: DigitalCounters) -> dict[str, Any]:
    """The digital KPIs of KPIS.md from counters (None where the denominator is 0)."""
    return {
        "conversations_started": c.started, "resolved": c.resolved, "resolutions": c.resolutions,
        "reopened": c.reopened, "first_responses": c.first_responses, "replies": c.replies,
        "first_response_s": _ratio(c.first_response_s, c.first_responses),
        "response_s": _ratio(c.reply_s, c.replies),
        "resolution_s": _ratio(c.resolution_s, c.resolution_timed),
        "first_response_bh_s": _ratio(c.first_response_bh_s, c.first_responses),
        "response_bh_s": _ratio(c.reply_bh_s, c.replies),
        "resolution_bh_s": _ratio(c.resolution_bh_s, c.resolution_timed),
        "reopen_rate": _ratio(c.reopened, c.resolutions),
        "customer_messages_per_conversation": _ratio(c.customer_messages, c.resolved),
        "agent_messages_per_conversation": _ratio(c.agent_messages, c.resolved),
        "concurrency": _ratio(c.contact_s, c.handling_s),
        "bot_sessions": c.bot_sessions, "bot_contained": c.bot_contained,
        "bot_containment": _ratio(c.bot_contained, c.started),
        "csat": _ratio(c.csat_top2, c.csat_answers),
        "csat_mean": _ratio(c.csat_sum, c.csat_answers),
        "csat_count": c.csat_answers,
    }


@dataclass(slots=True)
class _Conv:
    channel: str = ""
    queue_id: str = ""
    agent_id: str = ""
    first_customer_at: float | None = None
    started_key: DigitalKey | None = None
    responded: bool = False
    pending_at: float | None = None      # the earliest customer message no agent has answered yet
    customer_msgs: int = 0
    agent_msgs: int = 0
    gap_s: float = 0.0                   # resolved-to-reopened gaps of this thread
    gap_bh_s: float = 0.0                # the same, in business hours
    resolved_at: float | None = None
    contribution: tuple[DigitalKey, dict[str, float]] | None = None  # what its resolution added
    agent_involved: bool = False
    contained: bool = False
    closed_at: float | None = None


@dataclass(slots=True)
class _Agent:
    contacts: set[str] = field(default_factory=set)
    since: float = 0.0


Sink = dict[DigitalKey, DigitalCounters]


class DigitalFold:
    """Folds events (in log order) into ``counters``; keeps per-conversation and per-agent state. With
    ``rollup`` it also keeps the sums per queue, per channel and in total (what the wallboard reads every
    second, without going over every key)."""

    def __init__(self, reopen_days: float = DEFAULT_REOPEN_DAYS, interval_s: int = BASE_INTERVAL_S,
                 rollup: bool = False, open_time: OpenTime | None = None):
        self.reopen_s = reopen_days * 86400.0
        self.interval_s = interval_s
        self.counters: Sink = {}
        self.convs: dict[str, _Conv] = {}
        self.agents: dict[str, _Agent] = {}
        self.contact_agent: dict[str, str] = {}
        self.floor = -float("inf")  # deltas to intervals before this are dropped (live: today only)
        self.rollup = rollup
        self.open_time = open_time or _always_open
        self.by_queue: dict[str, DigitalCounters] = {}
        self.by_channel: dict[str, DigitalCounters] = {}
        self.total = DigitalCounters()

    # ------------------------------------------------------------------ plumbing

    def _key(self, at: float, c: _Conv, agent_id: str | None = None) -> DigitalKey:
        return (interval_start(at, self.interval_s), c.queue_id, c.channel,
                c.agent_id if agent_id is None else agent_id)

    def _add(self, key: DigitalKey, delta: dict[str, float]) -> None:
        if key[0] < self.floor:
            return
        acc = self.counters.get(key)
        if acc is None:
            acc = self.counters[key] = DigitalCounters()
        acc.add(delta)
        if self.rollup:
            for c in self._rolled(key):
                c.add(delta)

    def _rolled(self, key: DigitalKey) -> tuple[DigitalCounters, DigitalCounters, DigitalCounters]:
        q = self.by_queue.get(key[1])
        if q is None:
            q = self.by_queue[key[1]] = DigitalCounters()
        ch = self.by_channel.get(key[2])
        if ch is None:
            ch = self.by_channel[key[2]] = DigitalCounters()
        return q, ch, self.total

    def keep_from(self, floor: float) -> None:
        """Drop counters of intervals before ``floor`` (and deltas to them from now on); rebuild the rollups."""
        self.floor = floor
        self.counters = {k: v for k, v in self.counters.items() if k[0] >= floor}
        self.by_queue, self.by_channel, self.total = {}, {}, DigitalCounters()
        if self.rollup:
            for key, c in self.counters.items():
                for acc in self._rolled(key):
                    acc.merge(c)

    def _conv(self, contact_id: str) -> _Conv:
        c = self.convs.get(contact_id)
        if c is None:
            c = self.convs[contact_id] = _Conv()
        return c

    def apply_all(self, events: Iterable[ev.Event]) -> None:
        for e in events:
            self.apply(e)

    def apply(self, e: ev.Event) -> None:
        """Fold one event (a type table: events the fold does not read cost one dict lookup)."""
        fn = _DISPATCH.get(type(e))
        if fn is not None:
            fn(self, e)

    def _created(self, e: ev.ContactCreated) -> None:
        if e.channel != VOICE:  # a call is no conversation: only its handling time (concurrency) is folded
            self._conv(e.contact_id).channel = e.channel

    def _queued(self, e: ev.ContactQueued) -> None:
        if e.channel != VOICE:
            c = self._conv(e.contact_id)
            c.queue_id, c.channel = e.queue_id, e.channel

    def _overflowed(self, e: ev.ContactOverflowed) -> None:
        c = self.convs.get(e.contact_id)
        if c is not None:
            c.queue_id = e.to_queue_id

    def _connected(self, e: ev.ContactConnected) -> None:
        if e.channel != VOICE:
            c = self._conv(e.contact_id)
            c.queue_id, c.channel, c.agent_id, c.agent_involved = e.queue_id, e.channel, e.agent_id, True
        self._handling(e.agent_id, e.contact_id, e.at, True)

    def _transferred(self, e: ev.ContactTransferred) -> None:
        self._handling(e.from_agent_id, e.contact_id, e.at, False)
        c = self.convs.get(e.contact_id)
        if c is not None:
            c.queue_id = e.to_queue_id

    def _ended(self, e: ev.ContactEnded) -> None:
        self._handling(e.agent_id, e.contact_id, e.at, False)

    # ------------------------------------------------------------------ messages

    def _received(self, e: cv.MessageReceived) -> None:
        c = self._conv(e.contact_id)
        c.channel = e.channel
        c.customer_msgs += 1
        if c.first_customer_at is None:
            c.first_customer_at = e.at
            c.started_key = self._key(e.at, c, "")
            self._add(c.started_key, {"started": 1})
        if c.pending_at is None:
            c.pending_at = e.at

    def _sent(self, e: cv.MessageSent) -> None:
        if e.author_kind != "agent":  # bot and automatic messages are neither responses nor agent messages
            return
        c = self._conv(e.contact_id)
        c.channel = e.channel
        c.agent_msgs += 1
        c.agent_involved = True
        agent = e.author_id or c.agent_id
        if e.author_id:
            c.agent_id = e.author_id
        if c.pending_at is not None:
            delta: dict[str, float] = {"replies": 1, "reply_s": e.at - c.pending_at,
                                       "reply_bh_s": self.open_time(c.queue_id, c.pending_at, e.at)}
            if not c.responded and c.first_customer_at is not None:
                delta["first_responses"] = 1
                delta["first_response_s"] = e.at - c.first_customer_at
                delta["first_response_bh_s"] = self.open_time(c.queue_id, c.first_customer_at, e.at)
            self._add(self._key(e.at, c, agent), delta)
            c.pending_at = None
            c.responded = True

    # ------------------------------------------------------------------ resolution and reopening

    def _resolve(self, c: _Conv, at: float) -> None:
        if c.resolved_at is not None:
            return
        c.resolved_at = at
        key = self._key(at, c)
        self._add(key, {"resolutions": 1})
        delta: dict[str, float] = {"resolved": 1, "customer_messages": c.customer_msgs,
                                   "agent_messages": c.agent_msgs}
        if c.first_customer_at is not None:
            delta["resolution_timed"] = 1
            delta["resolution_s"] = max(0.0, at - c.first_customer_at - c.gap_s)
            delta["resolution_bh_s"] = max(0.0, self.open_time(c.queue_id, c.first_customer_at, at) - c.gap_bh_s)
        self._add(key, delta)
        c.contribution = (key, delta)

    def _take_back(self, c: _Conv) -> None:
        if c.contribution is not None:
            key, delta = c.contribution
            self._add(key, {k: -v for k, v in delta.items()})
            c.contribution = None

    def _count_reopen(self, c: _Conv, resolved_at: float, at: float) -> None:
        if at - resolved_at <= self.reopen_s:
            self._add(self._key(resolved_at, c), {"reopened": 1})

    def _state(self, e: cv.ConversationStateChanged) -> None:
        c = self._conv(e.contact_id)
        if e.agent_id:
            c.agent_id = e.agent_id
        if e.state == "resolved":
            if e.by == "bot" and not c.agent_involved and not c.contained:
                c.contained = True
                self._add(self._key(e.at, c, ""), {"bot_contained": 1})
            self._resolve(c, e.at)
        elif c.resolved_at is not None:  # the same conversation reopened (resolved -> open/pending)
            resolved_at = c.resolved_at
            c.gap_s += e.at - resolved_at
            c.gap_bh_s += self.open_time(c.queue_id, resolved_at, e.at)
            c.resolved_at = None
            self._take_back(c)
            if e.by == "customer":
                self._count_reopen(c, resolved_at, e.at)

    def _reopened(self, e: cv.ConversationReopened) -> None:
        c = self._conv(e.contact_id)
        prev = self.convs.get(e.previous_contact_id)
        if prev is None:  # the earlier conversation is outside what was folded: count the reopen only
            self._count_reopen(c, e.resolved_at, e.at)
            return
        self._take_back(prev)
        self._count_reopen(prev, e.resolved_at, e.at)
        if c.started_key is not None:  # its first message came before the reopen was recorded
            self._add(c.started_key, {"started": -1})
            c.started_key = None
        if prev.first_customer_at is not None:
            c.first_customer_at = prev.first_customer_at
        c.gap_s += prev.gap_s + max(0.0, e.at - e.resolved_at)
        c.gap_bh_s += prev.gap_bh_s + self.open_time(prev.queue_id or c.queue_id, e.resolved_at, e.at)
        c.customer_msgs += prev.customer_msgs
        c.agent_msgs += prev.agent_msgs
        c.responded = c.responded or prev.responded
        c.agent_involved = c.agent_involved or prev.agent_involved
        c.channel = c.channel or prev.channel
        c.queue_id = c.queue_id or prev.queue_id
        c.agent_id = c.agent_id or e.agent_id or prev.agent_id

    def _bot(self, e: cv.BotSessionEnded) -> None:
        c = self._conv(e.contact_id)
        self._add(self._key(e.at, c, ""), {"bot_sessions": 1})
        if e.outcome == "contained" and not c.agent_involved and not c.contained:
            c.contained = True
            self._add(self._key(e.at, c, ""), {"bot_contained": 1})

    def _survey(self, e: cv.SurveyAnswered) -> None:
        if e.survey != "csat":
            return
        c = self.convs.get(e.contact_id) or _Conv()
        key = (interval_start(e.at, self.interval_s), e.queue_id or c.queue_id, e.channel or c.channel,
               e.agent_id or c.agent_id)
        top2 = 1 if e.score >= e.scale_max - 1 else 0
        self._add(key, {"csat_answers": 1, "csat_sum": e.score, "csat_top2": top2})

    def _closed(self, e: ev.ContactClosed) -> None:
        agent = self.contact_agent.get(e.contact_id)
        if agent is not None:
            self._handling(agent, e.contact_id, e.at, False)
        c = self.convs.get(e.contact_id)
        if c is None:
            return
        c.closed_at = e.at
        if e.outcome == "completed" and c.channel != VOICE:
            self._resolve(c, e.at)

    # ------------------------------------------------------------------ concurrency

    def _handling(self, agent_id: str, contact_id: str, at: float, start: bool) -> None:
        a = self.agents.get(agent_id)
        if a is None:
            a = self.agents[agent_id] = _Agent()
        if start == (contact_id in a.contacts):
            return
        self._accrue(agent_id, a, at)
        if start:
            a.contacts.add(contact_id)
            self.contact_agent[contact_id] = agent_id
        else:
            a.contacts.discard(contact_id)
            if self.contact_agent.get(contact_id) == agent_id:
                del self.contact_agent[contact_id]

    def _accrue(self, agent_id: str, a: _Agent, at: float) -> None:
        """Add the agent's handling since ``a.since`` (split at interval boundaries) and restart it."""
        n = len(a.contacts)
        t = a.since
        while n and t < at:
            edge = min(at, interval_start(t, self.interval_s) + self.interval_s)
            self._add((interval_start(t, self.interval_s), "", "", agent_id),
                      {"handling_s": edge - t, "contact_s": n * (edge - t)})
            t = edge
        a.since = at

    def accrue_all(self, at: float) -> None:
        """Bring every agent's open handling up to ``at`` (before reading counters live)."""
        for agent_id, a in self.agents.items():
            if a.contacts and at > a.since:
                self._accrue(agent_id, a, at)

    def prune(self, before: float) -> None:
        """Forget conversations closed before ``before`` (older than any reopen that still counts)."""
        for cid in [cid for cid, c in self.convs.items() if c.closed_at is not None and c.closed_at < before]:
            del self.convs[cid]


_DISPATCH: dict[type[ev.Event], Callable[[DigitalFold, Any], None]] = {
    cv.MessageReceived: DigitalFold._received, cv.MessageSent: DigitalFold._sent,
    cv.ConversationStateChanged: DigitalFold._state, cv.ConversationReopened: DigitalFold._reopened,
    cv.BotSessionEnded: DigitalFold._bot, cv.SurveyAnswered: DigitalFold._survey,
    ev.ContactCreated: DigitalFold._created, ev.ContactQueued: DigitalFold._queued,
    ev.ContactOverflowed: DigitalFold._overflowed, ev.ContactConnected: DigitalFold._connected,
    ev.ContactTransferred: DigitalFold._transferred, ev.ContactEnded: DigitalFold._ended,
    ev.ContactClosed: DigitalFold._closed,
}

#: The event types the fold reads (what a report asks the event log for).
FOLDED_TYPES: tuple[type[ev.Event], ...] = tuple(_DISPATCH)


def group(counters: Sink, dims: Iterable[str], start: float = -float("inf"), end: float = float("inf"),
          bucket: Any = None, **filters: str | None) -> dict[tuple[Any, ...], DigitalCounters]:
    """Sum counters into rows keyed by (bucket(interval start), *dims) over ``start <= t < end``, keeping
    keys that match ``filters`` (queue_id, channel, agent_id; None = any). Dimensions not grouped are '*'."""
    names = ("queue_id", "channel", "agent_id")
    wanted = set(dims)
    out: dict[tuple[Any, ...], DigitalCounters] = {}
    for key, c in counters.items():
        t = key[0]
        if not start <= t < end:
            continue
        values = dict(zip(names, key[1:], strict=True))
        if any(v is not None and values[n] != v for n, v in filters.items()):
            continue
        row = (bucket(t) if bucket is not None else None,
               *(values[n] if n in wanted else "*" for n in names))
        acc = out.get(row)
        if acc is None:
            acc = out[row] = DigitalCounters()
        acc.merge(c)
    return out
