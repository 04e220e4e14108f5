"""Wallboard in a real browser: the main thread's time per wallboard render on a large generated centre.

In one process: the generated centre of bench/wallboard.py (``--agents`` 1,000 agents in 2-3 of ``--queues``
50 queues, all logged in; the real container on SQLite in a temporary directory), the real API app served by
uvicorn (its background publishes a wallboard frame after events and every second), and a driver thread that
changes the board at ``--rate`` commands per second. Headless Chromium (Playwright, /usr/bin/chromium) opens
the console's wallboard as the admin (kiosk sign-in link), at ``--width`` px.

What is measured, in the page (an init script, before the console's own code): every "stats" frame the
console's socket receives and every once-a-second tick of the page (setInterval 1000 ms: the ticking
durations) is timed on the main thread from the start of its handler to after the next task, with a forced
style and layout in between: the handler, Preact's render (a microtask of the same task), the DOM changes,
style and layout. Long tasks (> 50 ms, PerformanceObserver "longtask") are counted as well.

    python bench/wallboard_browser.py [--agents 1000] [--queues 50] [--rate 50] [--seconds 20] [--width 1280]

The last line is one JSON object: ``agents``, ``queues``, ``render_p50_ms``, ``render_p99_ms`` (the target is
under 100 ms per frame), the number of frames and ticks measured, long tasks and the largest.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from blendcc.api.app import create_app
from blendcc.bootstrap import build_container
from blendcc.config import Settings
from blendcc.routing import commands as cmd
from wallboard import ADMIN_PASSWORD, Driver, _configure, serve

CHROMIUM = "/usr/bin/chromium"
TARGET_MS = 100.0

#: runs in the page before its scripts: times each stats frame's and each 1 s tick's work on the main thread
PROBE = """(() => {
  const out = window.__wb = { frames: [], ticks: [], longtasks: [] };
  try {
    new PerformanceObserver((l) => { for (const e of l.getEntries()) out.longtasks.push(e.duration); })
      .observe({ type: "longtask", buffered: true });
  } catch (e) { /* no long task API */ }
  const ch = new MessageChannel();
  const waiting = [];
  ch.port1.onmessage = () => {
    void document.body.offsetHeight;  // style and layout of what the task changed, if not done yet
    const end = performance.now();
    for (const [list, t0] of waiting.splice(0)) list.push(end - t0);
  };
  const timed = (list, fn) => function (...args) {
    const t0 = performance.now();
    try { return fn.apply(this, args); } finally { waiting.push([list, t0]); ch.port2.postMessage(0); }
  };
  const desc = Object.getOwnPropertyDescriptor(WebSocket.prototype, "onmessage");
  Object.defineProperty(WebSocket.prototype, "onmessage", {
    configurable: true, get() { return desc.get.call(this); },
    set(fn) {
      desc.set.call(this, fn && function (ev) {
        const stats = typeof ev.data === "string" && ev.data.slice(0, 200).includes('"stats"');
        return stats ? timed(out.frames, fn).call(this, ev) : fn.call(this, ev);
      });
    },
  });
  const setInterval0 = window.setInterval;
  window.setInterval = function (fn, ms, ...rest) {
    return setInterval0.call(window, ms === 1000 && typeof fn === "function" ? timed(out.ticks, fn) : fn, ms, ...rest);
  };
})();"""


def _pct(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))], 1)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--agents", type=int, default=1000)
    ap.add_argument("--queues", type=int, default=50)
    ap.add_argument("--rate", type=float, default=50.0, help="commands per second")
    ap.add_argument("--seconds", type=float, default=20.0)
    ap.add_argument("--width", type=int, default=1280)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="bench-wallboard-browser-") as tmp:
        settings = Settings(database_url=f"sqlite:///{Path(tmp) / 'wb.db'}", admin_password=ADMIN_PASSWORD,
                            secret_key="bench-secret-key-0123456789", timezone="UTC", token_ttl_s=3600)
        c = build_container(settings)
        agent_ids = _configure(c, args.agents, args.queues, rng)
        for aid in agent_ids:
            c.runtime.execute(cmd.LogIn(aid))
        server, serving, base = serve(create_app(c))
        tokens = httpx.post(f"{base}/api/auth/token", json={"username": "admin", "password": ADMIN_PASSWORD},
                            timeout=30).json()
        driver = Driver(c, agent_ids, args.queues, rng)
        for _ in range(int(args.rate * 2)):  # the board fills with work before the page opens
            driver.step()
        stop = threading.Event()

        def drive() -> None:
            start, k = time.perf_counter(), 0
            while not stop.is_set():
                due = start + k / args.rate
                if due > time.perf_counter():
                    time.sleep(due - time.perf_counter())
                driver.step()
                k += 1

        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
            page = browser.new_page(viewport={"width": args.width, "height": 900})
            page.add_init_script(PROBE)
            errors: list[str] = []
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            page.goto(f"{base}/console/#token={tokens['access_token']}&refresh={tokens['refresh_token']}")
            page.wait_for_selector(".wb table tbody tr", timeout=60000)
            # the agents' table is the board's first (the IVR table follows it)
            rows = page.evaluate("document.querySelector('.wb table').querySelectorAll('tbody tr').length")
            page.evaluate("for (const k of ['frames', 'ticks', 'longtasks']) window.__wb[k].length = 0")
            driving = threading.Thread(target=drive, daemon=True)
            driving.start()
            page.wait_for_timeout(args.seconds * 1000)
            stop.set()
            driving.join(10)
            got: dict[str, list[float]] = page.evaluate("window.__wb")
            browser.close()
        server.should_exit = True
        serving.join(15)
        c.store.engine.dispose()
    frames, ticks, longs = got["frames"], got["ticks"], got["longtasks"]
    both = frames + ticks
    print(f"{args.agents} agents, {args.queues} queues; {rows} agent rows on the page at {args.width} px; "
          f"{driver.commands} commands in {args.seconds:.0f} s", file=sys.stderr)
    print(f"stats frames: {len(frames)}, p50 {_pct(frames, 0.5)} ms, p99 {_pct(frames, 0.99)} ms; "
          f"1 s ticks: {len(ticks)}, p50 {_pct(ticks, 0.5)} ms, p99 {_pct(ticks, 0.99)} ms")
    print(f"long tasks (> 50 ms): {len(longs)}, largest {_pct(longs, 1.0)} ms; page errors: {len(errors)}")
    p99 = _pct(both, 0.99)
    print(json.dumps({"agents": args.agents, "queues": args.queues, "render_p50_ms": _pct(both, 0.5),
                      "render_p99_ms": p99, "frame_p99_ms": _pct(frames, 0.99), "tick_p99_ms": _pct(ticks, 0.99),
                      "frames": len(frames), "ticks": len(ticks), "long_tasks": len(longs),
                      "long_task_max_ms": _pct(longs, 1.0), "agent_rows": rows, "width": args.width,
                      "page_errors": len(errors), "target_ms": TARGET_MS,
                      "within_target": p99 is not None and p99 < TARGET_MS}))


if __name__ == "__main__":
    main()
