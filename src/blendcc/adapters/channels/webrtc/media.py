"""One browser call's media: an aiortc peer connection bridged to a relay ``RtpEndpoint`` over local UDP.

relay -> browser: G.711 RTP arriving on our UDP socket is decoded into a ``PcmQueue``; ``RelayTrack`` takes
20 ms at a time (silence when short) as ``av.AudioFrame`` s and aiortc encodes them (Opus or PCMU).
browser -> relay: the browser's audio frames are resampled to 8 kHz mono s16, cut into 20 ms frames,
G.711-encoded and sent as RTP to the relay endpoint, which treats the socket as an ordinary SIP phone.
"""

from __future__ import annotations

import asyncio
import contextlib
import fractions
import logging
import secrets
import time
from typing import Any

import av
from aiortc import (
    MediaStreamTrack,
    RTCConfiguration,
    RTCIceServer,
    RTCPeerConnection,
    RTCRtpSender,
    RTCSessionDescription,
)
from aiortc.mediastreams import MediaStreamError

from blendcc.adapters.channels.sip import g711
from blendcc.adapters.channels.sip.media import PcmQueue
from blendcc.adapters.channels.sip.rtp import FRAME_S, SAMPLES, RtpError, RtpPacket
from blendcc.adapters.channels.sip.sdp import PCMA, PCMU

log = logging.getLogger(__name__)
RATE = 8000
FRAME_BYTES = 2 * SAMPLES


def ice_configuration(servers: list[dict[str, Any]]) -> RTCConfiguration:
    """``RTCConfiguration`` from the settings' list of ``{urls, username?, credential?}`` (STUN/TURN)."""
    return RTCConfiguration(iceServers=[
        RTCIceServer(urls=s["urls"], username=s.get("username"), credential=s.get("credential"))
        for s in servers if s.get("urls")])


def codec_preferences(prefer_g711: bool) -> list[Any]:
    """The answer's audio codecs in order: G.711 first (the relay is 8 kHz G.711: nothing is lost, and no Opus
    encoding or 48 kHz resampling is spent) or Opus first (its in-band FEC for lossy links)."""
    caps = [c for c in RTCRtpSender.getCapabilities("audio").codecs if c.mimeType.lower() != "audio/rtx"]
    g711_first = [c for c in caps if c.mimeType.lower() in ("audio/pcmu", "audio/pcma")]
    others = [c for c in caps if c not in g711_first]
    return g711_first + others if prefer_g711 else others + g711_first


class RelayTrack(MediaStreamTrack):
    """The audio sent to the browser: 20 ms frames taken from the relay's queue, paced in real time."""

    kind = "audio"

    def __init__(self, queue: PcmQueue) -> None:
        super().__init__()
        self.queue = queue
        self._start: float | None = None
        self._pts = 0

    async def recv(self) -> av.AudioFrame:
        if self.readyState != "live":
            raise MediaStreamError
        if self._start is None:
            self._start = time.monotonic()
        else:
            self._pts += SAMPLES
            wait = self._start + self._pts / RATE - time.monotonic()
            if wait > 0:
                await asyncio.sleep(wait)
        frame = av.AudioFrame(format="s16", layout="mono", samples=SAMPLES)
        frame.planes[0].update(self.queue.frame())
        frame.sample_rate = RATE
        frame.pts = self._pts
        frame.time_base = fractions.Fraction(1, RATE)
        return frame


class _RelaySide(asyncio.DatagramProtocol):
    def __init__(self, owner: WebRtcMedia) -> None:
        self.owner = owner

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        self.owner._from_relay(data)


class WebRtcMedia:
    """The bridge of one browser call: a local UDP socket facing the relay, and the current peer connection
    (replaced when the browser re-offers after a reconnect)."""

    def __init__(self, relay: tuple[str, int], ice_servers: list[dict[str, Any]], codec: int = PCMU,
                 prefer_g711: bool = True) -> None:
        self.relay = relay
        self.ice_servers = ice_servers
        self.prefer_g711 = prefer_g711
        self.codec = codec
        self.queue = PcmQueue()
        self.transport: asyncio.DatagramTransport | None = None
        self.pc: RTCPeerConnection | None = None
        self.local: tuple[str, int] = ("127.0.0.1", 0)
        self._pumps: set[asyncio.Task[None]] = set()
        self.ssrc = secrets.randbits(32)
        self.seq = secrets.randbits(16)
        self.ts = secrets.randbits(32)
        self.from_relay = 0  # RTP packets received from the relay (audio towards the browser)
        self.to_relay = 0  # RTP packets sent to the relay (the browser's audio)
        self.closed = False

    async def open(self) -> tuple[str, int]:
        """Bind the socket the relay will send to; returns its address."""
        loop = asyncio.get_running_loop()
        transport, _ = await loop.create_datagram_endpoint(lambda: _RelaySide(self), local_addr=("127.0.0.1", 0))
        self.transport = transport
        self.local = transport.get_extra_info("sockname")[:2]
        return self.local

    async def negotiate(self, offer_sdp: str) -> str:
        """Answer the browser's offer with a fresh peer connection (the previous one, if any, is closed)."""
        old, self.pc = self.pc, RTCPeerConnection(ice_configuration(self.ice_servers))
        if old is not None:
            await old.close()
        pc = self.pc
        pc.on("track", lambda track: self._on_track(pc, track))
        transceiver = pc.addTransceiver("audio", direction="sendrecv")
        transceiver.setCodecPreferences(codec_preferences(self.prefer_g711))
        await pc.setRemoteDescription(RTCSessionDescription(sdp=offer_sdp, type="offer"))
        transceiver.sender.replaceTrack(RelayTrack(self.queue))
        await pc.setLocalDescription(await pc.createAnswer())
        return str(pc.localDescription.sdp)

    def _on_track(self, pc: RTCPeerConnection, track: MediaStreamTrack) -> None:
        if track.kind != "audio" or pc is not self.pc:
            return
        task = asyncio.get_running_loop().create_task(self._pump(track))
        self._pumps.add(task)
        task.add_done_callback(self._pumps.discard)

    async def _pump(self, track: MediaStreamTrack) -> None:
        """The browser's audio to the relay: resample to 8 kHz mono, 20 ms G.711 RTP frames."""
        resampler = av.AudioResampler(format="s16", layout="mono", rate=RATE)
        buf = bytearray()
        while not self.closed:
            try:
                frame = await track.recv()
            except MediaStreamError:
                return
            if not isinstance(frame, av.AudioFrame):
                continue
            for out in resampler.resample(frame):
                buf += bytes(out.planes[0])[: out.samples * 2]
            while len(buf) >= FRAME_BYTES:
                self._send(bytes(buf[:FRAME_BYTES]))
                del buf[:FRAME_BYTES]

    def _send(self, pcm: bytes) -> None:
        if self.transport is None:
            return
        self.seq = (self.seq + 1) & 0xFFFF
        self.ts = (self.ts + SAMPLES) & 0xFFFFFFFF
        payload = g711.encode(self.codec, pcm)
        self.transport.sendto(RtpPacket(self.codec, self.seq, self.ts, self.ssrc, payload).encode(), self.relay)
        self.to_relay += 1

    def _from_relay(self, data: bytes) -> None:
        try:
            pkt = RtpPacket.parse(data)
        except RtpError:
            return
        if pkt.payload_type in (PCMU, PCMA):
            self.from_relay += 1
            self.queue.feed(g711.decode(pkt.payload_type, pkt.payload))

    async def close(self) -> None:
        if self.closed:
            return
        self.closed = True
        for task in list(self._pumps):
            task.cancel()
        if self.transport is not None:
            self.transport.close()
            self.transport = None
        if self.pc is not None:
            with contextlib.suppress(Exception):
                await self.pc.close()
            self.pc = None


__all__ = ["FRAME_S", "RelayTrack", "WebRtcMedia", "ice_configuration"]
