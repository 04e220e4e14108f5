"""The event bus on Redis Streams: one stream per topic, one consumer group per node, so every node gets every
message and a node that restarts (same node id) resumes where it stopped, unacknowledged messages first."""

from __future__ import annotations

import contextlib
import json
import logging
import queue
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any

import redis
from redis.exceptions import ResponseError

Handler = Callable[[str, Mapping[str, Any]], None]

log = logging.getLogger(__name__)

#: each topic's stream keeps about this many messages (XADD MAXLEN ~): enough for a node down a few minutes
STREAM_MAXLEN = 100_000
#: a reader's blocking read returns after this long with nothing, to notice it was stopped
BLOCK_MS = 200
#: at most this many messages per read, and per pipelined write
READ_COUNT = 256
FIELD = "m"


class RedisBus:
    """``EventBus`` on Redis Streams. ``publish`` queues the message for one sender thread, which writes them
    in order with pipelined XADDs (the single writer never waits on the network); one reader thread per
    subscribed topic reads its stream with XREADGROUP in this node's group, hands each message to the
    node's handlers of the topic in subscription order (a failing handler is logged, the others still run),
    then acknowledges it (XACK). Delivery is at least once: a message read but not acknowledged when the
    node died is delivered again when it restarts."""

    def __init__(self, client: redis.Redis, *, prefix: str = "blendcc", node_id: str = "node",
                 maxlen: int = STREAM_MAXLEN) -> None:
        self.client = client
        self.prefix = prefix
        self.node_id = node_id
        self.maxlen = maxlen
        self._lock = threading.Lock()
        self._handlers: dict[str, list[tuple[int, Handler]]] = {}
        self._readers: dict[str, threading.Thread] = {}
        self._next_token = 0
        self._closed = threading.Event()
        self._outbox: queue.SimpleQueue[tuple[str, str] | None] = queue.SimpleQueue()
        self._sender: threading.Thread | None = None
        self._unsent = 0
        self._sent = threading.Condition(self._lock)
        #: seconds between a message's publication and its delivery here, last seen (metrics)
        self.lag_s = 0.0

    @classmethod
    def from_url(cls, url: str, **kw: Any) -> RedisBus:
        return cls(redis.Redis.from_url(url), **kw)

    def key(self, topic: str) -> str:
        return f"{self.prefix}:bus:{topic}"

    # ------------------------------------------------------------------ publishing

    def publish(self, topic: str, message: Mapping[str, Any]) -> None:
        data = json.dumps(dict(message), separators=(",", ":"), default=str)
        with self._lock:
            if self._closed.is_set():
                raise RuntimeError("the Redis bus is closed")
            self._unsent += 1
            if self._sender is None:
                self._sender = threading.Thread(target=self._send, name="redis-bus-sender", daemon=True)
                self._sender.start()
        self._outbox.put((topic, data))

    def flush(self, timeout: float = 10.0) -> bool:
        """Wait until every message published so far is in Redis; False on timeout."""
        with self._sent:
            return self._sent.wait_for(lambda: self._unsent == 0, timeout)

    def _send(self) -> None:
        while True:
            first = self._outbox.get()
            if first is None:
                return
            batch = [first]
            while len(batch) < READ_COUNT:
                try:
                    item = self._outbox.get_nowait()
                except queue.Empty:
                    break
                if item is None:
                    self._outbox.put(None)  # stop after this batch
                    break
                batch.append(item)
            self._write(batch)
            with self._sent:
                self._unsent -= len(batch)
                self._sent.notify_all()

    def _write(self, batch: list[tuple[str, str]]) -> None:
        for attempt in range(5):
            try:
                pipe = self.client.pipeline(transaction=False)
                for topic, data in batch:
                    pipe.xadd(self.key(topic), {FIELD: data}, maxlen=self.maxlen, approximate=True)
                pipe.execute()
                return
            except redis.RedisError:
                log.warning("Redis bus: publishing %d message(s) failed (attempt %d)", len(batch), attempt + 1,
                            exc_info=True)
                time.sleep(0.2 * (attempt + 1))
        log.error("Redis bus: dropped %d message(s) after retries (the event log still has them)", len(batch))

    # ------------------------------------------------------------------ subscribing

    def subscribe(self, topic: str, handler: Handler) -> Callable[[], None]:
        self._ensure_group(topic)  # Redis down: this raises and nothing is registered
        with self._lock:
            token = self._next_token
            self._next_token += 1
            self._handlers.setdefault(topic, []).append((token, handler))
            start = topic not in self._readers
            if start:
                reader = threading.Thread(target=self._read, args=(topic,), name=f"redis-bus-{topic}", daemon=True)
                self._readers[topic] = reader
        if start:
            reader.start()

        def unsubscribe() -> None:
            with self._lock:
                remaining = [(t, h) for t, h in self._handlers.get(topic, ()) if t != token]
                if remaining:
                    self._handlers[topic] = remaining
                else:
                    self._handlers.pop(topic, None)  # its reader stops after its current read

        return unsubscribe

    def subscriber_count(self, topic: str) -> int:
        with self._lock:
            return len(self._handlers.get(topic, ()))

    def _ensure_group(self, topic: str) -> None:
        """This node's group on the topic's stream: new ones start at the end, an existing one where it was."""
        try:
            self.client.xgroup_create(self.key(topic), self.node_id, id="$", mkstream=True)
        except ResponseError as exc:
            if "BUSYGROUP" not in str(exc):
                raise

    def _read(self, topic: str) -> None:
        key = self.key(topic)
        cursor = "0"  # first this node's messages read but never acknowledged (it died), then new ones
        while not self._closed.is_set():
            with self._lock:
                if topic not in self._handlers:
                    self._readers.pop(topic, None)
                    return
            try:
                got: Any = self.client.xreadgroup(self.node_id, self.node_id, {key: cursor}, count=READ_COUNT,
                                             block=None if cursor == "0" else BLOCK_MS)
            except redis.RedisError:
                log.warning("Redis bus: reading %r failed; retrying", key, exc_info=True)
                if self._closed.wait(0.5):
                    return
                with contextlib.suppress(redis.RedisError):
                    self._ensure_group(topic)
                continue
            entries: list[tuple[Any, Mapping[Any, Any]]] = _entries(got)
            if cursor == "0" and not entries:
                cursor = ">"
                continue
            for msg_id, fields in entries:
                self._deliver(topic, msg_id, fields)
            if entries:
                try:
                    self.client.xack(key, self.node_id, *(m for m, _ in entries))
                except redis.RedisError:
                    log.warning("Redis bus: acknowledging on %r failed (they will come again)", key, exc_info=True)

    def _deliver(self, topic: str, msg_id: Any, fields: Mapping[Any, Any]) -> None:
        raw: Any = fields.get(FIELD.encode()) or fields.get(FIELD)
        mid = msg_id.decode() if isinstance(msg_id, bytes) else str(msg_id)
        try:
            message = json.loads(raw)
        except (TypeError, ValueError):
            log.warning("Redis bus: unreadable message %s on %r skipped", mid, topic)
            return
        self.lag_s = max(0.0, time.time() - int(mid.split("-", 1)[0]) / 1000)
        with self._lock:
            handlers = [h for _, h in self._handlers.get(topic, ())]
        for handler in handlers:
            try:
                handler(topic, message)
            except Exception:
                log.exception("bus handler %r failed on topic %r", handler, topic)

    def ping(self) -> None:
        """Raise if Redis does not answer (readiness)."""
        self.client.ping()

    # ------------------------------------------------------------------ life cycle

    def close(self, timeout: float = 5.0) -> None:
        """Send what was published, stop the readers (they acknowledge what they delivered) and the sender."""
        self.flush(timeout)
        with self._lock:
            self._closed.set()
            readers = list(self._readers.values())
            sender = self._sender
        self._outbox.put(None)
        for th in readers:
            if th is not threading.current_thread():
                th.join(timeout)
        if sender is not None:
            sender.join(timeout)


def _entries(reply: Any) -> list[tuple[Any, Mapping[Any, Any]]]:
    """The (id, fields) entries of an XREADGROUP reply in RESP2 (redis-py's default): [[key, entries], ...]."""
    return [(m, f) for _key, entries in (reply or []) for m, f in entries]
