"""Live-server fixtures for the agent desktop's browser tests: a real `blendcc serve` on SQLite with the SIP edge
on a free port and a seeded centre (chat/email/voice/sms queues, agents with users, customers with history, a
preview campaign with a list, dispositions), a Chromium launcher with fake media devices (the browser phone)
and a screenshot helper writing test-artifacts/desktop-<name>.png.

Use in a test module::

    from .desktop_live import desktop_browser, desktop_centre, desktop_shot  # noqa: F401 (fixtures)
"""

from __future__ import annotations

import json
import os
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from blendcc.domain.queue import QueueConfig
from e2e.e2e_support import ADMIN_PASSWORD, Client, Server, free_port

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
DESKTOP_DIST = Path(__file__).resolve().parents[2] / "src" / "blendcc" / "web" / "dist"
PASSWORD = "desktop-e2e-pw"
SIP_PASSWORD = "desktop-sip-pw"
ALWAYS = {d: [{"start": "00:00", "end": "24:00"}] for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
CHANNELS = ("chat", "email", "voice", "sms")
#: agent id -> (username, name, language): Ann works in English, Parisa in Persian
AGENTS = {"a1": ("ann", "Ann Archer", "en"), "a2": ("parisa", "Parisa Rahimi", "fa"),
          "a3": ("li", "Li Wei", "zh")}
DISPOSITIONS = {"resolved": "Resolved", "follow_up": "Follow-up needed", "escalated": "Escalated"}
CAMPAIGN = "renewals"
#: the preview campaign's list: London numbers (one time zone, so the import never asks for a tz column)
CAMPAIGN_LIST = ("record_id,phone,name,plan\n"
                 "r1,+442079460001,Olivia Brown,Fixed 12\n"
                 "r2,+442079460002,Jack Wilson,Variable\n"
                 "r3,+442079460003,Amelia Clark,Overnight\n")
#: customers who already called: the screen pop shows their card and history
CUSTOMERS = [{"name": "Maria Lopez", "identities": [{"kind": "chat", "value": "maria@example.org"},
                                                    {"kind": "email", "value": "maria@example.org"},
                                                    {"kind": "phone", "value": "+442079460100"}]},
             {"name": "Reza Karimi", "identities": [{"kind": "chat", "value": "reza@example.org"},
                                                    {"kind": "phone", "value": "+442079460101"}]}]


def free_udp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def needs(ok: bool, message: str) -> None:
    """Skip when a real component is missing, except in CI (there it fails)."""
    if not ok:
        if os.environ.get("CI"):
            pytest.fail(message, pytrace=False)
        pytest.skip(message)


@dataclass
class DesktopCentre:
    """The started server with its seeded centre: URLs, the admin's API client and one client per agent."""

    server: Server
    admin: Client
    sip_port: int
    customers: dict[str, str] = field(default_factory=dict)  # name -> customer id
    _clients: dict[str, Client] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return self.server.url

    @property
    def desktop_url(self) -> str:
        return self.server.url + "/desktop"

    def agent(self, username: str) -> Client:
        """The REST client of agent user ``username`` (signed in once, reused)."""
        if username not in self._clients:
            self._clients[username] = Client(self.url, username, PASSWORD)
        return self._clients[username]

    def new_contact(self, channel: str, caller_id: str, text: str, **extra: Any) -> dict[str, Any]:
        """A contact from the generic API channel, as a channel adapter hands it over; returns the outcome."""
        body = {"channel": channel, "caller_id": caller_id, "text": text, **extra}
        out: dict[str, Any] = self.admin.ok("POST", "/api/contacts", body, expect=201)
        return out

    def close(self) -> None:
        for client in self._clients.values():
            client.close()
        self.admin.close()


def seed(admin: Client) -> dict[str, str]:
    """What a centre configures through the API before agents open their desktops; returns the customers'
    ids by name."""
    a = admin.ok
    a("PUT", "/api/config/calendars/always", {"weekly": ALWAYS})
    queue_extra: dict[str, Any] = {}
    if "dispositions" in QueueConfig.model_fields:  # per-queue wrap-up codes (the desktop's wrap-up form)
        queue_extra["dispositions"] = [{"code": k, "label": v} for k, v in DISPOSITIONS.items()]
    for ch in CHANNELS:
        a("PUT", f"/api/config/queues/{ch}", {"name": ch.capitalize(), "calendar_id": "always", "wrap_up_s": None,
                                              "offer_timeout_s": 60, **queue_extra})
        a("PUT", f"/api/config/workflows/{ch}", {"name": ch.capitalize(), "channels": [ch],
                                                 "default": [{"queue": ch}]})
    for aid, (user, name, _lang) in AGENTS.items():
        a("PUT", f"/api/config/agents/{aid}", {"name": name, "queues": list(CHANNELS),
                                               "capacity": {"limits": {"voice": 1, "chat": 3, "email": 3,
                                                                       "sms": 3}}})
        a("PUT", f"/api/users/{user}", {"password": PASSWORD, "role": "agent", "agent_id": aid})
    a("PUT", "/api/users/sup", {"password": PASSWORD, "role": "supervisor"})
    ids = {c["name"]: a("POST", "/api/customers", c, expect=201)["id"] for c in CUSTOMERS}
    a("PUT", f"/api/campaigns/{CAMPAIGN}", {
        "name": "Renewals", "mode": "preview", "queue_id": "voice", "caller_id": "+442079460999",
        "default_region": "GB", "regulatory_mode": "uk", "calling_window": {"weekly": ALWAYS},
        "dispositions": {"sale": "done", "not_interested": "done", "callback": "callback",
                         "wrong_number": "bad", "dnc": "dnc"}})
    r = admin.http.post(f"/api/campaigns/{CAMPAIGN}/lists", content=CAMPAIGN_LIST.encode(),
                        headers={"content-type": "text/csv"})
    assert r.status_code in (200, 201), f"list import: {r.status_code} {r.text}"
    assert r.json()["accepted"] == 3, r.json()
    a("POST", f"/api/campaigns/{CAMPAIGN}/start", {})
    return ids


@contextmanager
def live_desktop(path: Path, extra_env: dict[str, str] | None = None) -> Iterator[DesktopCentre]:
    """`blendcc serve` on a fresh SQLite file in ``path``, the SIP edge on a free UDP port, dialer telephony
    simulated (every preview call answered), ``extra_env`` on top, and the seeded centre."""
    sip_port, rtp = free_udp_port(), free_port()
    rtp_min = 20000 + (rtp % 20000) // 2 * 2  # an even port range of its own, away from other runs
    env = {"BLENDCC_SIP_ENABLED": "true", "BLENDCC_SIP_PORT": str(sip_port), "BLENDCC_SIP_HOST": "127.0.0.1",
           "BLENDCC_SIP_USERS": json.dumps({aid: SIP_PASSWORD for aid in AGENTS}),
           "BLENDCC_RTP_PORT_MIN": str(rtp_min), "BLENDCC_RTP_PORT_MAX": str(rtp_min + 200),
           "BLENDCC_RECORDING_DIR": str(path / "recordings"),
           "BLENDCC_PROMPT_CACHE_DIR": str(path / "prompt-cache"),
           "BLENDCC_TELEPHONY": "fake", "BLENDCC_FAKE_TELEPHONY_MIX": json.dumps({"human": 1.0}),
           "BLENDCC_WEBCHAT_ATTACHMENT_DIR": str(path / "chat-attachments"),
           "BLENDCC_EMAIL_ATTACHMENT_DIR": str(path / "email-attachments"), **(extra_env or {})}
    server = Server(f"sqlite:///{path / 'desktop.db'}", path, env=env)
    server.start(timeout=60)
    centre: DesktopCentre | None = None
    try:
        admin = Client(server.url, "admin", ADMIN_PASSWORD)
        centre = DesktopCentre(server, admin, sip_port)
        centre.customers = seed(admin)
        yield centre
    finally:
        if centre is not None:
            centre.close()
        server.stop()


@pytest.fixture(scope="module")
def desktop_centre(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DesktopCentre]:
    """The live desktop centre (see ``live_desktop``), one per test module."""
    with live_desktop(tmp_path_factory.mktemp("desktop")) as centre:
        yield centre


@pytest.fixture(scope="module")
def desktop_browser() -> Iterator[Any]:
    """Headless Chromium for the desktop: fake camera/microphone granted without a prompt (browser phone)."""
    needs(os.path.exists(CHROMIUM), f"{CHROMIUM} is not installed (Debian package chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--use-fake-ui-for-media-stream",
            "--use-fake-device-for-media-stream", "--autoplay-policy=no-user-gesture-required"])
        yield b
        b.close()


@pytest.fixture
def desktop_shot() -> Any:
    """``desktop_shot(page, name)``: a full-page screenshot kept in test-artifacts/desktop-<name>.png."""
    ARTIFACTS.mkdir(exist_ok=True)

    def take(page: Any, name: str) -> Path:
        out = ARTIFACTS / f"desktop-{name}.png"
        page.screenshot(path=str(out), full_page=True)
        assert out.stat().st_size > 1000, f"{out} looks empty"
        return out

    return take
