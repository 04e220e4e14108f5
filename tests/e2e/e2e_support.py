"""End-to-end helpers: a real `blendcc serve` process, an HTTP client per user, headless Chromium via CDP."""

from __future__ import annotations

import base64
import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from functools import partial
from pathlib import Path
from typing import Any, NoReturn

import httpx
import pytest

from blendcc.testing.postgres import temporary_schema
from blendcc.testing.redis_check import redis_client as require_redis

CHROMIUM = "/usr/bin/chromium"
ADMIN_PASSWORD = "e2e-admin-pw"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_until(predicate: Callable[[], Any], timeout: float, what: str, every: float = 0.1) -> Any:
    """Poll ``predicate`` until it returns something truthy; fail naming ``what`` after ``timeout`` s."""
    deadline = time.monotonic() + timeout
    last: Any = None
    while time.monotonic() < deadline:
        last = predicate()
        if last:
            return last
        time.sleep(every)
    pytest.fail(f"timed out after {timeout:.0f} s waiting for {what} (last value: {last!r})", pytrace=False)


# ---------------------------------------------------------------------- databases


@contextlib.contextmanager
def pg_schema_url() -> Iterator[str]:
    """A PostgreSQL URL on a fresh schema (via the connection's ``search_path``); dropped afterwards."""
    with temporary_schema("e2e", _fail) as (_, url):
        yield url


def _fail(message: str) -> NoReturn:
    pytest.fail(message, pytrace=False)


# ---------------------------------------------------------------------- server process


class Server:
    """One `python -m blendcc.cli serve` process on a free port, logging to a file."""

    def __init__(self, database_url: str, log_dir: Path, extra_args: tuple[str, ...] = (),
                 env: dict[str, str] | None = None):
        self.database_url = database_url
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_dir = log_dir
        self.extra_args = extra_args
        self.env = {**os.environ, "BLENDCC_ADMIN_PASSWORD": ADMIN_PASSWORD, "BLENDCC_LOG_LEVEL": "warning",
                    **(env or {})}
        self.proc: subprocess.Popen[bytes] | None = None
        self.starts = 0

    def start(self, timeout: float = 30.0) -> Server:
        self.starts += 1
        log = open(self.log_dir / f"server-{self.port}-{self.starts}.log", "wb")  # noqa: SIM115
        args = [sys.executable, "-m", "blendcc.cli", "serve", "--port", str(self.port),
                "--database-url", self.database_url, *self.extra_args]
        self.proc = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT, env=self.env,
                                     start_new_session=True)
        log.close()
        wait_until(self._healthy, timeout, f"server on port {self.port} to answer /health (see {log.name})")
        return self

    def _healthy(self) -> bool:
        assert self.proc is not None
        if self.proc.poll() is not None:
            pytest.fail(f"server exited with {self.proc.returncode} while starting:\n{self.log_tail()}",
                        pytrace=False)
        try:
            return httpx.get(self.url + "/health", timeout=1.0).status_code == 200
        except httpx.HTTPError:
            return False

    def kill9(self) -> None:
        """SIGKILL the server and everything it started: no shutdown hooks, no flushing."""
        assert self.proc is not None
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(10)

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.kill9()

    def log_tail(self, lines: int = 40) -> str:
        logs = sorted(self.log_dir.glob(f"server-{self.port}-*.log"))
        if not logs:
            return ""
        return "\n".join(logs[-1].read_text(errors="replace").splitlines()[-lines:])


class Client:
    """A blocking HTTP client for one user of the server (bearer token fetched at creation)."""

    def __init__(self, base_url: str, username: str, password: str, timeout: float = 10.0):
        self.http = httpx.Client(base_url=base_url, timeout=timeout)
        r = self.http.post("/api/auth/token", json={"username": username, "password": password})
        assert r.status_code == 200, f"login {username}: {r.status_code} {r.text}"
        self.token = str(r.json()["access_token"])
        self.http.headers["Authorization"] = f"Bearer {self.token}"

    def request(self, method: str, path: str, json: Any = None) -> httpx.Response:
        return self.http.request(method, path, json=json)

    def ok(self, method: str, path: str, json: Any = None, expect: int = 200) -> Any:
        r = self.request(method, path, json)
        assert r.status_code == expect, f"{method} {path} -> {r.status_code}: {r.text}"
        return r.json()

    def get(self, path: str) -> Any:
        return self.ok("GET", path)

    def close(self) -> None:
        self.http.close()


# ---------------------------------------------------------------------- headless Chromium


def screenshot(url: str, out: Path, ready_js: str, steps: Sequence[tuple[str, str]] = (),
               size: tuple[int, int] = (1400, 900), timeout: float = 30.0) -> bytes:
    """Open ``url`` in headless Chromium, wait (real time) until ``ready_js`` is true, save a PNG.
    Fails if the page throws an uncaught JavaScript exception.

    ``steps`` are (wait_js, run_js) pairs done first, in order: wait until ``wait_js`` is true, then
    run ``run_js`` (e.g. fill in and submit a form).

    Driven over the DevTools protocol with the ``websockets`` client, so the page's WebSocket and
    timers run in real time (``--screenshot`` with a virtual time budget does not wait for them).
    """
    from websockets.sync.client import connect

    port = free_port()
    with tempfile.TemporaryDirectory(prefix="chromium-", ignore_cleanup_errors=True) as profile:
        proc = subprocess.Popen([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu",
                                 "--disable-background-networking", "--remote-allow-origins=*",
                                 f"--remote-debugging-port={port}", f"--user-data-dir={profile}",
                                 f"--window-size={size[0]},{size[1]}", "about:blank"],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            def page_ws() -> str | None:
                try:
                    targets = httpx.get(f"http://127.0.0.1:{port}/json/list", timeout=1.0).json()
                except (httpx.HTTPError, ValueError):
                    return None
                pages = [t["webSocketDebuggerUrl"] for t in targets if t.get("type") == "page"]
                return pages[0] if pages else None

            ws_url = wait_until(page_ws, timeout, "Chromium's DevTools endpoint", every=0.2)
            with connect(ws_url, max_size=None, open_timeout=timeout) as ws:
                ids = iter(range(1, 1_000_000))
                js_errors: list[str] = []

                def cdp(method: str, **params: Any) -> dict[str, Any]:
                    mid = next(ids)
                    ws.send(json.dumps({"id": mid, "method": method, "params": params}))
                    while True:
                        msg = json.loads(ws.recv(timeout=timeout))
                        if msg.get("method") == "Runtime.exceptionThrown":
                            js_errors.append(msg["params"]["exceptionDetails"].get("exception", {})
                                             .get("description", str(msg["params"]["exceptionDetails"])))
                        if msg.get("id") == mid:
                            if "error" in msg:
                                raise RuntimeError(f"CDP {method}: {msg['error']}")
                            result: dict[str, Any] = msg["result"]
                            return result

                cdp("Emulation.setDeviceMetricsOverride", width=size[0], height=size[1], deviceScaleFactor=1,
                    mobile=False)
                cdp("Runtime.enable")
                cdp("Page.navigate", url=url)

                def true(js: str) -> bool:
                    r = cdp("Runtime.evaluate", expression=f"Boolean({js})", returnByValue=True)
                    return bool(r.get("result", {}).get("value"))

                for wait_js, run_js in steps:
                    wait_until(partial(true, wait_js), timeout, f"the page to show ({wait_js})", every=0.1)
                    cdp("Runtime.evaluate", expression=run_js)
                wait_until(partial(true, ready_js), timeout, f"the page to be ready ({ready_js})", every=0.25)
                png = base64.b64decode(cdp("Page.captureScreenshot", format="png")["data"])
                assert not js_errors, f"uncaught JavaScript errors on {url}: {js_errors}"
        finally:
            proc.terminate()
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(5)
    out.write_bytes(png)
    return png


if __name__ == "__main__":  # manual check: python tests/e2e/e2e_support.py URL OUT.png [READY_JS]
    ready = sys.argv[3] if len(sys.argv) > 3 else "document.readyState === 'complete'"
    print(len(screenshot(sys.argv[1], Path(sys.argv[2]), ready)), "bytes")



def redis_or_skip() -> None:
    """Redis answers at REDIS_URL; outside CI the test is skipped when it does not, in CI it fails."""
    require_redis(pytest.fail, pytest.skip).close()
