"""Snapshots of the engine's live state (ADR 0052): restored from a snapshot plus the events after it, the state
equals a replay of the whole log, and the restored engine makes the same decisions as the one it was taken from."""

from __future__ import annotations

import json
import random

import pytest

from blendcc.domain import events as ev
from blendcc.domain.errors import DomainError
from blendcc.routing.commands import run
from blendcc.routing.engine import Engine
from blendcc.routing.snapshot import FORMAT_VERSION, SnapshotError, capture, fingerprint, json_default, restore
from blendcc.testing.snapshot_traffic import centre, random_command

T0 = 1_700_000_000.0


def drive(engine: Engine, rng: random.Random, steps: int, start: int, now: float) -> tuple[list[ev.Event], float]:
    """Run ``steps`` random commands (refused ones leave no trace); return the events and the time reached."""
    log: list[ev.Event] = []
    for n in range(start, start + steps):
        now += rng.choice((0.0, 0.5, 2.0, 7.0, 30.0))
        command = random_command(rng, engine, n)
        try:
            log += run(engine, command, now)
        except DomainError:
            assert not engine.has_pending()
    return log, now


def roundtrip(engine: Engine) -> dict:
    """A capture as it is stored: through JSON."""
    data: dict = json.loads(json.dumps(capture(engine), default=json_default))
    return data


@pytest.mark.parametrize("seed", range(12))
def test_snapshot_plus_tail_equals_full_replay(seed: int) -> None:
    rng = random.Random(seed)
    cat = centre()
    live = Engine(cat, T0)
    head, now = drive(live, rng, rng.randint(20, 250), 0, T0)
    snap = roundtrip(live)
    tail, now = drive(live, rng, rng.randint(0, 200), 10_000, now)
    restored = restore(snap, cat, T0)
    restored.replay(tail)
    full = Engine(cat, T0)
    full.replay(head + tail)
    assert fingerprint(restored) == fingerprint(full)


@pytest.mark.parametrize("seed", range(12))
def test_a_restored_engine_decides_as_the_original(seed: int) -> None:
    """Same commands after the snapshot, same events: offers to the same agents, the same timeouts."""
    rng = random.Random(1000 + seed)
    cat = centre()
    live = Engine(cat, T0)
    _, now = drive(live, rng, rng.randint(20, 250), 0, T0)
    restored = restore(roundtrip(live), cat, now)
    rng_a, rng_b = random.Random(seed), random.Random(seed)
    a, _ = drive(live, rng_a, 200, 10_000, now)
    b, _ = drive(restored, rng_b, 200, 10_000, now)
    assert [e.to_dict() | {"type": e.type} for e in b] == [e.to_dict() | {"type": e.type} for e in a]
    assert fingerprint(restored) == fingerprint(live)


def test_dead_timers_are_left_out() -> None:
    rng = random.Random(7)
    live = Engine(centre(), T0)
    drive(live, rng, 300, 0, T0)
    assert len(capture(live)["timers"]) <= len(live._timers)
    assert len(restore(roundtrip(live), centre(), T0)._timers) == len(capture(live)["timers"])


def test_another_format_or_a_damaged_snapshot_is_refused() -> None:
    live = Engine(centre(), T0)
    drive(live, random.Random(3), 80, 0, T0)
    data = roundtrip(live)
    with pytest.raises(SnapshotError, match="format"):
        restore({**data, "version": FORMAT_VERSION + 1}, centre(), T0)
    with pytest.raises(SnapshotError, match="format"):
        restore([1, 2], centre(), T0)
    broken = {**data, "contacts": [["x"]] + data["contacts"]}
    with pytest.raises(SnapshotError, match="damaged"):
        restore(broken, centre(), T0)


def test_a_capture_restores_without_going_through_json() -> None:
    live = Engine(centre(), T0)
    drive(live, random.Random(11), 200, 0, T0)
    assert fingerprint(restore(capture(live), centre(), T0)) == fingerprint(restore(roundtrip(live), centre(), T0))
