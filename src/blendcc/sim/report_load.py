"""A month of a mid-size centre's event log for report benchmarks: the real engine, N interactions over D days.

``month_scenario(n, days)`` is a scenario of six queues (voice, chat and email streams, overflow to a general
queue after 90 s), agent groups on daily shifts with breaks, scaled to ``n`` interactions; ``ReportLoad`` runs
it in ``SimCentre`` (every event comes from the routing ``Engine``) and adds what the plain simulator leaves
out: known customers (a pool, so some contact again), holds, blind transfers to another queue and wrap-up
dispositions. ``events(n, days, seed, sink)`` hands the log to ``sink`` in batches, in log order.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Sequence
from contextlib import suppress
from datetime import datetime
from typing import Any

from blendcc.domain import events as ev
from blendcc.domain.errors import DomainError
from blendcc.domain.lifecycle.assignment import AssignmentStage
from blendcc.domain.lifecycle.contact import UNANSWERED
from blendcc.sim.centre import SimCentre
from blendcc.sim.scenario import DEFAULT_START, Scenario, parse_scenario

QUEUES = ("sales", "support", "billing", "tech", "retention")
#: (stream, channel, topic queue, share of contacts, mean handle s, mean patience s)
STREAMS = (("sales-voice", "voice", "sales", 0.18, 200, 120),
           ("support-voice", "voice", "support", 0.22, 260, 150),
           ("billing-voice", "voice", "billing", 0.15, 220, 120),
           ("tech-voice", "voice", "tech", 0.10, 330, 180),
           ("retention-voice", "voice", "retention", 0.05, 300, 90),
           ("support-chat", "chat", "support", 0.15, 420, 300),
           ("sales-chat", "chat", "sales", 0.05, 360, 240),
           ("support-email", "email", "support", 0.10, 240, None))
DISPOSITIONS = (("resolved", 0.55), ("info", 0.15), ("callback", 0.10), ("complaint", 0.07), ("sale", 0.08),
                ("escalated", 0.05))
#: hourly shape of a day (00..23 local = UTC here): nothing at night, peaks late morning and early afternoon
DAY_SHAPE = (0, 0, 0, 0, 0, 0, 0, 2, 6, 9, 10, 10, 8, 8, 9, 9, 8, 7, 5, 3, 2, 0, 0, 0)


def month_scenario(n: int, days: int = 30, start: datetime = DEFAULT_START) -> Scenario:
    """About ``n`` contacts over ``days`` days (07:00-21:00 arrivals), staffed for them."""
    weight = sum(DAY_SHAPE)
    agents = max(6, math.ceil(n / 2200))
    groups = [("sales", 0.22, ["sales", "general"]), ("support", 0.40, ["support", "general"]),
              ("billing", 0.16, ["billing", "general"]), ("tech", 0.12, ["tech", "general"]),
              ("retention", 0.10, ["retention", "sales", "general"])]
    shifts = [{"start_s": d * 86400 + 6.5 * 3600, "end_s": d * 86400 + 21.5 * 3600,
               "breaks": [{"start_s": d * 86400 + 12 * 3600, "duration_s": 1800, "reason": "lunch"}]}
              for d in range(days)]
    doc: dict[str, Any] = {
        "name": "report-month", "start": start.isoformat(), "duration_s": days * 86400, "report_interval_s": 900,
        "centre": {
            "teams": [{"id": f"team-{g}", "name": g.title()} for g, _, _ in groups],
            "queues": [*({"id": q, "name": q.title(), "skills": {q: 1}, "sl_threshold_s": 20, "wrap_up_s": None}
                         for q in QUEUES),
                       {"id": "general", "name": "General", "sl_threshold_s": 30, "wrap_up_s": None}],
            "workflows": [{"id": "inbound", "channels": ["voice", "chat", "email"],
                           "filters": [{"name": q, "expression": f'attr.topic == "{q}"',
                                        "targets": [{"queue": q, "timeout_s": 90}, {"queue": "general"}]}
                                       for q in QUEUES],
                           "default": [{"queue": "general"}]}]},
        "agents": [{"name": g, "count": max(1, round(agents * share)), "skills": {g: 1}, "queues": qs,
                    "team_id": f"team-{g}", "capacity": {"limits": {"voice": 1, "chat": 2, "email": 1}},
                    "ring_delay": {"dist": "constant", "value_s": 3},
                    "acw": {"dist": "lognormal", "mean_s": 30, "sd_s": 20}, "shifts": shifts}
                   for g, share, qs in groups],
        "arrivals": [{"name": name, "channel": channel, "attributes": {"topic": topic},
                      "process": {"kind": "poisson", "interval_s": 3600,
                                  "per_interval": [n * share * DAY_SHAPE[h % 24] / weight / days
                                                   for h in range(days * 24)]},
                      "handle": {"dist": "lognormal", "mean_s": aht, "sd_s": aht * 0.6},
                      **({"patience": {"dist": "exponential", "mean_s": patience}} if patience else {})}
                     for name, channel, topic, share, aht, patience in STREAMS],
    }
    return parse_scenario(doc)


class ReportLoad(SimCentre):
    """``SimCentre`` whose customers are known (a pool of ``n / 3``; one contact in ten anonymous), whose agents
    put one voice call in six on hold, transfer one contact in twenty to another queue and give a disposition."""

    def __init__(self, scenario: Scenario, seed: int = 7, customers: int = 1000) -> None:
        super().__init__(scenario, seed)
        self.rng = random.Random(seed)
        self.customers = max(1, customers)
        self.transferred: set[str] = set()
        codes, weights = zip(*DISPOSITIONS, strict=True)
        self._codes, self._weights = list(codes), list(weights)

    def _try(self, fn: Callable[..., list[ev.Event]], *args: Any, **kw: Any) -> None:
        with suppress(DomainError):  # the contact moved on meanwhile (customer left, already ended): nothing to do
            self.handle(fn(*args, **kw))

    def add_contact(self, contact_id: str, channel: str, handle_s: float, patience_s: float | None,
                    acw_s: float | None = None, attributes: dict[str, Any] | None = None, priority: int = 0,
                    workflow_id: str | None = None) -> None:
        now = self.clock.t
        self.arrivals += 1
        self._plan[contact_id] = (handle_s, acw_s)
        r = self.rng.random()
        customer = None if r < 0.1 else f"cust-{self.rng.randrange(self.customers)}"
        self.handle(self.engine.create_contact(contact_id, channel, now, attributes=attributes, priority=priority,
                                               workflow_id=workflow_id, customer_id=customer))
        if patience_s is not None:
            c = self.engine.contacts.get(contact_id)
            if c is not None and c.state in UNANSWERED:
                self.kernel.at(now + patience_s, self._patience_out, contact_id)

    def _on_connected(self, e: ev.ContactConnected) -> None:
        super()._on_connected(e)
        plan = self._plan.get(e.contact_id)
        if plan is not None and e.channel == "voice" and self.rng.random() < 1 / 6:
            hold_at = e.at + plan[0] * self.rng.uniform(0.2, 0.5)
            self.kernel.at(hold_at, self._hold, (e.contact_id, e.agent_id, True))
            self.kernel.at(hold_at + plan[0] * self.rng.uniform(0.05, 0.3), self._hold,
                           (e.contact_id, e.agent_id, False))

    def _hold(self, job: tuple[str, str, bool]) -> None:
        cid, aid, on = job
        self._try(self.engine.hold if on else self.engine.resume_contact, cid, aid, self.clock.t)

    def _end(self, job: tuple[str, str]) -> None:
        cid, aid = job
        if cid not in self.transferred and self.rng.random() < 0.05:
            self.transferred.add(cid)
            agent = self.engine.agents.get(aid)
            asg = agent.work.get(cid) if agent is not None else None
            target = self.rng.choice([q for q in QUEUES if asg is None or q != asg.queue_id])
            if asg is not None and asg.stage in (AssignmentStage.BUSY, AssignmentStage.HELD):
                self._try(self.engine.transfer, cid, aid, self.clock.t, to_queue=target)
                return
        super()._end(job)

    def _wrap(self, job: tuple[str, str]) -> None:
        cid, aid = job
        agent = self.engine.agents.get(aid)
        asg = agent.work.get(cid) if agent is not None else None
        if asg is not None and asg.stage is AssignmentStage.WRAP_UP:
            code = self.rng.choices(self._codes, self._weights)[0]
            self._try(self.engine.wrap_up, cid, aid, self.clock.t, disposition=code)


def events(n: int, days: int, seed: int, sink: Callable[[Sequence[ev.Event]], None], batch: int = 20_000,
           ) -> ReportLoad:
    """Run the month and hand its events to ``sink`` in batches of about ``batch``, in log order."""
    centre = ReportLoad(month_scenario(n, days), seed, customers=n // 3)
    buf: list[ev.Event] = []

    def observe(out: Sequence[ev.Event]) -> None:
        buf.extend(out)
        if len(buf) >= batch:
            sink(list(buf))
            buf.clear()

    centre.observers.append(observe)
    centre.run()
    if buf:
        sink(list(buf))
    return centre
