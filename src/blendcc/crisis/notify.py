"""The communication plan's schedule, pure: which messages are due when a crisis starts, while it lasts
(repeats, escalation to the next recipient when nobody acknowledged in time) and when it ends."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from blendcc.crisis.playbook import NotifyRule, Playbook, Recipient

Reason = Literal["start", "repeat", "escalation", "end"]


@dataclass(frozen=True, slots=True)
class Send:
    """Send rule ``rule``'s message to ``recipients`` on each of the rule's channels."""

    rule: int
    reason: Reason
    recipients: tuple[Recipient, ...]
    step: int | None = None  # the escalation step (0: the first escalation recipient)


@dataclass(slots=True)
class _RuleClock:
    next_repeat: float | None
    next_escalation: float | None
    escalated: int = 0  # escalation recipients told so far


@dataclass(slots=True)
class NoticePlan:
    """One crisis's schedule. ``start``/``due``/``end`` return what to send; ``next_due`` is when to wake."""

    playbook: Playbook
    started_at: float
    acknowledged: bool = False
    _clocks: list[_RuleClock] = field(default_factory=list)

    def start(self) -> list[Send]:
        t0 = self.started_at
        self._clocks = [_RuleClock(t0 + r.every_s if r.every_s else None,
                                   t0 + r.ack_within_s if r.escalation and r.ack_within_s else None)
                        for r in self.playbook.notify]
        return [Send(i, "start", tuple(r.recipients)) for i, r in enumerate(self.playbook.notify) if r.at_start]

    def acknowledge(self) -> None:
        """Somebody acknowledged: no more escalation (repeats go on while the crisis lasts)."""
        self.acknowledged = True
        for c in self._clocks:
            c.next_escalation = None

    def due(self, now: float) -> list[Send]:
        """Repeats and escalations due at ``now`` (each at most once per call, then re-armed)."""
        out: list[Send] = []
        for i, (rule, c) in enumerate(zip(self.playbook.notify, self._clocks, strict=True)):
            if c.next_escalation is not None and now >= c.next_escalation and not self.acknowledged:
                out.append(Send(i, "escalation", (rule.escalation[c.escalated],), c.escalated))
                c.escalated += 1
                more = c.escalated < len(rule.escalation) and rule.ack_within_s is not None
                c.next_escalation = c.next_escalation + rule.ack_within_s if more and rule.ack_within_s else None
            if c.next_repeat is not None and now >= c.next_repeat and rule.every_s:
                out.append(Send(i, "repeat", self._told(rule, c)))
                while c.next_repeat <= now:
                    c.next_repeat += rule.every_s
        return out

    def end(self) -> list[Send]:
        out = [Send(i, "end", self._told(r, c)) for i, (r, c) in enumerate(zip(self.playbook.notify, self._clocks,
                                                                               strict=True)) if r.at_end]
        self._clocks = [_RuleClock(None, None, c.escalated) for c in self._clocks]
        return out

    def next_due(self) -> float | None:
        times = [t for c in self._clocks for t in (c.next_repeat, c.next_escalation) if t is not None]
        return min(times, default=None)

    @staticmethod
    def _told(rule: NotifyRule, c: _RuleClock) -> tuple[Recipient, ...]:
        """Everyone told so far: the recipients and the escalation recipients already reached."""
        return (*rule.recipients, *rule.escalation[:c.escalated])
