"""The agent's call controls on the media path: DTMF to the far end, server-side mute, three-way conference.

Mixed into ``SipGateway`` (the methods use its legs, pacer and recordings); everything runs on its loop.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from blendcc.adapters.channels.sip.dtmf import DtmfSender
from blendcc.adapters.channels.sip.media import Bridge, Listener, Mixer, Recorder
from blendcc.adapters.channels.sip.rtp import Pacer

if TYPE_CHECKING:
    from blendcc.adapters.channels.sip.gateway import SipLeg

WEBRTC_PACKAGE = "blendcc.adapters.channels.webrtc"


class GatewayControls:
    """DTMF, mute, conference and recording pause on the legs of a ``SipGateway``."""

    pacer: Pacer | None
    legs: dict[str, SipLeg]

    if TYPE_CHECKING:  # provided by SipGateway
        def stop_playing(self, leg: Any) -> None: ...

    # ------------------------------------------------------------------ DTMF and mute
    def send_dtmf(self, leg: Any, digits: str) -> bool:
        """Send ``digits`` to the leg's far end (RFC 4733 if it negotiated telephone-event, else in-band), after
        any still being sent (a keypad pressed quickly); False when the leg is gone or too many are waiting."""
        if self.pacer is None or leg.released or leg.rtp.remote is None:
            return False
        current: DtmfSender | None = getattr(leg, "dtmf_out", None)
        if current is not None and current.active:
            return current.extend(digits)

        def done() -> None:
            leg.dtmf_out = None

        leg.dtmf_out = DtmfSender(self.pacer, leg.rtp, digits, done)
        return True

    def dtmf_mode(self, leg: Any) -> str:
        """How digits reach this leg's far end: ``rfc4733`` or ``inband``."""
        return "rfc4733" if leg.rtp.telephone_event is not None else "inband"

    def mute(self, leg: Any, on: bool) -> None:
        """Server-side mute: the leg's audio is no longer relayed, mixed or recorded (DTMF events still are)."""
        leg.rtp.muted = on

    def phone_kind(self, leg: Any) -> str:
        """``browser`` for a WebRTC leg of the browser phone, else ``sip`` (a registered SIP phone)."""
        call = getattr(leg, "call", None)
        module = type(call).__module__ if call is not None else ""
        return "browser" if module.startswith(WEBRTC_PACKAGE) or getattr(call, "browser", False) else "sip"

    # ------------------------------------------------------------------ recording pause
    def _recorder(self, customer: Any) -> Recorder | None:
        mixer: Mixer | None = getattr(customer, "mixer", None)
        if mixer is not None:
            return mixer.recorder
        if customer.bridge is not None:
            rec: Recorder | None = customer.bridge.recorder
            return rec
        return None

    def pause_recording(self, customer: Any, paused: bool) -> bool:
        """Pause or resume the running recording of the call (False when none runs)."""
        rec = self._recorder(customer)
        if rec is None:
            return False
        rec.paused = paused
        return True

    # ------------------------------------------------------------------ conference
    def conference(self, customer: Any, agent: Any, other: Any) -> bool:
        """Join the customer, the agent and the consulted agent in one mix (the consultation relay and the
        customer bridge end; the bridge's recording and listeners carry on in the mix)."""
        if self.pacer is None or any(x.released for x in (customer, agent, other)):
            return False
        if getattr(customer, "mixer", None) is not None:
            return False
        self.stop_playing(customer)
        consult: Bridge | None = agent.consult
        if consult is not None:
            consult.close()
            for x in (agent, other):
                x.consult = None
                x.saved_on_packet = None
        recorder: Recorder | None = None
        listeners: list[Listener] = []
        bridge: Bridge | None = customer.bridge
        if bridge is not None:
            recorder, bridge.recorder = bridge.recorder, None
            listeners, bridge.listeners = bridge.listeners, []
            bridge.close()
            for x in (*self.legs.values(), customer, agent):
                if x.bridge is bridge:
                    x.bridge = None
        mixer = Mixer(self.pacer, [customer.rtp, agent.rtp, other.rtp], recorder)
        mixer.listeners = listeners
        for x in (customer, agent, other):
            x.mixer = mixer
        return True

    def in_conference(self, leg: Any) -> bool:
        return getattr(leg, "mixer", None) is not None

    def leave_conference(self, leg: Any) -> None:
        """Take ``leg`` out of its conference. Two parties left with the customer: they are bridged (the
        recording and listeners follow); the customer leaving ends the mix (the recording closes)."""
        mixer: Mixer | None = getattr(leg, "mixer", None)
        if mixer is None:
            return
        customer_left = bool(mixer.parties) and mixer.parties[0] is leg.rtp
        leg.mixer = None
        rest = mixer.remove(leg.rtp)
        by_rtp = {id(x.rtp): x for x in self.legs.values() if getattr(x, "mixer", None) is mixer}
        left = [by_rtp[id(ep)] for ep in rest if id(ep) in by_rtp]
        if len(left) > 2 and not customer_left:
            return  # still a conference
        listeners = mixer.listeners
        mixer.listeners = []
        recorder = mixer.close()
        for x in left:
            x.mixer = None
        if len(left) == 2 and not customer_left:
            a, b = left
            bridge = Bridge(a.rtp, b.rtp)
            bridge.recorder = recorder
            bridge.listeners = listeners
            a.bridge = b.bridge = bridge
            return
        for listener in listeners:
            listener.stop()
        if recorder is not None:
            seconds = recorder.close()
            for x in (leg, *left):
                x.recorded_s = seconds
