"""The dialer's Telephony port over SIP: outbound calls through a configured trunk, progress as events.

Responses map to the port's events: 180/183 -> ringing, 2xx -> answered, 486/600 -> busy, no answer
within ``ring_timeout_s`` (we CANCEL) or 408/480/487 -> no_answer, anything else -> failed with a cause
(404/484/604 invalid, 410 disconnected, 5xx/503 congestion); a BYE from the callee after the answer ->
hangup. With ``amd`` settings the 'answered' event waits for the answering-machine detector's verdict on
the callee's audio (answered_by human / machine, unknown for NOTSURE); without, it is 'unknown' at once.
Thread-safe: calls may be placed from any thread; events are delivered on the SIP loop.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from blendcc.adapters.channels.sip.amd_listener import AmdListener
from blendcc.adapters.channels.sip.gateway import SipGateway, SipLeg
from blendcc.adapters.channels.sip.message import uri_hostport
from blendcc.dialer.amd import AmdSettings, Verdict, answered_by
from blendcc.domain.telephony import TelephonyEvent

log = logging.getLogger(__name__)
BUSY = {486, 600}
NO_ANSWER = {408, 480, 487}
INVALID = {404, 484, 485, 604}


def failure(status: int) -> tuple[str, str | None]:
    """(event kind, cause) for a final error response to an outbound INVITE."""
    if status in BUSY:
        return "busy", None
    if status in NO_ANSWER:
        return "no_answer", None
    if status in INVALID:
        return "failed", "invalid"
    if status == 410:
        return "failed", "disconnected"
    if status >= 500 or status == 503:
        return "failed", "congestion"
    return "failed", f"sip_{status}"


class SipTelephony:
    """Places dialer calls as SIP INVITEs to ``trunk_uri`` (``sip:host:port``) with the number as user."""

    def __init__(self, gateway: SipGateway, trunk_uri: str, clock: Callable[[], float] = time.time):
        hostport = uri_hostport(trunk_uri)
        if hostport is None:
            raise ValueError(f"bad trunk URI {trunk_uri!r}")
        self.gateway = gateway
        self.trunk = hostport
        self.clock = clock
        self._handlers: list[Callable[[TelephonyEvent], None]] = []
        self.legs: dict[str, SipLeg] = {}
        self._by_leg: dict[str, str] = {}
        self._timers: dict[str, Any] = {}
        self._answered: set[str] = set()
        self._ended: set[str] = set()
        self._amd: dict[str, AmdSettings] = {}
        self._listening: dict[str, AmdListener] = {}
        #: the AMD verdict of each call that had AMD (kept while the call lasts; for logs and tests)
        self.verdicts: dict[str, Verdict] = {}
        gateway.outbound_handler = self._leg_event

    # ------------------------------------------------------------------ the port
    def on_event(self, handler: Callable[[TelephonyEvent], None]) -> None:
        self._handlers.append(handler)

    def place_call(self, call_id: str, to: str, caller_id: str, ring_timeout_s: float,
                   amd: AmdSettings | None = None) -> None:
        if call_id in self.legs or call_id in self._ended:
            raise ValueError(f"call {call_id!r} already placed")

        def place() -> None:
            if amd is not None:
                self._amd[call_id] = amd
            self._place(call_id, to, caller_id, ring_timeout_s)

        self.gateway.post(place)

    def hangup(self, call_id: str) -> None:
        self.gateway.post(lambda: self._hangup(call_id))

    def play(self, call_id: str, prompt: str) -> None:
        def run() -> None:
            leg = self.legs.get(call_id)
            if leg is not None:
                self.gateway.play(leg, prompt, lambda: None)

        self.gateway.post(run)

    # ------------------------------------------------------------------ on the loop
    def _place(self, call_id: str, to: str, caller_id: str, ring_timeout_s: float) -> None:
        number = "".join(ch for ch in to if ch.isdigit() or ch == "+")
        if not number:
            self._emit(call_id, "failed", cause="invalid")
            return
        host, port = self.trunk
        try:
            leg = self.gateway.dial(f"sip:{number}@{host}:{port}", self.trunk, caller_id, "outbound")
        except Exception as exc:  # no RTP port, socket error: the call could not be placed
            log.warning("cannot place call %s: %s", call_id, exc)
            self._emit(call_id, "failed", cause="congestion")
            return
        self.legs[call_id] = leg
        self._by_leg[leg.id] = call_id
        self._timers[call_id] = self.gateway.call_later(ring_timeout_s, lambda: self._ring_timeout(call_id))

    def _ring_timeout(self, call_id: str) -> None:
        leg = self.legs.get(call_id)
        if leg is None or call_id in self._answered:
            return
        leg.call.cancel()
        self._finish(call_id, "no_answer")

    def _hangup(self, call_id: str) -> None:
        leg = self.legs.get(call_id)
        if leg is None:
            return
        self.gateway.hangup(leg)
        self._finish(call_id, None)

    def _leg_event(self, leg: SipLeg, name: str, detail: Any) -> None:
        call_id = self._by_leg.get(leg.id)
        if call_id is None or call_id in self._ended:
            return
        if name == "ringing":
            self._emit(call_id, "ringing")
        elif name == "answered":
            self._answered.add(call_id)
            self._cancel_timer(call_id)
            settings = self._amd.get(call_id)
            if settings is None:
                self._emit(call_id, "answered", answered_by="unknown")
            else:  # the answer is reported once the detector has heard the callee
                self._listening[call_id] = AmdListener(leg, settings, lambda v: self._amd_verdict(call_id, v),
                                                       self.gateway.call_later)
        elif name == "failed":
            kind, cause = failure(int(detail or 0))
            self._finish(call_id, kind, cause)
        elif name == "ended":
            listener = self._listening.pop(call_id, None)
            if listener is not None:  # hung up while we listened: answered (put through), then gone
                listener.stop()
                self._emit(call_id, "answered", answered_by="unknown")
            self._finish(call_id, "hangup", "remote")

    def _forget_verdict(self, call_id: str) -> None:
        self.verdicts.pop(call_id, None)

    def _amd_verdict(self, call_id: str, verdict: Verdict) -> None:
        self._listening.pop(call_id, None)
        if call_id in self._ended:
            return
        self.verdicts[call_id] = verdict
        self._emit(call_id, "answered", answered_by=answered_by(verdict))

    def _cancel_timer(self, call_id: str) -> None:
        t = self._timers.pop(call_id, None)
        if t is not None:
            t.cancel()

    def _finish(self, call_id: str, kind: str | None, cause: str | None = None) -> None:
        if call_id in self._ended:
            return
        self._ended.add(call_id)
        # remembered for a while (late responses, a duplicate place_call), then forgotten: no growth
        self.gateway.call_later(300.0, lambda: self._ended.discard(call_id))
        self._cancel_timer(call_id)
        self._amd.pop(call_id, None)
        listener = self._listening.pop(call_id, None)
        if listener is not None:
            listener.stop()
        self.gateway.call_later(300.0, lambda: self._forget_verdict(call_id))
        leg = self.legs.pop(call_id, None)
        if leg is not None:
            self._by_leg.pop(leg.id, None)
        if kind is not None:
            self._emit(call_id, kind, cause=cause)

    def _emit(self, call_id: str, kind: str, answered_by: str | None = None, cause: str | None = None) -> None:
        event = TelephonyEvent(call_id=call_id, kind=kind, at=self.clock(),  # type: ignore[arg-type]
                               answered_by=answered_by, cause=cause)  # type: ignore[arg-type]
        for handler in list(self._handlers):
            try:
                handler(event)
            except Exception:
                log.exception("telephony event handler failed")
