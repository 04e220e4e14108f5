"""A sampling profiler for a Python process whose threads matter (py-spy's method, in-process, stdlib only).

Runs a module as ``python -m`` would, with a daemon thread that reads every other thread's stack
(``sys._current_frames``) every ``BLENDCC_SAMPLE_MS`` milliseconds (default 5). At exit it writes the collapsed
stacks (``frame;frame;... count``, one line per distinct stack, the format flame-graph tools read) to ``OUT`` and
a summary of self and inclusive shares per function to ``OUT.top``. The same weighted by the CPU time each thread
used since the previous sample (``/proc/self/task/<tid>/schedstat``, nanoseconds on a CPU; a lock, the GIL, a
socket or SQLite's writer lock waited on costs nothing) go to ``OUT.cpu`` and ``OUT.cpu.top`` (in microseconds):
where the CPU goes, where ``OUT`` shows where the threads are. The sampler holds the GIL while it reads, so it slows the
process a little; the shares are what it is for, not absolute times.

    python bench/stack_sampler.py OUT blendcc.cli serve --port 8000 ...
"""

from __future__ import annotations

import atexit
import collections
import os
import runpy
import signal
import sys
import threading
import time
from pathlib import Path
from types import FrameType

#: leaf frames of a thread that waits (a lock, a queue, the event loop's poll in C: uvloop shows ``run``)
IDLE = {"wait (threading.py)", "select (selectors.py)", "_worker (thread.py)", "get (queue.py)",
        "run_forever (base_events.py)", "_run_once (base_events.py)", "run (runners.py)"}


def _idle(leaf: str) -> bool:
    return leaf.rsplit(":", 1)[0] + ")" in IDLE


def _name(frame: FrameType) -> str:
    return f"{frame.f_code.co_name} ({Path(frame.f_code.co_filename).name}:{frame.f_code.co_firstlineno})"


def _stack(frame: FrameType | None) -> tuple[str, ...]:
    names: list[str] = []
    while frame is not None:
        names.append(_name(frame))
        frame = frame.f_back
    return tuple(reversed(names))


class Sampler:
    def __init__(self, out: Path, every_s: float) -> None:
        self.out, self.every_s = out, every_s
        self.stacks: collections.Counter[tuple[str, ...]] = collections.Counter()
        self.cpu: collections.Counter[tuple[str, ...]] = collections.Counter()  # CPU microseconds per stack
        self.cpu_ns: dict[int, int] = {}  # native thread id -> its CPU time at the previous sample
        self.samples = 0
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._loop, name="stack-sampler", daemon=True)

    def _loop(self) -> None:
        me = threading.get_ident()
        written = time.monotonic()
        while not self.stop.wait(self.every_s):
            self.samples += 1
            if time.monotonic() - written > 30:  # a process killed before its exit still leaves its stacks
                self.write(final=False)
                written = time.monotonic()
            native = {t.ident: t.native_id for t in threading.enumerate()}
            for ident, frame in sys._current_frames().items():
                if ident != me:
                    stack = _stack(frame)
                    self.stacks[stack] += 1
                    used = self._cpu_since(native.get(ident))
                    if used:
                        self.cpu[stack] += used

    def write(self, final: bool = True) -> None:
        if final:
            self.stop.set()
        _write(self.out, self.samples, {s: n for s, n in list(self.stacks.items()) if s and not _idle(s[-1])},
               self.stacks)
        _write(Path(f"{self.out}.cpu"), self.samples, dict(self.cpu), self.cpu)

    def _cpu_since(self, native_id: int | None) -> int:
        """Microseconds of CPU the thread used since the previous sample (0 the first time, or unreadable)."""
        if native_id is None:
            return 0
        try:
            ns = int(Path(f"/proc/self/task/{native_id}/schedstat").read_text().split()[0])
        except (OSError, ValueError, IndexError):
            return 0
        before = self.cpu_ns.get(native_id)
        self.cpu_ns[native_id] = ns
        return 0 if before is None else max(0, ns - before) // 1000


def _write(out: Path, samples: int, busy: dict[tuple[str, ...], int],
           stacks: collections.Counter[tuple[str, ...]]) -> None:
    """The collapsed ``stacks`` to ``out``, the self and inclusive shares of ``busy`` to ``out.top``."""
    with out.open("w") as f:
        for stack, n in list(stacks.items()):
            f.write(";".join(stack) + f" {n}\n")
    total = sum(busy.values()) or 1
    own: collections.Counter[str] = collections.Counter()
    incl: collections.Counter[str] = collections.Counter()
    for stack, n in busy.items():
        own[stack[-1]] += n
        for name in set(stack):
            incl[name] += n
    with Path(f"{out}.top").open("w") as f:
        f.write(f"{samples} samples, {total} busy thread-samples (or CPU microseconds)\n\nself\n")
        for name, n in own.most_common(60):
            f.write(f"{100 * n / total:6.2f} %  {name}\n")
        f.write("\ninclusive\n")
        for name, n in incl.most_common(120):
            f.write(f"{100 * n / total:6.2f} %  {name}\n")


def main() -> None:
    if len(sys.argv) < 3:
        print(__doc__, file=sys.stderr)
        raise SystemExit(2)
    out, module = Path(sys.argv[1]), sys.argv[2]
    sampler = Sampler(out, float(os.environ.get("BLENDCC_SAMPLE_MS", "5")) / 1000)
    atexit.register(sampler.write)

    def on_term(signum: int, _frame: object) -> None:
        # uvicorn restores this handler after its graceful shutdown and raises SIGTERM again, which would end
        # the process without running atexit: write first, then die of the signal as before
        sampler.write()
        signal.signal(signum, signal.SIG_DFL)
        os.kill(os.getpid(), signum)

    signal.signal(signal.SIGTERM, on_term)
    sampler.thread.start()
    sys.argv = [module, *sys.argv[3:]]
    started = time.monotonic()
    try:
        runpy.run_module(module, run_name="__main__", alter_sys=True)
    finally:
        print(f"stack_sampler: {time.monotonic() - started:.0f} s sampled into {out}", file=sys.stderr)


if __name__ == "__main__":
    main()
