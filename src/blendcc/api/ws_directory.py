"""The opt-in directory feed of ``/ws/agent``: every agent's state changes and the queues' waiting counts for
the transfer and consult pickers, while the client asks for it (``{"type": "directory", "on": true|false}``).

Only what a picker needs crosses: an agent's id, state, reason and time; a queue's waiting count, longest
wait and agents available / logged in. No contact or customer data."""

from __future__ import annotations

import threading
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from blendcc.ports import EventBus

STREAM = "directory"


def queue_counts(stats: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The picker's queue columns from a wallboard message (topic "stats")."""
    out = []
    for q in stats.get("queues", ()):
        agents = q.get("agents") or {}
        out.append({"id": q.get("id"), "waiting": q.get("waiting", 0), "longest_wait_s": q.get("longest_wait_s", 0.0),
                    "agents_available": agents.get("available", 0),
                    "agents_logged_in": sum(int(n) for n in agents.values())})
    return out


class DirectoryFeed:
    """One socket's directory subscription: ``start`` subscribes to the bus topics "agent" (AgentStateChanged
    of every agent) and "stats" (queue counts, sent only when they change), ``stop`` unsubscribes."""

    def __init__(self, bus: EventBus, send: Callable[[dict[str, Any]], None]) -> None:
        self.bus = bus
        self.send = send
        self._lock = threading.Lock()
        self._unsubscribe: list[Callable[[], None]] = []
        self._last: list[dict[str, Any]] | None = None

    @property
    def on(self) -> bool:
        return bool(self._unsubscribe)

    def start(self) -> None:
        with self._lock:
            if not self._unsubscribe:
                self._last = None
                self._unsubscribe = [self.bus.subscribe("agent", self._agent), self.bus.subscribe("stats", self._stats)]

    def stop(self) -> None:
        with self._lock:
            for fn in self._unsubscribe:
                fn()
            self._unsubscribe = []

    def _agent(self, _topic: str, m: Mapping[str, Any]) -> None:
        if m.get("type") == "AgentStateChanged":
            self.send({"stream": STREAM, "type": "AgentStateChanged", "agent_id": m.get("agent_id"),
                       "state": m.get("state"), "reason": m.get("reason"), "at": m.get("at")})

    def _stats(self, _topic: str, m: Mapping[str, Any]) -> None:
        counts = queue_counts(m)
        with self._lock:
            if counts == self._last:
                return
            self._last = counts
        self.send({"stream": STREAM, "type": "QueueWaiting", "queues": counts, "at": m.get("at")})


def handle_directory(message: dict[str, Any], feed: DirectoryFeed) -> bool:
    """Handle a client's ``{"type": "directory", "on": true|false}``; False for any other message (not ours).
    The answer ``{"stream": "directory", "type": "DirectoryFeed", "on": ...}`` confirms the switch."""
    if message.get("type") != STREAM:
        return False
    on = message.get("on")
    if on is True:
        feed.start()
    elif on is False:
        feed.stop()
    else:
        feed.send({"stream": STREAM, "type": "Error", "detail": "'on' must be true or false"})
        return True
    feed.send({"stream": STREAM, "type": "DirectoryFeed", "on": feed.on})
    return True


def directory_handler(feed: DirectoryFeed) -> Callable[[dict[str, Any]], Awaitable[None]]:
    """The ``SocketSession.handlers["directory"]`` entry of a ``/ws/agent`` socket."""
    async def handle(message: dict[str, Any]) -> None:
        handle_directory(message, feed)

    return handle
