"""The optional bot of a web-chat instance: a text IVR flow (``ivr.text.TextBot``) answering first, until it
hands the chat to a queue or resolves it."""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from blendcc.ivr.flow import IvrFlow
from blendcc.ivr.session import IvrContext
from blendcc.ivr.text import TextBot


@dataclass(frozen=True, slots=True)
class BotTurn:
    """What the bot did with one customer message: its replies, and whether it now hands off (with the
    choices and attributes routing gets) or has resolved the chat."""

    replies: list[str]
    handed_off: bool = False
    resolved: bool = False
    ivr: Mapping[str, str] | None = None
    attributes: Mapping[str, Any] | None = None
    priority: int = 0


class Bots:
    """Live bot conversations by session (kept in memory: after a restart a session in the bot stage
    starts the flow again with the customer's next message)."""

    def __init__(self, flow_of: Callable[[str], IvrFlow | None]) -> None:
        self._flow_of = flow_of
        self._lock = threading.Lock()
        self._bots: dict[str, tuple[str, TextBot]] = {}

    def open(self, session_id: str, flow_id: str, context: IvrContext, now: float) -> BotTurn:
        flow = self._flow_of(flow_id)
        if flow is None:
            return BotTurn([], handed_off=True)  # no such flow (deleted): straight to the queue
        bot = TextBot(flow, context)
        replies = bot.open(now)
        with self._lock:
            self._bots[session_id] = (flow_id, bot)
        return self._outcome(session_id, bot, replies)

    def message(self, session_id: str, flow_id: str, context: IvrContext, text: str, now: float) -> BotTurn:
        with self._lock:
            found = self._bots.get(session_id)
        if found is None:
            turn = self.open(session_id, flow_id, context, now)
            if turn.handed_off or turn.resolved:
                return turn
            with self._lock:
                found = self._bots.get(session_id)
            if found is None:
                return turn
            more = self.message(session_id, flow_id, context, text, now)
            return BotTurn(turn.replies + more.replies, more.handed_off, more.resolved, more.ivr, more.attributes,
                           more.priority)
        _, bot = found
        return self._outcome(session_id, bot, bot.send(text, now))

    def drop(self, session_id: str) -> None:
        with self._lock:
            self._bots.pop(session_id, None)

    def _outcome(self, session_id: str, bot: TextBot, replies: list[str]) -> BotTurn:
        if bot.enqueued is not None:
            self.drop(session_id)
            return BotTurn(replies, handed_off=True, ivr=dict(bot.enqueued.ivr),
                           attributes=dict(bot.enqueued.attributes), priority=bot.enqueued.priority)
        if bot.closed or bot.session.status == "ended":
            self.drop(session_id)
            return BotTurn(replies, resolved=True)
        return BotTurn(replies)
