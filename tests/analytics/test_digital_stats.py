"""Digital KPIs: hand-computed conversations and properties of the fold (KPIS.md, digital section)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from blendcc.analytics.digital_stats import DigitalCounters, DigitalFold, digital_kpis, group
from blendcc.domain import conversation_events as cv
from blendcc.domain import events as ev

T0 = 1_700_000_100.0  # inside a 15-minute interval


def rx(cid: str, at: float, n: int = 0, channel: str = "chat") -> cv.MessageReceived:
    return cv.MessageReceived(at=at, contact_id=cid, message_id=f"{cid}-in-{n}-{at}", channel=channel,
                              channel_instance="default", body="hi")


def tx(cid: str, at: float, kind: str = "agent", agent: str | None = "a1", channel: str = "chat") -> cv.MessageSent:
    return cv.MessageSent(at=at, contact_id=cid, message_id=f"{cid}-out-{at}-{kind}", channel=channel,
                          channel_instance="default", author_kind=kind, author_id=agent, body="hello")


def queued(cid: str, at: float, q: str = "q1", channel: str = "chat") -> ev.ContactQueued:
    return ev.ContactQueued(at=at, contact_id=cid, queue_id=q, channel=channel, step_index=0, priority=0)


def connected(cid: str, at: float, agent: str = "a1", q: str = "q1", channel: str = "chat") -> ev.ContactConnected:
    return ev.ContactConnected(at=at, contact_id=cid, agent_id=agent, queue_id=q, channel=channel,
                               queued_at=at, wait_s=0.0)


def ended(cid: str, at: float, agent: str = "a1") -> ev.ContactEnded:
    return ev.ContactEnded(at=at, contact_id=cid, agent_id=agent, queue_id="q1", reason="agent", wrap_up_until=None)


def state(cid: str, at: float, new: str, prev: str | None, by: str | None = "a1") -> cv.ConversationStateChanged:
    return cv.ConversationStateChanged(at=at, contact_id=cid, state=new, previous=prev, agent_id="a1", by=by)


def total(fold: DigitalFold) -> DigitalCounters:
    out = DigitalCounters()
    for c in fold.counters.values():
        out.merge(c)
    return out


def kpis(events: list[ev.Event]) -> dict[str, object]:
    fold = DigitalFold()
    fold.apply_all(events)
    return digital_kpis(total(fold))


def test_hand_computed_conversation() -> None:
    # customer writes at 0 and 10; a bot answers at 5 (not a response); agent replies at 40 and 100;
    # the customer writes again at 120, the agent answers at 150; resolved at 200.
    k = kpis([queued("c1", T0 - 1), rx("c1", T0), tx("c1", T0 + 5, kind="bot", agent=None), rx("c1", T0 + 10, 1),
              connected("c1", T0 + 30), tx("c1", T0 + 40), tx("c1", T0 + 100), rx("c1", T0 + 120, 2),
              tx("c1", T0 + 150), state("c1", T0 + 200, "resolved", "open")])
    assert k["first_response_s"] == 40.0
    assert k["response_s"] == (40.0 + 30.0) / 2  # the reply at 100 answered nothing waiting
    assert k["resolution_s"] == 200.0
    assert k["customer_messages_per_conversation"] == 3.0
    assert k["agent_messages_per_conversation"] == 3.0
    assert k["conversations_started"] == 1 and k["resolved"] == 1 and k["reopen_rate"] == 0.0


def test_reopen_gap_counted_out_and_rate() -> None:
    # first part: message at 0, resolved at 100; the customer reopens (new contact) at 1000; resolved at 1300
    k = kpis([rx("c1", T0), tx("c1", T0 + 20), state("c1", T0 + 100, "resolved", "open"),
              cv.ConversationReopened(at=T0 + 1000, contact_id="c2", previous_contact_id="c1", resolved_at=T0 + 100),
              rx("c2", T0 + 1000), tx("c2", T0 + 1060), state("c2", T0 + 1300, "resolved", "open")])
    assert k["resolved"] == 1  # one thread
    assert k["resolution_s"] == 1300.0 - 900.0
    assert k["resolutions"] == 2 and k["reopened"] == 1 and k["reopen_rate"] == 0.5
    assert k["first_responses"] == 1 and k["first_response_s"] == 20.0
    assert k["response_s"] == (20.0 + 60.0) / 2
    assert k["customer_messages_per_conversation"] == 2.0
    assert k["conversations_started"] == 1


def test_same_contact_reopen_and_window() -> None:
    day = 86400.0
    events: list[ev.Event] = [rx("c1", T0), tx("c1", T0 + 10), state("c1", T0 + 50, "resolved", "open"),
                              state("c1", T0 + 50 + 8 * day, "open", "resolved", by="customer"),
                              rx("c1", T0 + 50 + 8 * day, 1), state("c1", T0 + 80 + 8 * day, "resolved", "open")]
    k = kpis(events)
    assert k["resolution_s"] == 80.0
    assert k["reopened"] == 0  # after 8 days: outside the default 7-day window
    fold = DigitalFold(reopen_days=10)
    fold.apply_all(events)
    assert total(fold).reopened == 1


def test_closed_non_voice_contact_counts_as_resolved_voice_does_not() -> None:
    k = kpis([queued("e1", T0, channel="email"), rx("e1", T0, channel="email"),
              connected("e1", T0 + 5, channel="email"),
              tx("e1", T0 + 3600, channel="email"), ended("e1", T0 + 3700),
              ev.ContactClosed(at=T0 + 3800, contact_id="e1", outcome="completed"),
              queued("v1", T0, channel="voice"), connected("v1", T0 + 1, channel="voice"), ended("v1", T0 + 60),
              ev.ContactClosed(at=T0 + 70, contact_id="v1", outcome="completed"),
              queued("e2", T0, channel="email"), rx("e2", T0, channel="email"),
              ev.ContactClosed(at=T0 + 10, contact_id="e2", outcome="abandoned")])
    assert k["resolved"] == 1 and k["resolution_s"] == 3800.0


def test_resolved_then_closed_counts_once() -> None:
    k = kpis([rx("c1", T0), tx("c1", T0 + 1), state("c1", T0 + 10, "resolved", "open"),
              ev.ContactClosed(at=T0 + 20, contact_id="c1", outcome="completed")])
    assert k["resolved"] == 1 and k["resolution_s"] == 10.0


def test_concurrency_time_weighted() -> None:
    # a1: c1 over [0, 100), c2 over [50, 150) -> handling 150 s, contact time 200 s
    fold = DigitalFold()
    fold.apply_all([connected("c1", T0), connected("c2", T0 + 50), ended("c1", T0 + 100), ended("c2", T0 + 150)])
    t = total(fold)
    assert t.handling_s == 150.0 and t.contact_s == 200.0
    assert digital_kpis(t)["concurrency"] == 200.0 / 150.0


def test_bot_containment_and_csat() -> None:
    k = kpis([rx("b1", T0), tx("b1", T0 + 1, kind="bot", agent=None),
              cv.BotSessionEnded(at=T0 + 30, contact_id="b1", flow_id="f", outcome="contained"),
              rx("b2", T0), cv.BotSessionEnded(at=T0 + 30, contact_id="b2", flow_id="f", outcome="handed_off",
                                                queue_id="q1"),
              rx("b3", T0), connected("b3", T0 + 2), tx("b3", T0 + 3),
              cv.BotSessionEnded(at=T0 + 30, contact_id="b3", flow_id="f", outcome="contained"),
              *[cv.SurveyAnswered(at=T0 + 40, contact_id="b3", survey="csat", score=s) for s in (5, 4, 3, 1)],
              cv.SurveyAnswered(at=T0 + 40, contact_id="b3", survey="nps", score=9, scale_max=10)])
    assert k["bot_sessions"] == 3 and k["bot_contained"] == 1
    assert k["bot_containment"] == 1 / 3
    assert k["first_responses"] == 1  # the bot's message was not a response
    assert k["csat_count"] == 4 and k["csat"] == 0.5 and k["csat_mean"] == 13 / 4


def test_group_by_queue_and_agent() -> None:
    fold = DigitalFold()
    fold.apply_all([queued("c1", T0, "q1"), rx("c1", T0), connected("c1", T0 + 1, "a1", "q1"),
                    tx("c1", T0 + 5, agent="a1"), queued("c2", T0, "q2"), rx("c2", T0),
                    connected("c2", T0 + 1, "a2", "q2"), tx("c2", T0 + 9, agent="a2")])
    by_q = group(fold.counters, ["queue_id"])
    assert {k[1]: digital_kpis(v)["first_response_s"] for k, v in by_q.items() if k[1]} == {"q1": 5.0, "q2": 9.0}
    only_a2 = group(fold.counters, ["agent_id"], agent_id="a2")
    assert [digital_kpis(v)["first_response_s"] for v in only_a2.values()] == [9.0]


# ---------------------------------------------------------------------- properties

_step = st.tuples(st.sampled_from(["rx", "agent", "bot", "system", "resolve", "reopen"]),
                  st.floats(min_value=0.0, max_value=5000.0, allow_nan=False))


@settings(max_examples=200, deadline=None)
@given(st.lists(_step, min_size=1, max_size=30))
def test_properties_of_one_thread(steps: list[tuple[str, float]]) -> None:
    """One conversation, reopened in place any number of times: resolution time never counts a gap, so it
    is at most the time customer-to-resolution minus the gaps; bot/system messages never respond; one thread
    counts at most once as resolved."""
    t = T0
    events: list[ev.Event] = []
    resolved_at: float | None = None
    gaps = 0.0
    first_rx: float | None = None
    first_agent: float | None = None
    n = 0
    for kind, dt in steps:
        t += dt
        if kind == "rx":
            if resolved_at is not None:
                continue
            events.append(rx("c", t, n))
            n += 1
            first_rx = t if first_rx is None else first_rx
        elif kind in ("agent", "bot", "system"):
            if resolved_at is not None:
                continue
            events.append(tx("c", t, kind=kind, agent="a1" if kind == "agent" else None))
            if kind == "agent" and first_agent is None and first_rx is not None:
                first_agent = t
        elif kind == "resolve" and resolved_at is None:
            events.append(state("c", t, "resolved", "open"))
            resolved_at = t
        elif kind == "reopen" and resolved_at is not None:
            events.append(state("c", t, "open", "resolved", by="customer"))
            gaps += t - resolved_at
            resolved_at = None
    fold = DigitalFold(reopen_days=1e6)
    fold.apply_all(events)
    c = total(fold)
    k = digital_kpis(c)
    assert c.resolved == (1 if resolved_at is not None else 0)
    if resolved_at is not None and first_rx is not None:
        assert k["resolution_s"] == max(0.0, resolved_at - first_rx - gaps)
    # only agent messages respond; the first response is the first agent message after a customer message
    if first_agent is None:
        assert c.first_responses == 0
    else:
        assert c.first_responses == 1 and k["first_response_s"] == first_agent - first_rx
    assert c.agent_messages == (sum(1 for e in events if isinstance(e, cv.MessageSent) and e.author_kind == "agent")
                                if resolved_at is not None else 0)
    assert c.reopened == sum(1 for e in events if isinstance(e, cv.ConversationStateChanged) and e.state == "open")


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 3), st.floats(0, 2000, allow_nan=False),
                          st.floats(1, 4000, allow_nan=False)), min_size=1, max_size=12))
def test_concurrency_between_one_and_max_overlap(spans: list[tuple[int, float, float]]) -> None:
    """Concurrency is at least 1, at most the number of contacts, and handling time is the union of the
    spans (wall-clock counted once)."""
    events: list[ev.Event] = []
    for i, (_, start, length) in enumerate(spans):
        events.append(connected(f"c{i}", T0 + start))
        events.append(ended(f"c{i}", T0 + start + length))
    events.sort(key=lambda e: e.at)
    fold = DigitalFold()
    fold.apply_all(events)
    c = total(fold)
    merged: list[list[float]] = []
    for _, s, length in sorted(spans, key=lambda x: x[1]):
        if merged and s <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], s + length)
        else:
            merged.append([s, s + length])
    union = sum(e - s for s, e in merged)
    assert abs(c.handling_s - union) < 1e-6
    assert abs(c.contact_s - sum(length for _, _, length in spans)) < 1e-6
    k = digital_kpis(c)["concurrency"]
    assert k is not None and 1.0 - 1e-9 <= k <= len(spans) + 1e-9


@settings(max_examples=100, deadline=None)
@given(st.lists(st.sampled_from(["rx", "agent", "resolve"]), min_size=1, max_size=20), st.integers(1, 5))
def test_split_anywhere_same_totals(kinds: list[str], parts: int) -> None:
    """Folding is incremental: feeding the events in several batches gives the same counters as one."""
    events: list[ev.Event] = []
    for i, k in enumerate(kinds):
        at = T0 + 100 * i
        events.append(rx("c", at, i) if k == "rx" else tx("c", at) if k == "agent"
                      else state("c", at, "resolved", "open"))
    one = DigitalFold()
    one.apply_all(events)
    many = DigitalFold()
    size = max(1, len(events) // parts)
    for i in range(0, len(events), size):
        many.apply_all(events[i:i + size])
    assert total(one) == total(many)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["rx", "agent", "resolve", "connect", "end"]), st.integers(0, 3),
                          st.sampled_from(["q1", "q2"]), st.sampled_from(["chat", "sms"])), min_size=1, max_size=40),
       st.integers(0, 40))
def test_rollups_equal_the_grouped_counters(steps: list[tuple[str, int, str, str]], cut: int) -> None:
    """The live rollups (per queue, per channel, total) always equal the sums of the kept counters, also
    after dropping the intervals before a floor (the day roll)."""
    fold = DigitalFold(rollup=True)
    for i, (kind, n, q, ch) in enumerate(steps):
        at, cid = T0 + 300 * i, f"c{n}"
        if i == cut:
            fold.keep_from(interval_start_of(at))
        event: ev.Event
        if kind == "rx":
            event = rx(cid, at, i, channel=ch)
        elif kind == "agent":
            event = tx(cid, at, channel=ch)
        elif kind == "resolve":
            event = state(cid, at, "resolved", "open")
        elif kind == "connect":
            event = connected(cid, at, q=q, channel=ch)
        else:
            event = ended(cid, at)
        fold.apply(event)
    by_q = {k[1]: v for k, v in group(fold.counters, ["queue_id"]).items()}
    by_ch = {k[2]: v for k, v in group(fold.counters, ["channel"]).items()}
    assert {q: c for q, c in fold.by_queue.items() if c != DigitalCounters()} == {
        q: c for q, c in by_q.items() if c != DigitalCounters()}
    assert {q: c for q, c in fold.by_channel.items() if c != DigitalCounters()} == {
        q: c for q, c in by_ch.items() if c != DigitalCounters()}
    total = DigitalCounters()
    for c in fold.counters.values():
        total.merge(c)
    assert fold.total == total


def interval_start_of(at: float) -> float:
    return float(int(at // 900) * 900)
