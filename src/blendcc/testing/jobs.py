"""Jobs that never finish, for the tests of :func:`blendcc.api.compute.run_bounded` (a worker process
and its own child must both be killed at the deadline)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def spin_forever(pid_file: str, with_child: bool = False) -> None:
    """Write this process's pid (and a child's) to ``pid_file``, then keep a core busy forever."""
    pids = [os.getpid()]
    if with_child:
        child = subprocess.Popen([sys.executable, "-c", "while True: pass"])
        pids.append(child.pid)
    Path(pid_file).write_text(" ".join(map(str, pids)))
    while True:
        pass


def answer(value: int) -> int:
    """A job that finishes at once."""
    return value * 2


def never_answer(*args: object, **kwargs: object) -> None:
    """Stands in for a computation (any arguments) that never finishes: the route's deadline must stop it."""
    while True:
        pass
