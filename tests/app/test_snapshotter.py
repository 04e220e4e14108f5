"""When the writer takes a snapshot (ADR 0052): every N events, every T seconds if events came, never two at once."""

from __future__ import annotations

import threading

import pytest

from blendcc.app.acd import snapshots as mod
from blendcc.app.acd.snapshots import Snapshotter, decode
from blendcc.routing.engine import Engine
from blendcc.testing.snapshot_traffic import centre


class Store:
    def __init__(self) -> None:
        self.rows: dict[int, tuple[int, bytes]] = {}
        self.gate = threading.Event()
        self.gate.set()

    def save_snapshot(self, seq: int, version: int, body: bytes, taken_at: float) -> None:
        self.gate.wait(10)
        self.rows[seq] = (version, body)

    def latest_snapshots(self, limit: int = 3) -> list[tuple[int, int, bytes]]:
        return [(s, *self.rows[s]) for s in sorted(self.rows, reverse=True)[:limit]]

    def prune_snapshots(self, keep: int) -> int:
        old = sorted(self.rows, reverse=True)[keep:]
        for s in old:
            del self.rows[s]
        return len(old)


def test_every_n_events() -> None:
    snap = Snapshotter(Store(), every_events=10, every_s=0)
    assert not snap.due(9)
    assert snap.due(1)
    snap.take(Engine(centre(), 0.0), 10, wait=True)
    assert not snap.due(5)  # counted from the last snapshot


def test_every_t_seconds_only_if_events_came(monkeypatch: pytest.MonkeyPatch) -> None:
    now = [1000.0]
    monkeypatch.setattr(mod.time, "monotonic", lambda: now[0])
    snap = Snapshotter(Store(), every_events=0, every_s=60)
    now[0] += 61
    assert not snap.due(0)  # nothing happened: nothing to cover
    assert snap.due(1)
    snap.take(Engine(centre(), 0.0), 1, wait=True)
    now[0] += 30
    assert not snap.due(3)
    now[0] += 31
    assert snap.due(0)


def test_not_while_one_is_being_written_and_old_ones_are_pruned() -> None:
    store = Store()
    snap = Snapshotter(store, every_events=1, every_s=0, keep=2)
    store.gate.clear()
    snap.take(Engine(centre(), 0.0), 1)  # the writer thread blocks in save_snapshot
    assert not snap.due(100)
    store.gate.set()
    snap.flush()
    assert snap.due(1)
    for seq in (2, 3, 4):
        snap.take(Engine(centre(), 0.0), seq, wait=True)
    assert [s for s, _v, _b in store.latest_snapshots()] == [4, 3]
    assert decode(store.rows[4][1])["seq"] == 4
    assert snap.last_seq == 4 and snap.taken == 4
