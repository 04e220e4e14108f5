"""SQLite writers of one process queue on a per-file lock (not in SQLite's busy handler); the pool fits them."""

from __future__ import annotations

import threading
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import make_url

from blendcc.adapters.storage.engine import (
    SQLITE_POOL_OVERFLOW,
    SQLITE_POOL_SIZE,
    _writer_lock,
    make_engine,
    writer,
)


def test_concurrent_writers_of_two_engines_all_commit_in_turn(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'w.db'}"
    first, second = make_engine(url), make_engine(url)
    try:
        with writer(first).begin() as conn:
            conn.execute(text("CREATE TABLE t (n INTEGER, who INTEGER)"))
        inside = 0
        overlap: list[int] = []
        errors: list[BaseException] = []
        guard = threading.Lock()

        def write(who: int) -> None:
            nonlocal inside
            try:
                for n in range(20):
                    with writer(first if who % 2 else second).begin() as conn:
                        with guard:
                            inside += 1
                            overlap.append(inside)
                        conn.execute(text("INSERT INTO t VALUES (:n, :who)"), {"n": n, "who": who})
                        with guard:
                            inside -= 1
            except BaseException as exc:
                errors.append(exc)

        threads = [threading.Thread(target=write, args=(w,)) for w in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert errors == []
        assert max(overlap) == 1  # one write transaction at a time, across both engines
        with first.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM t")).scalar() == 8 * 20
    finally:
        first.dispose()
        second.dispose()


def test_a_rolled_back_writer_releases_the_lock(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'r.db'}"
    engine = make_engine(url)
    try:
        with writer(engine).begin() as conn:
            conn.execute(text("CREATE TABLE t (x INTEGER)"))
        lock = _writer_lock(make_url(url), False)
        assert not lock.locked()
        try:
            with writer(engine).begin() as conn:
                assert lock.locked()  # held from BEGIN IMMEDIATE on
                conn.execute(text("INSERT INTO t VALUES (1)"))
                raise RuntimeError("refused")
        except RuntimeError:
            pass
        assert not lock.locked()
        with engine.begin() as conn:  # a reader's transaction does not take it
            assert not lock.locked()
            conn.execute(text("SELECT count(*) FROM t"))
        done = threading.Event()

        def write() -> None:
            with writer(engine).begin() as conn:
                conn.execute(text("INSERT INTO t VALUES (2)"))
            done.set()

        t = threading.Thread(target=write)
        t.start()
        t.join(30)
        assert done.is_set()
        assert not lock.locked()
        with engine.connect() as conn:
            assert [r[0] for r in conn.execute(text("SELECT x FROM t"))] == [2]
    finally:
        engine.dispose()


def test_file_engines_pool_a_connection_per_request_thread(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'p.db'}")
    try:
        assert engine.pool.size() == SQLITE_POOL_SIZE  # type: ignore[attr-defined]
        assert SQLITE_POOL_SIZE + SQLITE_POOL_OVERFLOW >= 40  # the server's worker threads
        held = [engine.connect() for _ in range(40)]  # never waits for a connection
        for conn in held:
            conn.close()
    finally:
        engine.dispose()
