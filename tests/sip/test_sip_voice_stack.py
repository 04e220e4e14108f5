"""The server's voice wiring (not started): queue position and expected wait from the engine and today's
stats, the routing calendars handed to the IVR, the prompt store shared with the API."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from blendcc.adapters.prompts import prompt_directory
from blendcc.app.acd.contacts import NewContact
from blendcc.domain.channels import Channel


def test_queue_status_calendars_and_prompt_store(sqlite_url: str, clock: Any, tmp_path: Path) -> None:
    from blendcc.bootstrap import build_container
    from blendcc.bootstrap.voice import VoiceStack
    from blendcc.config import Settings

    settings = Settings(database_url=sqlite_url, admin_password="stack-admin-pw", secret_key="k",
                        sip_enabled=True, sip_port=0, recording_dir=str(tmp_path / "rec"),
                        prompts_dir=str(tmp_path / "prompts"))
    c = build_container(settings, clock=clock, run_migrations=False)
    c.config.put("calendars", "office", {"timezone": "UTC", "weekly": {"mon": [{"start": "09:00", "end": "17:00"}]}},
                 "t")
    c.config.put("queues", "sales", {"name": "Sales", "wrap_up_s": 0, "offer_timeout_s": 60}, "t")
    c.config.put("agents", "a1", {"name": "Ann", "queues": ["sales"]}, "t")
    c.config.put("workflows", "main", {"default": [{"queue": "sales"}]}, "t")
    stack = VoiceStack(c, settings)
    try:
        assert set(stack._calendars()) == {"office"}
        assert stack.prompts.directory == prompt_directory(settings) == tmp_path / "prompts"

        def call(n: int) -> str:
            cid = f"v{n}"
            c.contacts.create(NewContact(channel=Channel.VOICE, contact_id=cid, caller_id=f"+4420794600{n:02d}"))
            return cid

        first = call(1)
        assert stack._queue_status(first) == (1, None)  # nobody staffed, no AHT yet: no wait announced
        c.agents.login("a1")
        c.agents.accept("a1", first)
        clock.advance(120)
        c.agents.end("a1", first)  # today's AHT: 120 s
        second = call(2)
        c.agents.accept("a1", second)  # a1 is busy with it (staffed)
        third = call(3)
        clock.advance(1)
        fourth = call(4)
        assert stack._queue_status(third) == (1, pytest.approx(120.0))
        assert stack._queue_status(fourth) == (2, pytest.approx(240.0))  # position x AHT / 1 staffed agent
        assert stack._queue_status(second) is None  # not waiting any more
    finally:
        stack.close()
        c.store.engine.dispose()


@pytest.mark.parametrize("telephony", ["none", "sip"])
def test_a_trunk_wires_the_dialer_only_with_telephony_sip(sqlite_url: str, clock: Any, tmp_path: Path,
                                                           telephony: str) -> None:
    """The trunk always carries IVR call-backs; outbound campaigns dial through it only when asked."""
    import asyncio

    from blendcc.app.outbound.ticker import stop_ticker
    from blendcc.bootstrap import build_container
    from blendcc.bootstrap.voice import VoiceStack
    from blendcc.config import Settings

    settings = Settings(database_url=sqlite_url, admin_password="stack-admin-pw", secret_key="k",
                        sip_enabled=True, sip_port=0, sip_trunk_uri="sip:127.0.0.1:5078", telephony=telephony,
                        recording_dir=str(tmp_path / "rec"))
    c = build_container(settings, clock=clock, run_migrations=False)
    stack = VoiceStack(c, settings)

    async def start_and_stop() -> None:
        try:
            await stack.start()
            assert stack.telephony is not None and stack.voice.dial_out is not None  # call-backs use the trunk
            assert (c.dialing is not None) is (telephony == "sip")
            if c.dialing is not None:
                assert c.dialing.ticker is None  # the lifespan's leader-only "dialing" service ticks it (ADR 0063)
            # the OPTIONS probe reports into crisis commands: it runs only while this node leads
            assert c.leader_only.running() == {"sip-trunk-options": False}
            c.leader_only.start_all()
            await asyncio.sleep(0.05)
            assert stack.trunk_monitor is not None and stack.trunk_monitor.probes == 1
            c.leader_only.stop_all()
            await asyncio.sleep(0.05)
            assert stack.trunk_monitor._stopped
        finally:
            stack.close()

    try:
        asyncio.run(start_and_stop())
    finally:
        stop_ticker(c.dialing)
        c.store.engine.dispose()
