"""The voice gateway: SIP edge + RTP media for the voice service (customer legs, agent phones, listen-in)."""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import socket
import time
from collections.abc import Callable
from typing import Any, TypeVar

from blendcc.adapters.channels.sip.admission import Admission, LoopLag
from blendcc.adapters.channels.sip.coaching import GatewayCoaching
from blendcc.adapters.channels.sip.controls import GatewayControls
from blendcc.adapters.channels.sip.dialog import Call
from blendcc.adapters.channels.sip.edge import SipEdge
from blendcc.adapters.channels.sip.gateway_media import GatewayMedia
from blendcc.adapters.channels.sip.gateway_srtp import GatewaySrtp
from blendcc.adapters.channels.sip.media import Bridge, Player, Recorder
from blendcc.adapters.channels.sip.refer import GatewayRefer
from blendcc.adapters.channels.sip.registrar import Registrar
from blendcc.adapters.channels.sip.rtp import DtmfDecoder, Pacer, PortPool, RtpEndpoint, RtpError
from blendcc.adapters.channels.sip.sdp import PCMA, PCMU, answer, build_sdp
from blendcc.ports import VoiceCallHandler

log = logging.getLogger(__name__)
T = TypeVar("T")
TE = 101
SWEEP_S = 5.0
#: threads running engine commands side by side (their batch is one commit, ADR 0038/0058)
COMMAND_THREADS = 8


class SipLeg:
    """One call leg: its SIP dialog and its RTP endpoint."""

    def __init__(self, leg_id: str, kind: str, call: Call, rtp: RtpEndpoint):
        self.id = leg_id
        self.kind = kind  # customer, agent, listener, outbound
        self.call = call
        self.rtp = rtp
        self.bridge: Bridge | None = None
        self.player: Player | None = None
        self.released = False
        self.recorded_s: float | None = None  # length of the recording closed with the last bridge
        self.consult: Bridge | None = None  # agent <-> consulted agent relay during a consulted transfer
        self.solo: Recorder | None = None  # this leg alone recorded (voicemail), outside any bridge
        self.saved_on_packet: Any = None  # the agent's customer-bridge handler while consulting
        self.mixer: Any = None  # the conference (media.Mixer) this leg is in
        self.dtmf_out: Any = None  # digits being sent to this leg's far end (dtmf.DtmfSender)
        self.sdes: Any = None  # our SRTP key (srtp.Crypto) offered to this leg's peer, until its answer


class SipGateway(GatewayMedia, GatewayControls, GatewayCoaching, GatewayRefer, GatewaySrtp):
    """Implements the voice service's ``VoiceGateway`` on a ``SipEdge`` and RTP endpoints."""

    def __init__(self, sip_host: str, sip_port: int, rtp_host: str, rtp_ports: tuple[int, int],
                 registrar: Registrar | None = None, public_host: str | None = None, rtp_timeout_s: float = 120.0):
        self.edge = SipEdge(sip_host, sip_port, registrar, self._on_invite, public_host)
        self.rtp_host = rtp_host
        self.public_host = public_host or rtp_host
        self.pool = PortPool(*rtp_ports)
        self.voice: VoiceCallHandler | None = None  # the voice use case, attached after construction
        self.on_dtmf: Callable[[SipLeg, str], None] = self._dtmf
        self.legs: dict[str, SipLeg] = {}
        self.loop: asyncio.AbstractEventLoop | None = None
        self.pacer: Pacer | None = None
        #: new inbound calls are refused 503 + Retry-After while the loop lags (admission.py)
        self.admission = Admission(None)
        self.worker = concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="voice")
        #: engine commands of different calls, run side by side so the runtime's group commit (ADR 0038)
        #: stores those that arrive together in one transaction (ADR 0058)
        self.commands = concurrent.futures.ThreadPoolExecutor(max_workers=COMMAND_THREADS,
                                                              thread_name_prefix="voice-cmd")
        self._n = 0
        #: engine commands waiting for the worker; above ``max_backlog`` new calls get 503 (overload)
        self.backlog = 0
        self.max_backlog = 5000
        self.outbound_handler: Callable[[SipLeg, str, Any], None] | None = None
        #: where customer call-backs are dialled (``(host, port)`` of the SIP trunk); None: no call-backs
        self.trunk: tuple[str, int] | None = None
        #: a confirmed leg that received no RTP for this long is hung up (its peer vanished without BYE)
        self.rtp_timeout_s = rtp_timeout_s
        self._sweeper: asyncio.TimerHandle | None = None
        #: browser phones (``adapters.channels.webrtc.phones.BrowserPhones``): rung before the registrar
        self.phones: Any = None

    def _dtmf(self, leg: SipLeg, digit: str) -> None:
        if self.voice is not None:
            self.voice.dtmf(leg, digit)

    async def start(self) -> None:
        self.loop = asyncio.get_running_loop()
        self.pacer = Pacer(self.loop)
        self.admission.lag = LoopLag(self.loop)
        self.admission.lag.start()
        await self.edge.start(self.loop)
        if self.phones is not None:
            self.phones.attach(self, self.loop)
        if self.rtp_timeout_s > 0:
            self._sweeper = self.loop.call_later(SWEEP_S, self._sweep_tick)

    def _sweep_tick(self) -> None:
        self.sweep(time.monotonic())
        if self.loop is not None:
            self._sweeper = self.loop.call_later(SWEEP_S, self._sweep_tick)

    def sweep(self, now: float) -> int:
        """Hang up confirmed legs silent for ``rtp_timeout_s`` (no BYE will ever come); returns how many."""
        n = 0
        for leg in list(self.legs.values()):
            if leg.call.state == "confirmed" and now - leg.rtp.last_rx > self.rtp_timeout_s:
                log.info("leg %s (%s) silent for %.0f s: hanging up", leg.id, leg.call.call_id, now - leg.rtp.last_rx)
                leg.call.bye()
                self._call_event(leg.call, "ended", "rtp_timeout")
                n += 1
        return n

    def close(self) -> None:
        if self._sweeper is not None:
            self._sweeper.cancel()
        if self.admission.lag is not None:
            self.admission.lag.stop()
        for leg in list(self.legs.values()):
            leg.call.bye()
            self._release(leg)
        self.edge.close()
        self.worker.shutdown(wait=False, cancel_futures=True)
        self.commands.shutdown(wait=False, cancel_futures=True)

    # ------------------------------------------------------------------ VoiceGateway: plumbing
    def post(self, fn: Callable[[], None]) -> None:
        assert self.loop is not None
        self.loop.call_soon_threadsafe(fn)

    def submit(self, work: Callable[[], T], done: Callable[[T | None, Exception | None], None]) -> None:
        self._submit(self.worker, work, done)

    def submit_command(self, work: Callable[[], T], done: Callable[[T | None, Exception | None], None]) -> None:
        self._submit(self.commands, work, done)

    def _submit(self, pool: concurrent.futures.Executor, work: Callable[[], T],
                done: Callable[[T | None, Exception | None], None]) -> None:
        assert self.loop is not None
        loop = self.loop
        self.backlog += 1
        future = pool.submit(work)

        def finished(f: concurrent.futures.Future[T]) -> None:
            if f.cancelled():
                loop.call_soon_threadsafe(self._done_one, None, None, None)
                return
            exc = f.exception()
            result = None if exc is not None else f.result()
            error = exc if isinstance(exc, Exception) or exc is None else RuntimeError(str(exc))
            loop.call_soon_threadsafe(self._done_one, done, result, error)  # one wake-up of the loop

        future.add_done_callback(finished)

    def _done_one(self, done: Callable[[Any, Exception | None], None] | None, result: Any,
                  error: Exception | None) -> None:
        self.backlog -= 1
        if done is not None:
            done(result, error)

    def call_later(self, delay: float, fn: Callable[[], None]) -> asyncio.TimerHandle:
        assert self.loop is not None
        return self.loop.call_later(delay, fn)

    # ------------------------------------------------------------------ media allocation
    def _endpoint(self, codec: int, te: int | None) -> RtpEndpoint:
        """Bind an RTP socket now (synchronously) from the FIFO pool; skips ports taken by others."""
        assert self.loop is not None
        for _ in range(len(self.pool.free) + 1):
            port = self.pool.take()
            sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            try:
                sock.bind((self.rtp_host, port))
            except OSError:
                sock.close()
                continue  # in use by another process: not returned to the pool
            sock.setblocking(False)
            ep = RtpEndpoint(self.rtp_host, port, codec, te)
            self.loop.create_task(self._open(ep, sock))
            return ep
        raise RtpError("no free RTP port")

    async def _open(self, ep: RtpEndpoint, sock: socket.socket) -> None:
        from blendcc.adapters.channels.sip import rtp as rtp_mod

        assert self.loop is not None
        transport, _ = await self.loop.create_datagram_endpoint(lambda: rtp_mod._Proto(ep), sock=sock)
        if ep.port in self.pool.used:
            ep.transport = transport
        else:  # released before the socket opened
            transport.close()

    def _new_leg(self, kind: str, call: Call, rtp: RtpEndpoint) -> SipLeg:
        self._n += 1
        leg = SipLeg(f"{kind[0]}{self._n}", kind, call, rtp)
        call.app = leg
        self.legs[leg.id] = leg
        call.on_event = self._call_event
        if isinstance(call, Call):  # browser phones' calls have no SIP dialog
            call.on_refer = self._refer
        return leg

    def _release(self, leg: SipLeg) -> None:
        if leg.released:
            return
        leg.released = True
        if leg.player is not None:
            leg.player.stop()
        if leg.consult is not None:
            self.end_consult(leg)
        if leg.dtmf_out is not None:
            leg.dtmf_out.stop()
        if leg.mixer is not None:
            self.leave_conference(leg)
        if leg.bridge is not None:
            self.unbridge(leg)
        if leg.solo is not None:
            leg.recorded_s = leg.solo.close()
            leg.solo = None
        leg.rtp.close()
        self.pool.give(leg.rtp.port)
        self.legs.pop(leg.id, None)

    # ------------------------------------------------------------------ inbound calls
    def _on_invite(self, call: Call) -> None:
        media = call.remote_media
        if not call.late_offer and (media is None or not media.audio_codecs):
            call.reject(488)
            return
        if self.backlog > self.max_backlog:  # the store cannot keep up: refuse rather than queue unboundedly
            call.reject(503)
            return
        if not self.admission.admit():  # the loop lags: the calls already up keep their media clean
            call.reject(503, self.admission.headers)
            return
        try:  # a late offer (no SDP): PCMU until the ACK's answer says otherwise
            ep = self._endpoint(media.audio_codecs[0], media.telephone_event) if media else self._endpoint(PCMU, TE)
        except RtpError:
            call.reject(503)
            return
        if media is not None:
            ep.remote = (media.address, media.port)
        if not self.srtp_inbound(call, ep):  # RTP/SAVP: keyed, or refused by policy (488)
            ep.close()
            self.pool.give(ep.port)
            return
        leg = self._new_leg("customer", call, ep)
        ep.dtmf = DtmfDecoder(lambda digit: self.on_dtmf(leg, digit))
        if self.voice is None:
            call.reject(503)
            self._release(leg)
            return
        self.voice.incoming(leg, call.caller_id, call.dialled)

    def answer(self, leg: Any) -> None:
        media = leg.call.remote_media
        reliable = getattr(leg.call, "reliable", None) is not None  # RFC 3262: a reliable 18x first
        if media is None:  # late offer: our offer goes in the 200 (RFC 3261 13.2.1), the answer in the ACK
            if reliable:
                leg.call.ringing()
            leg.call.answer(build_sdp(self.public_host, leg.rtp.port, [PCMU, PCMA], TE))
            return
        crypto = leg.rtp.srtp.local.attribute() if leg.rtp.srtp is not None else None
        sdp, _codec, _te = answer(media, self.public_host, leg.rtp.port, crypto=crypto)
        if reliable:  # our answer in a reliable 183 (early media: the IVR is heard before the 200)
            leg.call.progress(sdp)
        leg.call.answer(sdp)

    def hangup(self, leg: Any) -> None:
        leg.call.bye()
        self._release(leg)

    # ------------------------------------------------------------------ outbound legs (agent phones)
    def ring(self, user: str, caller_id: str | None, contact_id: str, kind: str = "agent") -> SipLeg | None:
        if self.phones is not None:  # the agent's desktop has a browser phone: ring that, not the registrar
            browser: SipLeg | None = self.phones.ring(self, user, caller_id, contact_id, kind)
            if browser is not None:
                return browser
        registrar = self.edge.registrar
        binding = registrar.lookup(user) if registrar is not None else None
        if binding is None:
            return None
        return self.dial(binding.contact, binding.addr, caller_id or "blendcc", kind, contact_id)

    def browser_leg(self, kind: str, call: Any, codec: int = PCMU) -> SipLeg:
        """A leg for a browser phone's call: a relay endpoint like any phone's, whose remote is the bridge."""
        return self._new_leg(kind, call, self._endpoint(codec, None))

    def dial(self, uri: str, addr: tuple[str, int], caller_id: str, kind: str, contact_id: str | None = None,
             codec: int = PCMU) -> SipLeg:
        ep = self._endpoint(codec, TE)
        other = PCMA if codec == PCMU else PCMU
        sdes = self.srtp_offer(uri, addr)  # a peer over TLS: RTP/SAVP with our key
        sdp = build_sdp(self.public_host, ep.port, [codec, other], TE,
                        crypto=sdes.attribute() if sdes is not None else None)
        extra = [("X-Blendcc-Contact", contact_id)] if contact_id else None
        call = self.edge.invite(uri, addr, _user_part(caller_id), sdp, display=caller_id, extra=extra)
        leg = self._new_leg(kind, call, ep)
        leg.sdes = sdes
        return leg

    def dial_out(self, number: str, caller_id: str, contact_id: str) -> SipLeg | None:
        """Call a customer back through the trunk (None without a trunk or a usable number)."""
        digits = "".join(ch for ch in number if ch.isdigit() or ch == "+")
        if self.trunk is None or not digits:
            return None
        host, port = self.trunk
        try:
            leg = self.dial(f"sip:{digits}@{host}:{port}", self.trunk, caller_id, "callback", contact_id)
        except Exception as exc:  # no RTP port, socket error
            log.warning("cannot call %s back: %s", digits, exc)
            return None
        # the called-back customer keys like a caller (RFC 4733 here, SIP INFO in _call_event): the post-call survey
        leg.rtp.dtmf = DtmfDecoder(lambda digit: self.on_dtmf(leg, digit))
        return leg

    def _call_event(self, call: Call, name: str, detail: Any) -> None:
        leg: SipLeg | None = call.app
        if leg is None or (self.voice is None and leg.kind != "outbound"):
            return
        if name == "media" and detail is not None:
            self._new_media(leg, detail)
        if leg.kind == "outbound" and self.outbound_handler is not None:
            if name == "answered":
                self._set_remote(leg)
            self.outbound_handler(leg, name, detail)
            if name == "ended" and self.voice is not None:
                self.voice.leg_ended(leg)  # the callee of a dialer call bridged to an agent hung up
            if name in ("failed", "ended"):
                self._release(leg)
            return
        voice = self.voice
        if voice is None:  # only outbound legs get here without a voice handler (returned above)
            return
        if leg.kind == "callback":  # a customer called back for a queued contact
            if name == "dtmf":  # a key by SIP INFO (the survey after the call)
                self.on_dtmf(leg, str(detail))
                return
            if name == "answered":
                self._set_remote(leg)
            voice.callback_event(leg, name, detail)
            if name in ("failed", "ended", "cancelled"):
                self._release(leg)
            return
        if name == "answered":
            self._set_remote(leg)
            if leg.kind == "listener":
                voice.listener_answered(leg)
            else:
                voice.agent_answered(leg)
        elif name == "failed":
            if leg.kind == "agent":
                voice.agent_failed(leg, int(detail or 0))
            else:
                voice.leg_ended(leg)
            self._release(leg)
        elif name in ("ended", "cancelled"):
            voice.leg_ended(leg)
            self._release(leg)
        elif name == "media" and leg.kind == "agent" and detail is not None:
            voice.phone_hold(leg, detail.direction in ("sendonly", "inactive"))
        elif name == "dtmf":
            self.on_dtmf(leg, str(detail))

    def _new_media(self, leg: SipLeg, media: Any) -> None:
        """The peer's new SDP (a re-INVITE or UPDATE offer, a late offer's answer): codec and address follow it."""
        if media.audio_codecs:
            leg.rtp.codec = media.audio_codecs[0]
        leg.rtp.telephone_event = media.telephone_event
        if media.address != "0.0.0.0" and media.port and leg.rtp.remote != (media.address, media.port):
            leg.rtp.remote = (media.address, media.port)
            leg.rtp.latched = False  # symmetric RTP latches again on the new source

    def _set_remote(self, leg: SipLeg) -> None:
        media = leg.call.remote_media
        self.srtp_answered(leg)
        if media is not None:
            leg.rtp.remote = (media.address, media.port)
            if media.audio_codecs:
                leg.rtp.codec = media.audio_codecs[0]
            leg.rtp.telephone_event = media.telephone_event


def _user_part(caller_id: str) -> str:
    cleaned = "".join(ch for ch in caller_id if ch.isalnum() or ch in "+-_.")
    return cleaned or "blendcc"
