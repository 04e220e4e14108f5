"""SIPp driver for the voice tests and bench: network namespace, scenario templates, a voice server in process."""

from __future__ import annotations

import asyncio
import csv
import json
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

HERE = Path(__file__).resolve().parent
SCENARIOS = HERE / "scenarios"
PCAPS = Path("/usr/share/sip-tester")
SIP_PORT = 5060


def have_tools() -> str | None:
    """None when sipp, unshare and ip are there (and we are root), else what is missing."""
    for tool in ("sipp", "unshare", "ip"):
        if shutil.which(tool) is None:
            return f"{tool} is not installed (make system-deps)"
    if os.geteuid() != 0:
        return "network namespaces need root"
    return None


def run_in_netns(script: Path, args: list[str], timeout: float) -> dict[str, Any]:
    """Run ``script args`` in a private network namespace (loopback only); return its last-line JSON."""
    cmd = ["unshare", "-n", "sh", "-c", 'ip link set lo up && exec "$@"', "sh", sys.executable, str(script), *args]
    env = {**os.environ, "BLENDCC_IN_NETNS": "1"}
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=env, check=False)
    lines = [ln for ln in proc.stdout.splitlines() if ln.strip()]
    if proc.returncode != 0 or not lines:
        raise RuntimeError(f"netns run failed ({proc.returncode}):\n{proc.stdout[-3000:]}\n{proc.stderr[-5000:]}")
    return json.loads(lines[-1])  # type: ignore[no-any-return]


def netns_results(script: Path, args: list[str], timeout: float) -> dict[str, Any]:
    """``run_in_netns`` for a test module's fixture: skipped on a developer machine without SIPp (or root),
    failed under CI."""
    missing = have_tools()
    if missing:
        if os.environ.get("CI"):
            pytest.fail(f"SIPp tests cannot run: {missing}")
        pytest.skip(missing)
    return run_in_netns(script, args, timeout)


def scenario(name: str, out_dir: Path, **subst: str) -> Path:
    """Write scenario ``name`` with ``[key]`` placeholders (and PLAY_ACTIONS) substituted."""
    text = (SCENARIOS / f"{name}.xml").read_text()
    play = subst.pop("play", "")
    actions = ""
    if play:
        actions = "\n".join(f'  <nop><action><exec play_pcap_audio="{p}"/></action></nop>\n'
                            f'  <pause milliseconds="{ms}"/>'
                            for p, ms in (item.split("@") for item in play.split(",")))
    text = text.replace("PLAY_ACTIONS", actions)
    for k, v in subst.items():
        text = text.replace(f"[{k}]", v)
    path = out_dir / f"{name}-{abs(hash(tuple(sorted(subst.items())))) % 10**8}.xml"
    path.write_text(text)
    return path


@dataclass
class SippResult:
    rc: int
    successful: int
    failed: int
    retransmissions: int
    stderr: str
    screen: str


async def sipp(scenario_file: Path, work: Path, *, local_port: int, calls: int = 1, rate: float = 1.0,
               limit: int | None = None, timeout_s: float = 20.0, extra: list[str] | None = None,
               service: str = "main", uas: bool = False, rtp_port: int | None = None) -> SippResult:
    """Run SIPp to completion (bounded by ``calls`` and ``timeout_s``) and read its final statistics."""
    stat = work / f"stat-{local_port}.csv"
    stat.unlink(missing_ok=True)
    screen = work / f"screen-{local_port}.log"
    cmd = ["sipp", "-sf", str(scenario_file), "-i", "127.0.0.1", "-p", str(local_port), "-m", str(calls),
           "-r", f"{rate:g}", "-timeout", f"{timeout_s:g}s", "-timeout_error", "-nostdin", "-trace_stat",
           "-stf", str(stat), "-fd", "1", "-trace_screen", "-screen_file", str(screen),
           "-max_socket", "2000", "-mi", "127.0.0.1"]
    if rtp_port is not None:
        cmd += ["-mp", str(rtp_port)]
    if limit is not None:
        cmd += ["-l", str(limit)]
    if not uas:
        cmd += ["-s", service, f"127.0.0.1:{SIP_PORT}"]
    cmd += extra or []
    proc = await asyncio.create_subprocess_exec(*cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                                stderr=subprocess.PIPE, cwd=str(work))
    try:
        _, err = await asyncio.wait_for(proc.communicate(), timeout_s + 15)
    except TimeoutError:
        proc.kill()
        _, err = await proc.communicate()
    ok = failed = retrans = 0
    if stat.exists():
        rows = list(csv.DictReader(stat.open(), delimiter=";"))
        if rows:
            last = rows[-1]
            ok = int(last.get("SuccessfulCall(C)", 0) or 0)
            failed = int(last.get("FailedCall(C)", 0) or 0)
            retrans = int(last.get("Retransmissions(C)", 0) or 0)
    return SippResult(proc.returncode or 0, ok, failed, retrans, (err or b"").decode(errors="replace")[-2000:],
                      screen.read_text(errors="replace")[-3000:] if screen.exists() else "")


def workdir() -> Path:
    return Path(tempfile.mkdtemp(prefix="blendcc-sip-"))


async def register_phones(users: dict[str, str], port: int, edge_port: int = 5060,
                          expires: int = 600) -> dict[str, int]:
    """REGISTER each user's phone at 127.0.0.1:``port`` with the edge on ``edge_port``, from one UDP socket,
    answering the digest challenge by hand; returns user -> the final status code."""
    from blendcc.adapters.channels.sip.digest import authorization

    loop = asyncio.get_running_loop()
    inbox: asyncio.Queue[bytes] = asyncio.Queue()

    class Phone(asyncio.DatagramProtocol):
        def datagram_received(self, data: bytes, addr: Any) -> None:
            inbox.put_nowait(data)

    def request(user: str, cseq: int, auth: str | None) -> bytes:
        lines = ["REGISTER sip:127.0.0.1 SIP/2.0",
                 f"Via: SIP/2.0/UDP 127.0.0.1:{port};branch=z9hG4bKr{user}{port}{cseq}",
                 f"From: <sip:{user}@127.0.0.1>;tag=r{port}", f"To: <sip:{user}@127.0.0.1>",
                 f"Call-ID: reg-{user}-{port}", f"CSeq: {cseq} REGISTER",
                 f"Contact: <sip:{user}@127.0.0.1:{port}>", f"Expires: {expires}"]
        if auth:
            lines.append(f"Authorization: {auth}")
        return ("\r\n".join([*lines, "Content-Length: 0"]) + "\r\n\r\n").encode()

    edge = ("127.0.0.1", edge_port)
    status: dict[str, int] = {}
    tr, _ = await loop.create_datagram_endpoint(Phone, local_addr=("127.0.0.1", port))
    try:
        for user, password in users.items():
            tr.sendto(request(user, 1, None), edge)
            first = (await asyncio.wait_for(inbox.get(), 5)).decode()
            challenge = next(ln.split(":", 1)[1].strip() for ln in first.split("\r\n")
                             if ln.lower().startswith("www-authenticate:"))
            tr.sendto(request(user, 2, authorization(challenge, user, password, "REGISTER", "sip:127.0.0.1")), edge)
            status[user] = int((await asyncio.wait_for(inbox.get(), 5)).decode().split(" ")[1])
    finally:
        tr.close()
    return status
