"""Supervisor alerts: the rules evaluated on every wallboard tick; raised/cleared alerts go out on topic ``alert``."""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from typing import Any

from blendcc.analytics.alerts import (
    AbandonWindow,
    AlertBook,
    AlertRules,
    Condition,
    QueueNow,
    SentimentWindow,
    abandon_conditions,
    queue_conditions,
    sentiment_conditions,
)
from blendcc.domain.errors import NotFound
from blendcc.domain.queue import QueueConfig
from blendcc.ports import Clock, EventBus

TOPIC = "alert"
#: events after which a contact has no live conversation (its sentiment alert clears)
CONTACT_DONE = frozenset({"ContactClosed", "ContactAbandoned", "ContactTimedOut", "ContactRejected"})


def long_wait_threshold(q: QueueConfig) -> float:
    """The queue's long-wait threshold: its own, else its SL threshold T (for voice, the strictest default)."""
    if q.long_wait_s is not None:
        return q.long_wait_s
    return q.sl_threshold_s if q.sl_threshold_s is not None else min(q.sl_thresholds_s.values(), default=20.0)


class AlertService:
    """Keeps the open alerts. Inputs from the bus: ``stats`` (the wallboard, once a second: SL and the oldest
    wait per queue, and the tick that re-evaluates every rule), ``contact`` (ended queue visits for the abandon
    spike; customer messages scored by ``sentiment`` for the negative-sentiment rule, evaluated at once),
    ``voice`` (a transcribed call's customer utterances, for the same rule: the call has ended, so its alert is
    evaluated on the next tick, once the whole transcript is in, and kept until acknowledged),
    ``wfm`` (the adherence monitor's out-of-adherence alerts) and ``survey`` (a low survey answer: an alert
    until acknowledged). Output: ``AlertRaised``,
    ``AlertUpdated``, ``AlertCleared`` and ``AlertAcknowledged`` messages on topic ``alert``."""

    def __init__(self, bus: EventBus, clock: Clock, queues: Callable[[], Mapping[str, QueueConfig]],
                 rules: AlertRules | None = None, sentiment: Callable[[str], float] | None = None) -> None:
        self.bus = bus
        self.clock = clock
        self.queues = queues
        self.rules = rules or AlertRules()
        self._lock = threading.RLock()
        self._book = AlertBook()
        self._window = AbandonWindow(self.rules.abandon_window_s)
        self.sentiment = sentiment
        self._moods = SentimentWindow(self.rules.sentiment_window)
        self._calls = SentimentWindow(self.rules.sentiment_window)  # transcribed calls (ended: kept until ack)
        self._out_of_adherence: dict[str, dict[str, Any]] = {}
        self._queue_now: list[QueueNow] = []
        #: contact id -> its low survey answer (kept until a supervisor acknowledges the alert)
        self._low_surveys: dict[str, Condition] = {}
        self._survey_detail: dict[str, dict[str, Any]] = {}
        # subscribe last: the Redis bus may deliver messages (a restarted node's backlog) at once, on its thread
        self._unsubscribe: list[Callable[[], None]] = [
            bus.subscribe("stats", self._on_stats), bus.subscribe("contact", self._on_contact),
            bus.subscribe("wfm", self._on_wfm), bus.subscribe("survey", self._on_survey),
            bus.subscribe("voice", self._on_voice)]

    def close(self) -> None:
        for fn in self._unsubscribe:
            fn()
        self._unsubscribe = []

    # ------------------------------------------------------------------ inputs

    def _on_stats(self, _topic: str, message: Mapping[str, Any]) -> None:
        configs = self.queues()
        rows: list[QueueNow] = []
        for q in message.get("queues") or ():
            cfg = configs.get(str(q.get("id")))
            if cfg is None:
                continue
            today = q.get("today") or {}
            offered = int(today.get("offered") or 0) - int(today.get("short_abandoned") or 0)
            rows.append(QueueNow(cfg.id, today.get("service_level"), offered, cfg.sl_target,
                                 float(q.get("longest_wait_s") or 0.0), long_wait_threshold(cfg)))
        with self._lock:
            self._queue_now = rows
        self.evaluate(float(message.get("at") or self.clock.now()))

    def _on_contact(self, _topic: str, message: Mapping[str, Any]) -> None:
        mtype, queue_id, at = message.get("type"), message.get("queue_id"), message.get("at")
        if mtype == "MessageReceived" or mtype in CONTACT_DONE:
            self._on_mood(message)
        if not isinstance(queue_id, str) or not isinstance(at, int | float):
            return
        if mtype == "ContactConnected":
            abandoned = False
        elif mtype == "ContactAbandoned":
            cfg = self.queues().get(queue_id)
            if cfg is not None and float(message.get("wait_s") or 0.0) < cfg.short_abandon_s:
                return  # a short abandon counts for neither side (KPIS.md)
            abandoned = True
        else:
            return
        with self._lock:
            self._window.add(float(at), queue_id, abandoned)

    def _on_mood(self, message: Mapping[str, Any]) -> None:
        contact_id, at = message.get("contact_id"), message.get("at")
        if not isinstance(contact_id, str) or not isinstance(at, int | float):
            return
        if message.get("type") in CONTACT_DONE:
            with self._lock:
                self._moods.end(contact_id)
        else:
            if self.sentiment is None or not isinstance(message.get("body"), str) or not message["body"].strip():
                return
            score = self.sentiment(message["body"])
            with self._lock:
                self._moods.add(contact_id, score)
        self.evaluate(float(at))

    def _on_voice(self, _topic: str, message: Mapping[str, Any]) -> None:
        contact_id, text = message.get("contact_id"), message.get("text")
        if (message.get("type") != "UtteranceTranscribed" or message.get("speaker") != "customer"
                or self.sentiment is None or not isinstance(contact_id, str) or not isinstance(text, str)
                or not text.strip()):
            return
        score = self.sentiment(text)
        with self._lock:
            self._calls.add(contact_id, score)

    def _on_wfm(self, _topic: str, message: Mapping[str, Any]) -> None:
        mtype, agent_id = message.get("type"), message.get("agent_id")
        if not isinstance(agent_id, str):
            return
        with self._lock:
            if mtype in ("AdherenceAlertRaised", "AdherenceAlertUpdated"):
                self._out_of_adherence[agent_id] = dict(message)
            elif mtype == "AdherenceAlertCleared":
                self._out_of_adherence.pop(agent_id, None)

    def _on_survey(self, _topic: str, message: Mapping[str, Any]) -> None:
        contact_id, score = message.get("contact_id"), message.get("score")
        if message.get("type") != "low_score" or not isinstance(contact_id, str) or not isinstance(score, int):
            return
        with self._lock:
            self._low_surveys[contact_id] = Condition("low_survey_score", contact_id, float(score), None)
            self._survey_detail[contact_id] = {k: message.get(k) for k in ("survey", "agent_id", "queue_id",
                                                                            "comment")}
        self.evaluate(float(message.get("at") or self.clock.now()))

    # ------------------------------------------------------------------ rules

    def evaluate(self, now: float | None = None) -> list[dict[str, Any]]:
        """Apply every rule at ``now``; publish what changed; return the open alerts."""
        now = self.clock.now() if now is None else now
        with self._lock:
            held: list[Condition] = []
            for q in self._queue_now:
                held += queue_conditions(q, self.rules)
            held += abandon_conditions(self._window.rates(now), self.rules)
            calls = self._calls.means()
            for cid in [cid for cid, m in calls.items() if m >= self.rules.negative_sentiment_below]:
                self._calls.end(cid)  # a transcribed call that ended well: nothing to keep
            held += sentiment_conditions({**calls, **self._moods.means()}, self.rules)
            for agent_id, a in sorted(self._out_of_adherence.items()):
                held.append(Condition("out_of_adherence", agent_id, a.get("out_for_s"), None))
            held += self._low_surveys.values()
            raised, updated, cleared = self._book.update(held, now)
            messages = ([{"type": "AlertRaised", **self._detail(a.to_dict())} for a in raised]
                        + [{"type": "AlertUpdated", **self._detail(a.to_dict())} for a in updated]
                        + [{"type": "AlertCleared", **self._detail(a.to_dict())} for a in cleared])
            out = [self._detail(a.to_dict()) for a in self._book.open()]
        for m in messages:
            self.bus.publish(TOPIC, {"at": now, **m})
        return out

    def _detail(self, alert: dict[str, Any]) -> dict[str, Any]:
        """What the console shows with an alert: the adherence alert's activity and state."""
        if alert["kind"] == "out_of_adherence":
            a = self._out_of_adherence.get(alert["subject"], {})
            alert["detail"] = {k: a.get(k) for k in ("activity", "state", "reason", "team_id")}
        elif alert["kind"] == "negative_sentiment":
            alert["detail"] = {"source": "call_transcript" if alert["subject"] in self._calls.means() else "messages"}
        elif alert["kind"] == "low_survey_score":
            alert["detail"] = dict(self._survey_detail.get(alert["subject"], {}))
        else:
            alert["detail"] = {}
        return alert

    # ------------------------------------------------------------------ reads and acknowledgement

    def alerts(self) -> dict[str, Any]:
        with self._lock:
            return {"at": self.clock.now(), "alerts": [self._detail(a.to_dict()) for a in self._book.open()]}

    def ack(self, alert_id: str, who: str) -> dict[str, Any]:
        now = self.clock.now()
        with self._lock:
            alert = self._book.ack(alert_id, who, now)
            if alert is None:
                raise NotFound(f"no open alert {alert_id} (it may have cleared)")
            out = self._detail(alert.to_dict())
        self.bus.publish(TOPIC, {"type": "AlertAcknowledged", "at": now, **out})
        if out["kind"] == "low_survey_score":  # seen: it has done its work (a follow-up is the supervisor's call)
            with self._lock:
                self._low_surveys.pop(out["subject"], None)
                self._survey_detail.pop(out["subject"], None)
            self.evaluate(now)
        elif out["kind"] == "negative_sentiment" and out["detail"].get("source") == "call_transcript":
            with self._lock:  # the call ended long ago: seen is done
                self._calls.end(out["subject"])
            self.evaluate(now)
        return out
