"""Schemathesis over the whole /openapi.json of a real server, as admin, agent and anonymous.

Why a real server and the CLI: the server runs as ``blendcc serve`` (uvicorn in a subprocess, a temp SQLite
database, the test centre seeded through the API), so every middleware, the threadpool and the real HTTP
stack are exercised, and a request that hangs is cut by schemathesis' ``--request-timeout`` instead of
hanging the test (an in-process ASGI transport has no timeout). The CLI runs every phase schemathesis has:
the schema's examples, the coverage phase (boundaries and invalid values), fuzzing, and the stateful phase
(links it infers from the responses). Each role gets a fresh server, so one role's fuzzing does not
change what the next one sees, and a computation pinned by a hung request dies with its server.

Checks: no 5xx; the status code is documented; the content type is documented; the body matches the
documented schema. The run is bounded by ``--max-examples`` per operation and ``--max-time`` per role;
the failure message lists the requests cut by the timeout, the CLI's failures with a curl command each,
and the command that reproduces the run.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from conftest import ADMIN_PASSWORD, PASSWORD, Api, seed_centre

pytestmark = pytest.mark.slow  # real server processes (run by `make test`; `-m "not slow"` skips them)

CHECKS = "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance"
REQUEST_TIMEOUT_S = 10.0  # a request still running after this is reported (and its operation named)
#: role -> (examples per operation, seconds for the whole role, phases); about 3 minutes for the three roles
#: on 2 cores. BLENDCC_ST_SCALE=4 runs four times as many examples for four times as long.
SCALE = float(os.environ.get("BLENDCC_ST_SCALE", "1"))
BUDGET = {
    "admin": (15, 75, "examples,coverage,fuzzing,stateful"),
    "agent": (10, 45, "examples,coverage,fuzzing,stateful"),
    "anonymous": (3, 20, "examples,coverage,fuzzing"),  # every answer is 401: nothing to chain
}

#: Operations not fuzzed, and why (only those that cannot be fuzzed at all).
EXCLUDED = {
    # (POST only) the Anonymous Bank 1999 replay simulates a month of calls per valid log: minutes per request,
    # not a fuzz target; tests/sim/test_replay_api.py covers it with the real log
    "/api/sim/replay/bank1999",
}

#: PUT /api/users/{username} always writes the user "fuzzed": fuzzing the admin's own password would revoke the
#: token the run uses, and every later request would only test the 401 path.
CONFIG = """
[[operations]]
include-path = "/api/users/{username}"
parameters = { "path.username" = "fuzzed" }
"""

#: POST /api/auth/logout ends the session of the token it is sent with: it gets a token of its own (a second
#: login of the same user), or the first logout would turn every later request of the run into a 401.
LOGOUT = """
[[operations]]
include-path = "/api/auth/logout"
headers = {{ Authorization = "Bearer {token}" }}
"""

ROLES = {"admin": ("admin", ADMIN_PASSWORD), "agent": ("ann", PASSWORD), "anonymous": None}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    """``blendcc serve`` on a free port and a copy of the migrated template database."""

    def __init__(self, workdir: Path, template: Path):
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        db = workdir / "blendcc.db"
        shutil.copyfile(template, db)
        env = {**os.environ, "BLENDCC_ADMIN_PASSWORD": ADMIN_PASSWORD, "BLENDCC_SECRET_KEY": "schemathesis-secret",
               "BLENDCC_TIMEZONE": "UTC", "BLENDCC_LOG_LEVEL": "warning",
               "BLENDCC_TELEPHONY": "fake",  # the dialing loop runs, on simulated calls
               "BLENDCC_RECORDING_DIR": str(workdir / "recordings"),
               "BLENDCC_PROMPT_CACHE_DIR": str(workdir / "prompts"), "BLENDCC_PROMPTS_DIR": str(workdir / "prompts")}
        self.log = (workdir / "server.log").open("wb")
        self.proc = subprocess.Popen([sys.executable, "-m", "blendcc.cli", "serve", "--port", str(self.port),
                                      "--host", "127.0.0.1", "--database-url", f"sqlite:///{db}"],
                                     env=env, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"the server exited: {(workdir / 'server.log').read_text()[-2000:]}")
            try:
                if httpx.get(self.url + "/health", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.2)
        raise RuntimeError("the server did not answer /health within 60 s")

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)  # a hung computation must not outlive the test
            self.proc.wait(10)
        self.log.close()


@pytest.fixture
def server(tmp_path: Path, sqlite_template: Path) -> Iterator[Server]:
    srv = Server(tmp_path, sqlite_template)
    try:
        with httpx.Client(base_url=srv.url, timeout=30) as client:
            seed_centre(Api(client, None, None))
        yield srv
    finally:
        srv.stop()


def _token(url: str, who: tuple[str, str]) -> str:
    r = httpx.post(url + "/api/auth/token", json={"username": who[0], "password": who[1]}, timeout=30)
    assert r.status_code == 200, r.text
    return str(r.json()["access_token"])


@pytest.mark.parametrize("role", list(ROLES))
def test_schemathesis(role: str, server: Server, tmp_path: Path) -> None:
    who = ROLES[role]
    headers = ["-H", f"Authorization: Bearer {_token(server.url, who)}"] if who is not None else []
    excluded = [arg for path in sorted(EXCLUDED) for arg in ("--exclude-path", path)]
    report = tmp_path / "report"
    config = tmp_path / "schemathesis.toml"
    config.write_text(CONFIG + (LOGOUT.format(token=_token(server.url, who)) if who is not None else ""))
    examples, max_time, phases = BUDGET[role]
    max_time = round(max_time * SCALE)
    cmd = [sys.executable, "-m", "schemathesis.cli", "--config-file", str(config), "run", server.url + "/openapi.json",
           "--checks", CHECKS, "--max-examples", str(round(examples * SCALE)), "--max-time", str(max_time),
           "--request-timeout", str(REQUEST_TIMEOUT_S), "--seed", "1", "--workers", "1",
           "--phases", phases, "--suppress-health-check", "all",
           "--generation-database", "none", "--no-color", "--report", "ndjson",
           "--report-dir", str(report), *headers, *excluded]
    run = subprocess.run(cmd, check=False, capture_output=True, text=True, timeout=max_time * 3 + 120,
                         cwd=tmp_path)  # schemathesis keeps a .schemathesis cache in its working directory
    if run.returncode == 0:
        print(_digest(run.stdout))  # the run's summary (shown with -s or -rP)
        return
    shown = " ".join("'Authorization: Bearer <token>'" if a.startswith("Authorization:") else a for a in cmd)
    hung = "".join(f"\n  {h}" for h in _timeouts(report)) or " none"
    pytest.fail(f"schemathesis as {role} found violations (exit {run.returncode}).\n"
                f"Requests cut by the {REQUEST_TIMEOUT_S:g} s timeout (hung or too slow):{hung}\n"
                f"Reproduce the run with:\n  {shown}\n\n{_digest(run.stdout)}\n{run.stderr[-2000:]}",
                pytrace=False)


def _digest(stdout: str, width: int = 400) -> str:
    """The CLI's errors, failures and summary, each line cut to ``width`` (bodies can be megabytes)."""
    lines = stdout.splitlines()
    start = next((i for i, ln in enumerate(lines) if ln.startswith("=") and ("ERRORS" in ln or "FAILURES" in ln)),
                 max(0, len(lines) - 60))
    kept = [ln if len(ln) <= width else ln[:width] + " ..." for ln in lines[start:] if not ln.startswith("  - ")]
    return "\n".join(kept)


def _timeouts(report_dir: Path) -> list[str]:
    """Operations whose request was cut by the timeout (from the NDJSON report)."""
    out = []
    for path in report_dir.glob("*.ndjson"):
        with path.open() as f:
            for line in f:
                if line.startswith('{"NonFatalError"'):
                    value = json.loads(line)["NonFatalError"]
                    if "Timeout" in value["value"]["type"]:
                        out.append(f"{value['label']} ({value['phase']} phase): {value['value']['message']}")
    return out
