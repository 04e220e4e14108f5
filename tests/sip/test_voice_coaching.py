"""Supervisor coaching on a live call: from listening, whisper (the agent hears the supervisor, the customer
does not) and barge (a three-way call), then back to listening; on real RTP sockets through the gateway's
mixer, and the voice service's rules (who is listening, when a call can take it)."""

from __future__ import annotations

import asyncio
import math
import struct
from pathlib import Path
from typing import Any

import pytest
from sip_fakes import FakeLeg
from test_sip_voice_service import setup  # noqa: F401 (fixture)
from test_voice_controls_media import Peer, _Call, peer, power, until

from blendcc.adapters.channels.sip.gateway import SipGateway, SipLeg
from blendcc.adapters.channels.sip.sdp import PCMA, PCMU

TONES = {"customer": 500.0, "agent": 1100.0, "sup": 1700.0}
CODECS = {"customer": PCMA, "agent": PCMU, "sup": PCMU}


def test_whisper_reaches_the_agent_only_barge_everyone_and_listen_again_nobody(tmp_path: Path) -> None:
    async def run() -> None:
        loop = asyncio.get_running_loop()
        gw = SipGateway("127.0.0.1", 0, "127.0.0.1", (41300, 41320), rtp_timeout_s=0)
        await gw.start()
        peers: dict[str, Peer] = {}
        legs: dict[str, SipLeg] = {}
        for name, codec in CODECS.items():
            ep = gw._endpoint(codec, 101)
            legs[name] = gw._new_leg({"sup": "listener"}.get(name, name), _Call(), ep)  # type: ignore[arg-type]
            peers[name] = await peer(loop)
            ep.remote = peers[name].addr
        await until(lambda: all(leg.rtp.transport is not None for leg in legs.values()))
        cust, agent, sup = legs["customer"], legs["agent"], legs["sup"]
        gw.bridge(cust, agent)
        assert gw.record(cust, tmp_path / "call.wav")
        assert gw.listen(cust, sup)

        async def talk(frames: int = 20) -> dict[str, int]:
            await asyncio.sleep(0.1)  # what was mixed before is delivered before the marks
            marks = {n: len(p.packets) for n, p in peers.items()}
            for i in range(frames):
                for n, freq in TONES.items():
                    w = 2 * math.pi * freq / 8000
                    pcm = struct.pack("<160h", *(int(6000 * math.sin(w * (i * 160 + k))) for k in range(160)))
                    peers[n].send(legs[n].rtp.port, CODECS[n], pcm)
                await asyncio.sleep(0.02)
            await asyncio.sleep(0.1)
            return marks

        def heard(name: str, marks: dict[str, int]) -> dict[str, float]:
            pcm = peers[name].audio(CODECS[name], marks[name])
            assert len(pcm) >= 160 * 8, f"{name} received too little audio"
            return {n: power(pcm, f) for n, f in TONES.items()}

        def loud(p: dict[str, float], yes: str, no: str) -> bool:
            return p[yes] > 1000 * p[no]

        marks = await talk()  # listening: the supervisor hears both, nobody hears the supervisor
        s, c, a = heard("sup", marks), heard("customer", marks), heard("agent", marks)
        assert loud(s, "customer", "sup") and loud(s, "agent", "sup")
        assert loud(c, "agent", "sup") and loud(a, "customer", "sup")

        assert gw.coach(cust, agent, sup, "whisper")
        assert cust.mixer is agent.mixer is sup.mixer is not None and cust.bridge is None
        marks = await talk()
        s, c, a = heard("sup", marks), heard("customer", marks), heard("agent", marks)
        assert loud(a, "sup", "agent") and loud(a, "customer", "agent")  # the agent hears the whisper
        assert loud(c, "agent", "sup")  # the customer does not
        assert loud(s, "customer", "sup") and loud(s, "agent", "sup")

        assert gw.coach(cust, agent, sup, "barge")
        marks = await talk()
        c = heard("customer", marks)
        assert loud(c, "sup", "customer") and loud(c, "agent", "customer")  # three-way

        assert gw.coach(cust, agent, sup, "listen")
        assert sup.mixer is None and cust.bridge is agent.bridge is not None
        marks = await talk()
        s, c, a = heard("sup", marks), heard("customer", marks), heard("agent", marks)
        assert loud(s, "customer", "sup") and loud(s, "agent", "sup")
        assert loud(c, "agent", "sup") and loud(a, "customer", "sup")
        seconds = gw.stop_recording(cust)  # the recording went on through the mix and back
        assert seconds is not None and seconds > 2.0
        assert not gw.coach(cust, agent, sup, "shout")
        gw.hold(cust, True)
        assert not gw.coach(cust, agent, sup, "barge")  # a held call is not barged into
        gw.close()

    asyncio.run(run())


def test_the_service_moves_a_listening_supervisor_and_refuses_what_it_cannot(setup: Any) -> None:  # noqa: F811
    c, voice, gw, _clock = setup
    gw.phones.update({"a1", "sup"})
    pushed: list[tuple[str, str]] = []
    c.bus.subscribe("monitor", lambda _t, m: pushed.append((m["phone"], m["mode"])))
    c.agents.login("a1")
    voice.incoming(FakeLeg("cust-1"), "+44", "1")
    vc = next(iter(voice.calls.values()))
    voice.agent_answered(vc.agent_leg)
    voice.listen_in(vc.contact_id, "sup")
    sup_leg = vc.listeners[0]
    assert voice.monitors(vc.contact_id) == [{"leg": sup_leg.id, "phone": "sup", "mode": "ringing"}]
    with pytest.raises(Exception, match="not listening"):
        voice.coach(vc.contact_id, "sup", "whisper")  # the phone still rings
    voice.agent_answered(sup_leg)  # the gateway rings a supervisor's phone like an agent's: still a listener
    assert ("listen", sup_leg.id) in gw.log and ("hangup", sup_leg.id) not in gw.log
    with pytest.raises(Exception, match="not listening"):
        voice.coach(vc.contact_id, "other", "whisper")
    out = voice.coach(vc.contact_id, "sup", "whisper")
    assert out == {"contact_id": vc.contact_id, "phone": "sup", "leg": sup_leg.id, "mode": "whisper"}
    assert ("coach", sup_leg.id, "whisper") in gw.log
    voice.coach(vc.contact_id, "sup", "barge")
    assert voice.monitors(vc.contact_id)[0]["mode"] == "barge"
    c.agents.hold("a1", vc.contact_id)  # the agent holds the call
    assert vc.held and voice.monitors(vc.contact_id)[0]["mode"] == "listen"  # the hold ends the barge
    assert ("coach", sup_leg.id, "listen") in gw.log
    with pytest.raises(Exception, match="on hold"):
        voice.coach(vc.contact_id, "sup", "barge")
    vc.held = False
    voice.leg_ended(sup_leg)  # the supervisor hangs up
    assert voice.monitors(vc.contact_id) == []
    # supervisors are told each step on topic "monitor" (the agent's stream does not carry it)
    assert pushed == [("sup", "ringing"), ("sup", "listen"), ("sup", "whisper"), ("sup", "barge"), ("sup", "listen"),
                      ("sup", "ended")]
