"""Snapshots of the live state (ADR 0052): when to take one, encoding off the writer lock, loading the newest good one.

The writer calls ``due`` after every durable append (a counter and a clock read). When a snapshot is due the
writer copies the state (``routing.snapshot.capture``, under its lock); encoding (JSON, zlib) and the database
write run on a background thread, one at a time. At start the newest snapshot that decodes is loaded; one that
does not (damaged, other format) is skipped with a warning, and with none the caller replays as before.

Read models kept beside the engine (today's statistics) are *parts* of the snapshot (ADR 0059): each part's copy is
taken under the same lock, at the same seq, and restored at start, then fed the same tail of events as the engine.
"""

from __future__ import annotations

import contextlib
import gc
import json
import logging
import threading
import time
import zlib
from collections.abc import Iterator, Mapping, Sequence
from typing import Any, Protocol

from blendcc.ports import StoredEvent
from blendcc.routing.catalog import Catalog
from blendcc.routing.engine import Engine
from blendcc.routing.snapshot import FORMAT_VERSION, SnapshotError, capture, json_default, restore
from blendcc.state_ports import SnapshotStore

log = logging.getLogger(__name__)

#: snapshots kept in the database (older ones are deleted after each write)
KEEP = 3


@contextlib.contextmanager
def no_gc() -> Iterator[None]:
    """Hold the cyclic garbage collector while copying or rebuilding state: the burst of new tuples would otherwise
    start full collections over the whole heap (a copy of 100,000 conversations: ~60 ms instead of ~400 ms)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def encode(data: dict[str, Any]) -> bytes:
    return zlib.compress(json.dumps(data, separators=(",", ":"), default=json_default).encode(), 1)


def decode(body: bytes) -> Any:
    try:
        return json.loads(zlib.decompress(body))
    except (zlib.error, ValueError, UnicodeDecodeError) as exc:
        raise SnapshotError(f"cannot decode: {exc}") from exc


class SnapshotPart(Protocol):
    """A read model saved with the live state: ``capture`` copies it as plain JSON-able data (under the writer lock,
    right after the commit of ``seq``); ``restore`` puts such data back (ValueError if it cannot); ``committed``
    folds later events (it skips those at or below the restored seq)."""

    def capture(self) -> Any: ...

    def restore(self, data: Any, seq: int) -> None: ...

    def committed(self, batch: Sequence[StoredEvent]) -> None: ...


class Snapshotter:
    """Takes and loads snapshots for one ``Runtime``; ``every_events``/``every_s`` of 0 turn that trigger off."""

    def __init__(self, store: SnapshotStore, *, every_events: int = 50_000, every_s: float = 300.0,
                 keep: int = KEEP, parts: Mapping[str, SnapshotPart] | None = None) -> None:
        self.store = store
        #: read models saved in the same snapshot (ADR 0059), by name
        self.parts = dict(parts or {})
        #: the parts restored at start (the others start from the log, as without a snapshot)
        self.restored: set[str] = set()
        self._loaded_parts: tuple[int, dict[str, Any]] | None = None  # (seq, data) of the snapshot loaded at start
        self._started = False
        #: the newest snapshot holds every part (False after a start from one without them: a snapshot of the same
        #: seq is then worth writing at shutdown)
        self.complete = True
        self.every_events = every_events
        self.every_s = every_s
        self.keep = keep
        self._events = 0  # events appended since the last capture
        self._since = time.monotonic()
        self._writer: threading.Thread | None = None
        self.last_seq = 0  # the seq of the newest snapshot written or loaded
        #: figures of the last capture: seconds under the writer lock, seconds to encode and write, bytes
        self.last_capture_s = 0.0
        self.last_write_s = 0.0
        self.last_size = 0
        self.taken = 0

    def due(self, events: int) -> bool:
        """Count ``events`` just appended; True when a snapshot should be taken now (none being written)."""
        self._events += events
        if self._writer is not None and self._writer.is_alive():
            return False
        if self.every_events and self._events >= self.every_events:
            return True
        return bool(self.every_s) and self._events > 0 and time.monotonic() - self._since >= self.every_s

    def take(self, engine: Engine, seq: int, *, wait: bool = False) -> None:
        """Copy ``engine``'s state (covering events up to ``seq``; writer lock held) and write it, on a background
        thread unless ``wait``."""
        started = time.perf_counter()
        with no_gc():
            data = capture(engine)
            data["seq"] = seq
            if self.parts:
                data["parts"] = self._capture_parts()
        self.last_capture_s = time.perf_counter() - started
        self._events = 0
        self._since = time.monotonic()
        if wait:
            self._write(seq, data, engine.last_at)
            return
        self._writer = threading.Thread(target=self._write, args=(seq, data, engine.last_at),
                                        name="blendcc-snapshot", daemon=True)
        self._writer.start()

    def _capture_parts(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name, part in self.parts.items():
            try:
                out[name] = part.capture()
            except Exception:  # that part starts from the log after a restart; the live state is still saved
                log.exception("capturing the snapshot part %r failed", name)
        return out

    def _write(self, seq: int, data: dict[str, Any], at: float) -> None:
        started = time.perf_counter()
        try:
            body = encode(data)
            self.store.save_snapshot(seq, FORMAT_VERSION, body, at)
            self.store.prune_snapshots(self.keep)
        except Exception:
            log.exception("writing the snapshot at seq %d failed; the next one will be tried later", seq)
            return
        self.last_write_s = time.perf_counter() - started
        self.last_size = len(body)
        self.last_seq = seq
        self.complete = set(self.parts) <= set(data.get("parts", ()))
        self.taken += 1
        log.info("snapshot at seq %d: %d bytes, %.1f ms under the writer lock, %.1f ms to encode and write",
                 seq, len(body), 1000 * self.last_capture_s, 1000 * self.last_write_s)

    def flush(self, timeout: float = 30.0) -> None:
        """Wait for a snapshot being written."""
        writer = self._writer
        if writer is not None:
            writer.join(timeout)

    def load(self, catalog: Catalog, now: float) -> tuple[Engine, int] | None:
        """(engine, seq it covers) from the newest snapshot that can be restored, or None."""
        try:
            rows = self.store.latest_snapshots(self.keep)
        except Exception:
            log.exception("cannot read snapshots; replaying the event log")
            return None
        for seq, version, body in rows:
            try:
                if version != FORMAT_VERSION:
                    raise SnapshotError(f"format {version}, expected {FORMAT_VERSION}")
                with no_gc():
                    data = decode(body)
                    if not isinstance(data, dict) or data.get("seq") != seq:
                        raise SnapshotError("its body does not match its sequence number")
                    engine = restore(data, catalog, now)
            except SnapshotError as exc:
                log.warning("ignoring the snapshot at seq %d (%s)", seq, exc)
                continue
            self.last_seq = seq
            if not self._started:  # the parts are restored once, at start (``restore_parts``)
                parts = data.get("parts")
                self._loaded_parts = (seq, parts if isinstance(parts, dict) else {})
            self._started = True
            return engine, seq
        self._started = True
        return None

    def restore_parts(self, tail: Sequence[StoredEvent]) -> set[str]:
        """At start, after the engine was restored: restore each part from the loaded snapshot and feed it ``tail``
        (the events after the snapshot, as the engine replayed them); the names restored (also in ``restored``).
        A part whose data is missing or unusable is left as it is (warned), to be warmed up from the log."""
        loaded, self._loaded_parts = self._loaded_parts, None
        if loaded is None:
            return set()
        seq, datas = loaded
        for name, part in self.parts.items():
            if name not in datas:
                log.info("the snapshot at seq %d holds no %r; it starts from the event log", seq, name)
                continue
            try:
                with no_gc():
                    part.restore(datas[name], seq)
            except ValueError as exc:
                log.warning("not restoring %r from the snapshot at seq %d (%s); it starts from the event log",
                            name, seq, exc)
                continue
            if tail:
                part.committed(tail)
            self.restored.add(name)
        self.complete = self.restored >= set(self.parts)
        return set(self.restored)
