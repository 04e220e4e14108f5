"""One bus subscription for every open /ws/agent socket: an event reaches only the sockets of its agent or of
a contact they hold, instead of every socket's handler running on every event (O(desktops) per event)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Collection, Iterable, Mapping
from typing import Any

Handler = Callable[[str, Mapping[str, Any]], None]
TOPICS = ("contact", "agent", "crisis")  # crisis: the emergency status and banners reach every desktop

log = logging.getLogger(__name__)


class _Listener:
    __slots__ = ("agent_id", "handler", "held")

    def __init__(self, agent_id: str, held: Collection[str], handler: Handler) -> None:
        self.agent_id, self.held, self.handler = agent_id, held, handler


class Followed(set[str]):
    """The contacts one socket follows. Passed to ``AgentFanout.listen``, every ``add``/``update``/``discard``
    also updates the fan-out's index by contact id, so a contact's event finds its followers in O(1) instead of
    testing every open socket's collection (1,000 desktops: 1,000 tests per event)."""

    __slots__ = ("_on_add", "_on_discard")

    def __init__(self, items: Iterable[str] = ()) -> None:
        super().__init__(items)
        self._on_add: Callable[[str], None] | None = None
        self._on_discard: Callable[[str], None] | None = None

    def add(self, cid: str) -> None:
        if cid not in self:
            super().add(cid)
            if self._on_add is not None:
                self._on_add(cid)

    def update(self, *others: Iterable[str]) -> None:
        for other in others:
            for cid in other:
                self.add(cid)

    def discard(self, cid: object) -> None:
        if isinstance(cid, str) and cid in self:
            super().discard(cid)
            if self._on_discard is not None:
                self._on_discard(cid)

    def remove(self, cid: str) -> None:
        if cid not in self:
            raise KeyError(cid)
        self.discard(cid)


class AgentFanout:
    """Subscribed to the bus's contact and agent topics while at least one agent socket listens.

    ``handler`` of a listener gets a message when the message's ``agent_id`` (or ``from_agent_id``) is the
    listener's agent, or its ``contact_id`` is in the listener's ``held`` collection (read live: the socket
    adds and removes the contacts it follows). A ``Followed`` set is indexed by contact id as it changes; any
    other collection is tested on every contact event. Handlers run on the publishing thread, as bus
    handlers do."""

    def __init__(self, subscribe: Callable[[str, Handler], Callable[[], None]]) -> None:
        self._subscribe = subscribe
        self._lock = threading.Lock()
        self._by_agent: dict[str, tuple[_Listener, ...]] = {}
        self._all: tuple[_Listener, ...] = ()
        self._scanned: tuple[_Listener, ...] = ()  # listeners whose ``held`` is not a ``Followed``
        self._by_contact: dict[str, tuple[_Listener, ...]] = {}
        self._unsubscribe: list[Callable[[], None]] = []

    def listen(self, agent_id: str, held: Collection[str], handler: Handler) -> Callable[[], None]:
        """Start delivering to ``handler``; returns the function that stops it."""
        listener = _Listener(agent_id, held, handler)
        with self._lock:
            if not self._all:
                self._unsubscribe = [self._subscribe(t, self._deliver) for t in TOPICS]
            self._all += (listener,)
            self._by_agent[agent_id] = (*self._by_agent.get(agent_id, ()), listener)
            if isinstance(held, Followed):
                held._on_add = lambda cid: self._follow(listener, cid)
                held._on_discard = lambda cid: self._unfollow(listener, cid)
                for cid in held:
                    self._by_contact[cid] = (*self._by_contact.get(cid, ()), listener)
            else:
                self._scanned += (listener,)

        def stop() -> None:
            with self._lock:
                if listener not in self._all:
                    return
                self._all = tuple(x for x in self._all if x is not listener)
                self._scanned = tuple(x for x in self._scanned if x is not listener)
                if isinstance(held, Followed):
                    held._on_add = held._on_discard = None
                    for cid in tuple(held):  # one C-level copy: the socket's thread may still change the set
                        self._drop(listener, cid)
                rest = tuple(x for x in self._by_agent.get(agent_id, ()) if x is not listener)
                if rest:
                    self._by_agent[agent_id] = rest
                else:
                    self._by_agent.pop(agent_id, None)
                if not self._all:
                    for fn in self._unsubscribe:
                        fn()
                    self._unsubscribe = []

        return stop

    def _follow(self, listener: _Listener, cid: str) -> None:
        with self._lock:
            if listener in self._all:
                self._by_contact[cid] = (*self._by_contact.get(cid, ()), listener)

    def _unfollow(self, listener: _Listener, cid: str) -> None:
        with self._lock:
            self._drop(listener, cid)

    def _drop(self, listener: _Listener, cid: str) -> None:
        rest = tuple(x for x in self._by_contact.get(cid, ()) if x is not listener)
        if rest:
            self._by_contact[cid] = rest
        else:
            self._by_contact.pop(cid, None)

    def _deliver(self, topic: str, message: Mapping[str, Any]) -> None:
        if topic == "crisis":
            if message.get("type") == "CrisisStatus":  # broadcast: every desktop shows it
                for listener in self._all:
                    _call(listener, topic, message)
            return
        aid = message.get("agent_id") or message.get("from_agent_id")
        cid = message.get("contact_id")
        own = self._by_agent.get(aid, ()) if isinstance(aid, str) else ()
        for listener in own:
            _call(listener, topic, message)
        if isinstance(cid, str):
            for listener in self._by_contact.get(cid, ()):
                if listener.agent_id != aid:
                    _call(listener, topic, message)
            for listener in self._scanned:
                if cid in listener.held and listener.agent_id != aid:
                    _call(listener, topic, message)


def _call(listener: _Listener, topic: str, message: Mapping[str, Any]) -> None:
    try:
        listener.handler(topic, message)
    except Exception:  # as on the bus: one failing socket never stops the others' delivery
        log.exception("agent socket handler failed on topic %r", topic)


def fanout_of(state: Any, subscribe: Callable[[str, Handler], Callable[[], None]]) -> AgentFanout:
    """The app's fan-out (``app.state.agent_fanout``), created on first use."""
    fanout: AgentFanout | None = getattr(state, "agent_fanout", None)
    if fanout is None:
        fanout = AgentFanout(subscribe)
        state.agent_fanout = fanout
    return fanout
