"""Live digital KPIs: incremental, restart-safe (warm-up from the log gives the same figures) and per day."""

from __future__ import annotations

from blendcc.app.reporting.live_stats import LiveStats, day_start
from blendcc.domain import conversation_events as cv
from blendcc.domain import events as ev

DAY = day_start(1_700_000_000.0, "UTC")
T = DAY + 10 * 3600.0  # 10:00 UTC


def _thresholds(_q: str, _ch: str) -> tuple[float, float]:
    return (60.0, 5.0)


def conversation(cid: str, at: float, channel: str = "sms", queue: str = "q1") -> list[ev.Event]:
    return [ev.ContactQueued(at=at, contact_id=cid, queue_id=queue, channel=channel, step_index=0, priority=0),
            cv.MessageReceived(at=at, contact_id=cid, message_id=f"{cid}-1", channel=channel,
                               channel_instance="main", body="hello"),
            ev.ContactConnected(at=at + 5, contact_id=cid, agent_id="a1", queue_id=queue, channel=channel,
                                queued_at=at, wait_s=5.0),
            cv.MessageSent(at=at + 20, contact_id=cid, message_id=f"{cid}-2", channel=channel,
                           channel_instance="main", author_kind="agent", author_id="a1", body="hi"),
            ev.ContactEnded(at=at + 50, contact_id=cid, agent_id="a1", queue_id=queue, reason="agent",
                            wrap_up_until=None),
            ev.ContactClosed(at=at + 60, contact_id=cid, outcome="completed")]


def test_live_figures_per_queue_and_channel() -> None:
    stats = LiveStats(_thresholds)
    stats.apply(conversation("s1", T) + conversation("c1", T + 100, channel="chat", queue="q2"))
    today = stats.digital_today(T + 200)
    assert today["channels"]["sms"]["first_response_s"] == 20.0
    assert today["channels"]["chat"]["resolution_s"] == 60.0
    assert today["queues"]["q2"]["resolved"] == 1 and today["total"]["resolved"] == 2


def test_a_restart_warmed_up_from_the_log_gives_the_same_figures() -> None:
    yesterday = conversation("old", T - 86400)
    # today: a conversation that began yesterday evening and is answered and closed this morning
    spanning: list[ev.Event] = [
        ev.ContactQueued(at=DAY - 600, contact_id="x", queue_id="q1", channel="email", step_index=0, priority=0),
        cv.MessageReceived(at=DAY - 600, contact_id="x", message_id="x1", channel="email", channel_instance="m",
                           body="hello"),
        cv.MessageSent(at=DAY + 3000, contact_id="x", message_id="x2", channel="email", channel_instance="m",
                       author_kind="agent", author_id="a1", body="hi"),
        cv.ConversationStateChanged(at=DAY + 3600, contact_id="x", state="resolved", previous="open", agent_id="a1")]
    log = yesterday + spanning + conversation("s1", T)
    live = LiveStats(_thresholds)
    live.apply(log)
    restarted = LiveStats(_thresholds)
    restarted.load(T + 100, {}, [], {})
    restarted.load_digital(log)
    assert restarted.digital_today(T + 100) == live.digital_today(T + 100)
    email = restarted.digital_today(T + 100)["channels"]["email"]
    assert email["first_response_s"] == 3600.0 and email["resolution_s"] == 4200.0  # from yesterday's message
    assert email["conversations_started"] == 0  # it started yesterday


def test_a_new_day_starts_from_zero() -> None:
    stats = LiveStats(_thresholds)
    stats.apply(conversation("s1", T))
    assert stats.digital_today(T + 100)["total"]["resolved"] == 1
    tomorrow = stats.digital_today(T + 86400)
    assert tomorrow["total"]["resolved"] == 0 and tomorrow["channels"] == {}
