"""Long API computations (Erlang, staffing, simulation, forecasting, schedules) run in a worker process
that is killed at its deadline: the request gets a 503, no thread or core is left busy, shutdown does
not wait on it (docs/adr/0020-compute-deadlines.md).

Workers are forked from a forkserver (clean, single-threaded, with the numeric modules preloaded), so a
job costs a fork, not an interpreter start. Each worker leads its own process group (a simulation's own
replication processes die with it) and arms ``SIGALRM`` as a last resort should the server itself die.
"""

from __future__ import annotations

import contextlib
import math
import multiprocessing
import os
import signal
import threading
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any, TypeVar

from blendcc.domain.errors import DomainError

T = TypeVar("T")

#: Modules imported once in the forkserver, so each worker starts with them loaded.
PRELOAD = ["numpy", "pandas", "blendcc.wfm.erlang", "blendcc.wfm.staffing", "blendcc.sim.run",
           "blendcc.sim.staffing"]
#: Jobs running at once; more wait for a slot (within their deadline).
MAX_JOBS = max(1, os.cpu_count() or 1)
#: Seconds a worker outlives its deadline before it kills itself (the server normally kills it first).
GRACE_S = 5.0

_slots = threading.BoundedSemaphore(MAX_JOBS)
_context_lock = threading.Lock()
_context: Any = None


class DeadlineExceeded(DomainError):
    """The computation outlived its deadline and was stopped (HTTP 503)."""

    code = "unavailable"


def _mp_context() -> Any:
    global _context
    with _context_lock:
        if _context is None:
            ctx = multiprocessing.get_context("forkserver")
            ctx.set_forkserver_preload(PRELOAD)
            _context = ctx
        return _context


def _child(conn: Connection, fn: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any],
           alarm_s: int) -> None:
    os.setpgrp()  # its own process group: killing the group stops the job's own worker processes too
    signal.signal(signal.SIGALRM, signal.SIG_DFL)
    signal.alarm(alarm_s)  # dies on its own if nobody kills it (the server was killed)
    try:
        outcome: tuple[str, Any] = ("ok", fn(*args, **kwargs))
    except DomainError as exc:
        outcome = ("refused", (type(exc), exc.message))
    except ValueError as exc:  # the numeric core's own argument checks
        outcome = ("refused", (DomainError, str(exc)))
    except ArithmeticError as exc:  # overflow on numbers the bounds let through
        outcome = ("refused", (DomainError, f"a number is out of the range this computation supports ({exc})"))
    except BaseException as exc:
        outcome = ("crashed", f"{type(exc).__name__}: {exc}")
    try:
        conn.send(outcome)
    finally:
        conn.close()


def run_bounded(fn: Callable[..., T], /, *args: Any, deadline_s: float, what: str, **kwargs: Any) -> T:
    """``fn(*args, **kwargs)`` in a worker process; :class:`DeadlineExceeded` when it has not answered
    within ``deadline_s`` seconds (the worker and its children are then killed). ``fn`` must be a
    module-level function; its arguments and result must pickle. Domain errors raised by ``fn`` are
    raised again here; any other failure becomes a ``RuntimeError``."""
    if not (math.isfinite(deadline_s) and deadline_s > 0):
        raise ValueError(f"deadline must be > 0 seconds, got {deadline_s}")
    if not _slots.acquire(timeout=deadline_s):
        raise DeadlineExceeded(f"{what}: the server is busy with other computations; try again shortly")
    try:
        ctx = _mp_context()
        receiver, sender = ctx.Pipe(duplex=False)
        proc = ctx.Process(target=_child, args=(sender, fn, args, kwargs, math.ceil(deadline_s + GRACE_S)),
                           name=f"blendcc-{what}", daemon=False)
        proc.start()
        sender.close()
        try:
            if not receiver.poll(deadline_s):
                raise DeadlineExceeded(f"{what} did not finish within its {deadline_s:g} s deadline and was "
                                       "stopped; ask for less work (or use the command line)")
            try:
                status, value = receiver.recv()
            except EOFError:
                raise RuntimeError(f"{what}: the worker process died (exit code {proc.exitcode})") from None
        finally:
            receiver.close()
            _kill(proc)
    finally:
        _slots.release()
    if status == "refused":
        cls, message = value
        raise cls(message)
    if status == "crashed":
        raise RuntimeError(f"{what} failed in its worker process: {value}")
    result: T = value
    return result


def _kill(proc: Any) -> None:
    """Kill the worker's process group (it and its own children), then reap the worker."""
    if proc.pid is not None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGKILL)
    if proc.is_alive():
        proc.kill()
    proc.join()
