"""A text adapter: run an IVR flow over text messages (digits or option words), as a chat bot would."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from blendcc.ivr.flow import CollectNode, IvrFlow, MenuNode, PromptRef
from blendcc.ivr.interpreter import start, step
from blendcc.ivr.messages import (
    Action,
    Callback,
    CallerHungUp,
    Dtmf,
    EnqueueContact,
    Event,
    Hangup,
    Lookup,
    LookupResult,
    Play,
    PromptFinished,
    Timeout,
    Voicemail,
)
from blendcc.ivr.session import IvrContext, IvrSession

#: a key no menu uses: what an unrecognised message becomes (counts as an invalid choice)
UNKNOWN_KEY = "?"


def prompt_text(prompt: PromptRef) -> str:
    """What a text channel shows for a prompt: its text (or transcript), else a marker with its id."""
    return prompt.text if prompt.text is not None else f"[audio prompt {prompt.prompt_id}]"


@dataclass
class TextBot:
    """One conversation: ``send`` a message, get the bot's replies. Prompts are shown as text (they
    'finish' at once), lookups are answered by ``lookup`` (unknown caller when not given)."""

    flow: IvrFlow
    context: IvrContext
    lookup: Callable[[str], LookupResult] | None = None
    session: IvrSession = field(init=False)
    enqueued: EnqueueContact | None = None
    voicemail: Voicemail | None = None
    callback: Callback | None = None
    closed: bool = False
    #: the customer's message after a voicemail node (text channels 'record' the next message)
    voicemail_text: str | None = None
    actions: list[Action] = field(default_factory=list)

    def open(self, now: float) -> list[str]:
        """Start the conversation: the flow's first prompts."""
        self.session, actions = start(self.flow, self.context, now)
        return self._run(actions, now)

    def send(self, message: str, now: float) -> list[str]:
        """A message from the customer: an option word, digits, or nothing (= no answer, a timeout)."""
        if self.voicemail is not None and self.voicemail_text is None and not self.closed:
            self.voicemail_text = message.strip()[:4000]
            self.closed = True
            return ["Thank you, your message has been recorded."]
        if self.closed or self.session.status == "ended":
            return []
        return self._feed(self._event(message.strip()), now)

    def timeout(self, now: float) -> list[str]:
        """The customer said nothing for a while (or a queue announcement is due)."""
        return self._feed(Timeout(), now)

    def leave(self, now: float) -> list[str]:
        return self._feed(CallerHungUp(), now)

    # ------------------------------------------------------------------ internals
    def _event(self, text: str) -> Event:
        if not text:
            return Timeout()
        node = self.flow.node(self.session.node)
        lowered = text.lower()
        if isinstance(node, MenuNode) and self.session.waiting == "input":
            for option in node.options:
                if lowered in (w.lower() for w in option.words) or lowered == option.label.lower():
                    return Dtmf(option.key)
        keys = "".join(ch for ch in text if not ch.isspace() and ch not in "-.")
        if not keys or any(ch not in "0123456789*#" for ch in keys):
            return Dtmf(UNKNOWN_KEY)
        if isinstance(node, CollectNode) and self.session.waiting == "input" and node.terminators \
                and keys[-1] not in node.terminators:
            keys += node.terminators[0]  # a message is a complete answer
        return Dtmf(keys)

    def _feed(self, event: Event, now: float) -> list[str]:
        self.session, actions = step(self.flow, self.session, event, now)
        out = self._run(actions, now)
        node = self.flow.node(self.session.node)
        if isinstance(event, Dtmf) and isinstance(node, CollectNode) and self.session.waiting == "input" \
                and self.session.digits and not node.terminators:
            out += self._feed(Timeout(), now)  # no terminator: the message is the whole answer
        return out

    def _run(self, actions: list[Action], now: float) -> list[str]:
        replies: list[str] = []
        pending = list(actions)
        while pending:
            action = pending.pop(0)
            self.actions.append(action)
            follow: list[Action] = []
            if isinstance(action, Play):
                if not action.loop:  # music on hold is not shown
                    replies.append(prompt_text(action.prompt))
                if self.session.waiting == "prompt" and not any(isinstance(a, Play) for a in pending):
                    self.session, follow = step(self.flow, self.session, PromptFinished(), now)
            elif isinstance(action, Lookup):
                result = self.lookup(action.caller_id) if self.lookup is not None else LookupResult(False)
                self.session, follow = step(self.flow, self.session, result, now)
            elif isinstance(action, EnqueueContact):
                self.enqueued = action
            elif isinstance(action, Voicemail):
                self.voicemail = action
                replies.append("Please type your message.")
            elif isinstance(action, Callback):
                self.callback = action
            elif isinstance(action, Hangup):
                self.closed = True
            pending = follow + pending
        return replies

    def transcript_view(self) -> dict[str, Any]:
        return {"session": self.session.view(), "closed": self.closed,
                "enqueued": None if self.enqueued is None else {"ivr": dict(self.enqueued.ivr),
                                                                "attributes": dict(self.enqueued.attributes),
                                                                "priority": self.enqueued.priority}}
