"""The gateway's media control on its legs (mixed into SipGateway): bridge, hold, recording, listen-in, prompts."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from blendcc.adapters.channels.sip import g711
from blendcc.adapters.channels.sip.media import Bridge, Listener, Player, Recorder, read_wav_8k
from blendcc.adapters.channels.sip.rtp import Pacer

if TYPE_CHECKING:
    from blendcc.adapters.channels.sip.gateway import SipLeg

log = logging.getLogger(__name__)


@lru_cache(maxsize=64)
def _prompt_pcm(path: str, mtime: float) -> bytes:
    return read_wav_8k(path)


class GatewayMedia:
    """Bridges, holds, recordings, listen-in and prompt playback on the legs of a ``SipGateway``."""

    pacer: Pacer | None
    legs: dict[str, SipLeg]
    loop: asyncio.AbstractEventLoop | None

    if TYPE_CHECKING:  # provided by GatewayControls
        def leave_conference(self, leg: Any) -> None: ...

    # ------------------------------------------------------------------ media control
    def bridge(self, customer: Any, agent: Any) -> None:
        self.unbridge(customer)
        b = Bridge(customer.rtp, agent.rtp)
        customer.bridge = agent.bridge = b

    def unbridge(self, customer: Any) -> None:
        if getattr(customer, "mixer", None) is not None:  # a conference: the customer leaving ends it
            self.leave_conference(customer)
        b = customer.bridge
        if b is None:
            return
        for leg in self.legs.values():
            if leg.bridge is b:
                leg.bridge = None
        customer.bridge = None
        seconds = b.close()
        customer.rtp.on_packet = None
        if seconds is not None:
            for leg in (customer, *(x for x in self.legs.values() if x.rtp is b.a or x.rtp is b.b)):
                leg.recorded_s = seconds

    def prebridge(self, customer: Any, agent: Any, record_to: Path | None) -> None:
        """The agent's phone answered, the engine not yet told: both legs on one bridge that relays nothing
        yet, recording both sides (unwritten) into ``record_to`` so the file can start at the connect."""
        self.bridge(customer, agent)
        b = customer.bridge
        b.held = True
        if record_to is not None and self.pacer is not None:
            b.recorder = Recorder(self.pacer, record_to)
            b.recorder.pending = True

    def connect(self, customer: Any, since: float) -> bool:
        """The engine connected the pre-bridged call at ``since`` (wall clock, the event log's): relay, and
        start the recording there. False when the customer is on no bridge."""
        b = customer.bridge
        if b is None:
            return False
        b.held = False
        if b.recorder is not None and b.recorder.pending:
            assert self.loop is not None
            b.recorder.trim_start(self.loop.time() - max(0.0, time.time() - since))
        return True

    def drop_prebridge(self, customer: Any, record_to: Path | None) -> None:
        """The engine did not connect the pre-bridged call: take the bridge down (if a hang-up has not),
        its recording deleted."""
        self.unbridge(customer)
        customer.recorded_s = None
        if record_to is not None:
            record_to.unlink(missing_ok=True)

    def consult(self, agent: Any, other: Any) -> None:
        self.end_consult(agent)
        agent.saved_on_packet = agent.rtp.on_packet
        b = Bridge(agent.rtp, other.rtp)
        agent.consult = other.consult = b

    def end_consult(self, leg: Any) -> None:
        b = leg.consult
        if b is None:
            return
        b.close()
        for x in (*self.legs.values(), leg):
            if x.consult is b:
                x.consult = None
                if x.rtp is b.a and x.bridge is not None and not x.released:
                    x.rtp.on_packet = x.saved_on_packet  # back on the (held) customer bridge
                x.saved_on_packet = None

    def hold(self, customer: Any, held: bool) -> None:
        if customer.bridge is not None:
            customer.bridge.held = held

    def record(self, customer: Any, path: Path) -> bool:
        """Record the bridge both ways (stereo); a leg outside a bridge is recorded alone (mono, voicemail)."""
        if self.pacer is None or customer.released:
            return False
        mixer = getattr(customer, "mixer", None)
        if mixer is not None:  # a conference: the recording gets the mix
            if mixer.recorder is not None:
                return False
            mixer.recorder = Recorder(self.pacer, path)
            return True
        b = customer.bridge
        if b is None:
            if customer.solo is not None:
                return False
            rec = customer.solo = Recorder(self.pacer, path, channels=1)
            ep = customer.rtp

            def heard(pkt: Any, raw: bytes) -> None:
                if pkt.payload_type == ep.codec:
                    rec.feed(0, g711.decode(ep.codec, pkt.payload), pkt.timestamp, pkt.ssrc)

            ep.on_packet = heard
            return True
        if b.recorder is not None:
            return False
        b.recorder = Recorder(self.pacer, path)
        return True

    def stop_recording(self, customer: Any) -> float | None:
        mixer = getattr(customer, "mixer", None)
        if mixer is not None and mixer.recorder is not None:
            mixed_s: float = mixer.recorder.close()
            mixer.recorder = None
            return mixed_s
        if customer.solo is not None:
            solo_s: float = customer.solo.close()
            customer.solo = None
            customer.rtp.on_packet = None
            return solo_s
        b = customer.bridge
        if b is None or b.recorder is None:
            kept: float | None = customer.recorded_s
            customer.recorded_s = None
            return kept
        seconds: float = b.recorder.close()
        b.recorder = None
        return seconds

    def listen(self, customer: Any, supervisor: Any) -> bool:
        b = customer.bridge
        if b is None or self.pacer is None:
            return False
        b.listeners.append(Listener(self.pacer, supervisor.rtp))
        return True

    def play(self, leg: Any, prompt: str, on_done: Callable[[], None], repeat: bool = False) -> bool:
        if self.pacer is None or leg.released:
            return False
        self.stop_playing(leg)
        try:
            p = Path(prompt)
            pcm = _prompt_pcm(str(p), p.stat().st_mtime)
        except (OSError, ValueError) as exc:
            log.warning("cannot play %s: %s", prompt, exc)
            return False

        def finished() -> None:
            leg.player = None
            on_done()

        leg.player = Player(self.pacer, leg.rtp, pcm, finished, repeat=repeat)
        return True

    def stop_playing(self, leg: Any) -> None:
        if leg.player is not None:
            leg.player.stop()
            leg.player = None
