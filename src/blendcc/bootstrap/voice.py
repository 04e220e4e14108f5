"""Wires the voice channel for a container: registrar, SIP gateway and the voice service (started in serve)."""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from blendcc.adapters.channels.sip.gateway import SipGateway
from blendcc.adapters.channels.sip.message import uri_hostport
from blendcc.adapters.channels.sip.registrar import Registrar
from blendcc.adapters.channels.sip.telephony import SipTelephony
from blendcc.adapters.prompts import PromptStore, prompt_directory
from blendcc.app.channels.voice.ivr import IvrDriver, expected_wait
from blendcc.app.channels.voice.service import VoiceCall, VoiceService, VoiceSettings
from blendcc.app.channels.voice.survey import VoiceSurveys
from blendcc.config import Settings
from blendcc.domain.channels import Channel
from blendcc.domain.customer import IdentityKind, normalise_identity
from blendcc.domain.errors import DomainError
from blendcc.domain.queue import SurveyOffer
from blendcc.ivr.flow import PromptRef
from blendcc.ivr.messages import LookupResult

log = logging.getLogger(__name__)
T = TypeVar("T")
PURGE_EVERY_S = 6 * 3600


class VoiceStack:
    """What `blendcc serve` starts when ``sip_enabled``: the SIP edge, RTP media and the voice service."""

    def __init__(self, container: Any, settings: Settings):
        self.settings = settings
        self.registrar = Registrar(settings.sip_realm, dict(settings.sip_users), throttle=container.auth.throttle,
                                   store=getattr(container, "phone_bindings", None))
        public = settings.sip_public_host or settings.sip_host
        self.gateway = SipGateway(settings.sip_host, settings.sip_port, settings.sip_host,
                                  (settings.rtp_port_min, settings.rtp_port_max), self.registrar, public,
                                  settings.rtp_timeout_s)
        self._transports(settings)
        self.gateway.admission.max_lag_s = settings.sip_admission_max_lag_ms / 1000
        self.voice = VoiceService(
            container.contacts, container.agents, container.bus, self.gateway,
            VoiceSettings(recording_dir=Path(settings.recording_dir), recording=dict(settings.recording_queues),
                          default_recording=settings.recording_default,
                          retention_days=settings.recording_retention_days, music_on_hold=settings.music_on_hold,
                          callback_attempts=settings.callback_attempts, callback_ring_s=settings.callback_ring_s,
                          callback_retry_s=settings.callback_retry_s))
        self.gateway.voice = self.voice
        self.browser_phones: Any = None  # the browser phones: agents' desktops rung over /ws/agent, media via aiortc
        if settings.webrtc_enabled:
            from blendcc.adapters.channels.webrtc.phones import BrowserPhones

            self.browser_phones = BrowserPhones(settings.webrtc_ice_servers, settings.webrtc_ring_timeout_s,
                                                prefer_g711=settings.webrtc_prefer_g711)
            self.gateway.phones = container.phones = self.browser_phones
        self.container = container
        self._flows: dict[str, tuple[float, Any]] = {}
        #: the same prompt store as the API's /api/ivr/prompts (uploads and rendered text)
        self.prompts = PromptStore(prompt_directory(settings))
        self.ivr = IvrDriver(self.voice, self._flow_for, self.prompts.renderer(), time.time, self._lookup,
                             self._queue_status, self._calendars)
        self.voice.announce = self._announcement  # the emergency message before a refused call ends
        self.surveys: VoiceSurveys | None = None  # the post-call survey of queues that offer one (docs/surveys.md)
        if getattr(container, "surveys", None) is not None:
            self.surveys = VoiceSurveys(self.voice, self.ivr, self._voice_survey, container.surveys)
        self.started = False
        self.trunk_monitor: Any = None  # OPTIONS to the trunk (adapters.channels.sip.trunk), started with the edge
        self._purge: asyncio.TimerHandle | None = None
        #: the dialer's Telephony over the configured trunk (wired to the dialing loop on start when
        #: ``BLENDCC_TELEPHONY=sip``; the trunk also carries IVR call-backs)
        self.telephony: SipTelephony | None = None
        if settings.sip_trunk_uri:
            tel = SipTelephony(self.gateway, settings.sip_trunk_uri)
            self.telephony = tel
            self.voice.outbound_leg = tel.legs.get
            self.gateway.trunk = uri_hostport(settings.sip_trunk_uri)
            self.voice.dial_out = self.gateway.dial_out

    def _transports(self, settings: Settings) -> None:
        """TCP beside UDP, TLS with the configured certificate, the SRTP policy (ADR 0054)."""
        edge = self.gateway.edge
        edge.tcp_enabled = settings.sip_tcp
        if settings.sip_tls_cert and settings.sip_tls_key:
            from blendcc.adapters.channels.sip.stream import server_context

            edge.tls = server_context(settings.sip_tls_cert, settings.sip_tls_key)
            edge.tls_port = settings.sip_tls_port
        self.gateway.srtp_over_plain = settings.sip_srtp_over_plain

    async def start(self) -> None:
        await self.gateway.start()
        self.started = True
        if self.telephony is not None and self.settings.telephony == "sip" \
                and getattr(self.container, "campaigns", None) is not None \
                and getattr(self.container, "dialing", None) is None:
            from blendcc.bootstrap.dialing import wire_dialing

            wire_dialing(self.container, self.telephony, ticker=False)  # the lifespan's leader-only "dialing" ticks it
            log.info("outbound dialer places calls through the SIP trunk %s", self.settings.sip_trunk_uri)
        self._purge_now()
        self._monitor_trunk()
        edge = self.gateway.edge
        log.info("SIP edge listening on udp%s %s:%d%s", "+tcp" if edge.tcp_enabled else "", self.settings.sip_host,
                 edge.port, f", tls {edge.tls_port}" if edge.tls is not None else "")

    def _monitor_trunk(self) -> None:
        """OPTIONS to the trunk: its health goes to the crisis service (channel triggers on ``sip:trunk``)."""
        crisis = getattr(self.container, "crisis", None)
        trunk = uri_hostport(self.settings.sip_trunk_uri or "")
        if crisis is None or trunk is None or self.settings.sip_trunk_options_s <= 0:
            return
        from blendcc.adapters.channels.sip.trunk import TrunkMonitor

        def report(channel: str, healthy: bool, detail: str) -> None:  # off the SIP loop: it may run commands
            crisis.run(lambda: crisis.set_health(channel, healthy, detail, "sip-options"))

        monitor = TrunkMonitor(self.gateway.edge, trunk, report, interval_s=self.settings.sip_trunk_options_s)
        self.trunk_monitor = monitor
        loop = asyncio.get_running_loop()  # the edge's loop: the leadership thread hands start and stop to it

        def on_loop(fn: Callable[[], None]) -> Callable[[], object]:
            return lambda: loop.call_soon_threadsafe(fn)

        # what it reports runs commands: leader-only (ADR 0063), started with the other listeners by the lifespan
        self.container.leader_only.add("sip-trunk-options", on_loop(monitor.start), on_loop(monitor.stop))

    def _announcement(self, queue_id: str | None) -> str | None:
        """The emergency mode's message of the call's queue (else the centre's) as speech; None without one."""
        modes = {m["scope"]: m for m in self.container.views.emergency()}
        mode = modes.get(queue_id or "") or modes.get("*")
        if mode is None or not mode.get("message"):
            return None
        return self.prompts.renderer()(PromptRef(text=mode["message"]), "en")

    def _voice_survey(self, queue_id: str | None) -> SurveyOffer | None:
        """The post-call survey the call's queue offers (its ``surveys.voice``), None without one."""
        queue = self.container.views.queue_config(queue_id)
        return queue.surveys.get(Channel.VOICE) if queue is not None else None

    def _flow_for(self, vc: VoiceCall) -> Any:
        """The IVR flow for a call's dialled number (``ivr_numbers``, else ``ivr_flow``), cached 5 s."""
        flow_id = self.settings.ivr_numbers.get(vc.dialled or "", self.settings.ivr_flow)
        if flow_id is None:
            return None
        cached = self._flows.get(flow_id)
        if cached is not None and cached[0] > time.monotonic():
            return cached[1]
        try:
            flow = self.container.config.get("ivr_flows", flow_id)
        except DomainError as exc:
            log.warning("IVR flow %s is not usable: %s; routing the call directly", flow_id, exc)
            flow = None
        self._flows[flow_id] = (time.monotonic() + 5.0, flow)
        return flow

    def _lookup(self, caller_id: str) -> LookupResult:
        try:
            value = normalise_identity(IdentityKind.PHONE, caller_id)
        except (DomainError, ValueError):
            return LookupResult(False)
        found = self.container.contacts.customers.find_by_identity(IdentityKind.PHONE.value, value)
        if found is None:
            return LookupResult(False)
        return LookupResult(True, found.get("tier"), found.get("id"))

    def _calendars(self) -> Any:
        """The routing catalog's business-hours calendars (the IVR's hours nodes use the same ones)."""
        return self.container.views.calendars()

    def _queue_status(self, contact_id: str) -> tuple[int | None, float | None] | None:
        """(position, expected wait): position is 1 + the contacts of the same queue ahead of this one
        (higher priority, then waiting longer); the wait is estimated by ``expected_wait`` from today's
        AHT of the queue and its logged-in agents who are not in aux."""
        found = self.container.views.queue_position(contact_id)
        if found is None:
            return None
        position, qid, staffed = found
        today = self.container.stats.queues_today().get(qid, {})
        return position, expected_wait(position, today.get("aht_s"), staffed)

    def _purge_now(self) -> None:
        """Apply the recording retention now and every few hours."""
        try:
            purged = self.voice.purge_recordings(time.time())
            if purged:
                log.info("deleted %d recording(s) past the %g-day retention", purged,
                         self.settings.recording_retention_days)
        except OSError as exc:
            log.warning("recording retention failed: %s", exc)
        if self.gateway.loop is not None:
            self._purge = self.gateway.loop.call_later(PURGE_EVERY_S, self._purge_now)

    def call(self, fn: Callable[[], T], timeout_s: float = 5.0) -> T:
        """Run ``fn`` on the voice loop (where the call state lives) from another thread; return its result."""
        loop = self.gateway.loop
        if loop is None or not self.started:
            from blendcc.domain.errors import InvalidState

            raise InvalidState("the SIP edge is not running (set BLENDCC_SIP_ENABLED=true)")
        fut: concurrent.futures.Future[T] = concurrent.futures.Future()

        def run() -> None:
            try:
                fut.set_result(fn())
            except BaseException as exc:
                fut.set_exception(exc)

        loop.call_soon_threadsafe(run)
        return fut.result(timeout_s)

    def phones(self) -> list[dict[str, Any]]:
        now = time.time()
        return [{"user": b.user, "contact": b.contact, "address": f"{b.addr[0]}:{b.addr[1]}",
                 "expires_in_s": round(b.expires_at - now)} for b in list(self.registrar.bindings.values())
                if b.expires_at > now]

    def close(self) -> None:
        if self.trunk_monitor is not None:
            self.trunk_monitor.stop()
        if self._purge is not None:
            self._purge.cancel()
        self.voice.close()
        if self.started:
            self.gateway.close()
