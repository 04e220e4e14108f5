"""Ties a child process's life to its parent's: PR_SET_PDEATHSIG on Linux, and a parent-pid watch as fallback."""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import sys
import threading
import time

PR_SET_PDEATHSIG = 1  # <linux/prctl.h>


def die_with_parent(parent_pid: int, sig: int = signal.SIGTERM, poll_s: float = 1.0) -> None:
    """Have this process receive ``sig`` when ``parent_pid`` (the process that started it) dies, even by
    SIGKILL: the kernel's parent-death signal where there is one, and a thread noticing the re-parenting."""
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(PR_SET_PDEATHSIG, int(sig), 0, 0, 0)
    if os.getppid() != parent_pid:  # the parent died before the signal was armed
        os.kill(os.getpid(), sig)
        return
    threading.Thread(target=_watch, args=(parent_pid, sig, poll_s), daemon=True, name="parent-watch").start()


def _watch(parent_pid: int, sig: int, poll_s: float) -> None:
    while os.getppid() == parent_pid:
        time.sleep(poll_s)
    os.kill(os.getpid(), sig)  # a graceful stop first (the demo traffic handles SIGTERM) ...
    time.sleep(10.0)
    os._exit(1)  # ... and out regardless if that hangs
