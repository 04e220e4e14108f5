"""Group commit for customer messages: concurrent messages are stored together (one command of the single
writer, one transaction), so a busy chat centre is not limited to one disk flush per message."""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future

from blendcc.domain.conversation import Received, ReceiveMessage

log = logging.getLogger(__name__)

#: at most this many messages in one transaction
MAX_BATCH = 256


class GroupCommit:
    """One daemon thread takes what callers ``submit`` and stores it in batches with ``store_many``
    (``ConversationService.receive_many``); each caller waits for its own outcome (stored before the
    acknowledgement, as ever). A batch is whatever queued up while the previous one was being stored."""

    def __init__(self, store_many: Callable[[Sequence[ReceiveMessage]], list[Received | Exception]]) -> None:
        self._store_many = store_many
        self._queue: queue.SimpleQueue[tuple[ReceiveMessage, Future[Received]]] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def submit(self, command: ReceiveMessage) -> Received:
        """Store ``command`` with the next batch; wait for its outcome."""
        future: Future[Received] = Future()
        self._put(command, future)
        return future.result()

    def submit_async(self, command: ReceiveMessage, done: Callable[[Received | BaseException], None]) -> None:
        """Store ``command`` with the next batch; ``done`` gets its outcome on the writer thread (no thread
        of the caller waits: an event loop hands in its socket's message and goes on)."""
        future: Future[Received] = Future()
        future.add_done_callback(lambda f: done(f.exception() or f.result()))
        self._put(command, future)

    def _put(self, command: ReceiveMessage, future: Future[Received]) -> None:
        self._queue.put((command, future))
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="webchat-writer", daemon=True)
                self._thread.start()

    def _run(self) -> None:
        while True:
            batch = [self._queue.get()]
            while len(batch) < MAX_BATCH:
                try:
                    batch.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            try:
                outcomes = self._store_many([c for c, _ in batch])
            except Exception as exc:  # the writer itself failed (store unavailable): every caller hears it
                for _, future in batch:
                    future.set_exception(exc)
                continue
            for (_, future), outcome in zip(batch, outcomes, strict=True):
                if isinstance(outcome, Exception):
                    future.set_exception(outcome)
                else:
                    future.set_result(outcome)
