"""The playbook action that pages standby and temporary agents through the communication plan's senders, and
tells exactly the people it paged to stand down when the crisis ends."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from blendcc.app.crisis.directory import Directory
from blendcc.crisis.playbook import PageAction
from blendcc.domain import crisis_events as ce
from blendcc.domain.events import Event
from blendcc.ports import Clock

#: sender of one channel: (address, subject, text); raises on failure
Sender = Callable[[str, str, str], None]
ADDRESS = {"email": "email", "sms": "phone"}


class Pager:
    """``senders()``: the communication plan's senders by channel; ``run`` runs a send (the service's thread pool);
    ``record`` stores an event. Each message is the event ``CrisisNotificationSent`` with reason ``page`` or
    ``stand_down`` and ``rule`` the action's index."""

    def __init__(self, directory: Directory, senders: Callable[[], Mapping[str, Sender]], clock: Clock,
                 record: Callable[[Event], object], run: Callable[[Callable[[], None]], object] | None = None) -> None:
        self.directory = directory
        self.senders = senders
        self.clock = clock
        self.record = record
        self.run = run or (lambda fn: fn())

    def page(self, crisis_id: str, index: int, action: PageAction,
             render: Callable[[str], str]) -> tuple[dict[str, Any], dict[str, Any]]:
        people = self.directory.people(users=action.users, role=action.role, team=action.team,
                                       temporary=action.temporary)
        messages = []
        for person in people:
            for channel in action.channels:
                address = getattr(person, ADDRESS[channel])
                if address is not None:
                    messages.append({"name": person.name, "channel": channel, "to": address})
        subject, text = render(action.subject), render(action.text)
        self._send(crisis_id, index, "page", messages, subject, text)
        stand_down = render(action.stand_down)
        return ({"paged": sorted({m["name"] for m in messages}), "messages": len(messages)},
                {"paged": messages, "subject": subject, "stand_down": stand_down})

    def stand_down(self, crisis_id: str, index: int, prior: Mapping[str, Any]) -> dict[str, Any]:
        """Tell everyone paged (the same addresses, nobody else) that they may stand down."""
        messages = [dict(m) for m in prior.get("paged") or ()]
        self._send(crisis_id, index, "stand_down", messages, str(prior.get("subject") or "Stand down"),
                   str(prior.get("stand_down") or "Stand down."))
        return {"stood_down": sorted({m["name"] for m in messages}), "messages": len(messages)}

    def _send(self, crisis_id: str, index: int, reason: str, messages: list[dict[str, Any]], subject: str,
              text: str) -> None:
        for m in messages:
            self.run(self._one(crisis_id, index, reason, m, subject, text))

    def _one(self, crisis_id: str, index: int, reason: str, m: Mapping[str, Any], subject: str,
             text: str) -> Callable[[], None]:
        def go() -> None:
            sender = self.senders().get(m["channel"])
            error = None
            if sender is None:
                error = f"no {m['channel']} sender is configured on this server"
            else:
                try:
                    sender(m["to"], subject, text)
                except Exception as exc:  # recorded as the message's failure; the others go on
                    error = str(exc)[:300] or type(exc).__name__
            self.record(ce.CrisisNotificationSent(crisis_id=crisis_id, rule=index, reason=reason,
                                                  channel=m["channel"], to=m["to"], recipient=m["name"], error=error,
                                                  at=self.clock.now()))
        return go
