"""Supervisor coaching on the media path: a listening supervisor whispers (heard by the agent only) or barges in
(a three-way call), and back to listening. Mixed into ``SipGateway``; runs on its loop."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from blendcc.adapters.channels.sip.media import Bridge, Mixer

if TYPE_CHECKING:
    from blendcc.adapters.channels.sip.rtp import Pacer

MODES = ("listen", "whisper", "barge")


class GatewayCoaching:
    """Moves a supervisor's answered phone between listen (a one-way Listener on the customer's bridge) and
    whisper/barge (the customer, the agent and the supervisor in one ``Mixer``; whisper: the customer does
    not hear the supervisor). The bridge's recording and other listeners carry on in the mix and back."""

    pacer: Pacer | None

    if TYPE_CHECKING:  # provided by SipGateway / GatewayControls
        def conference(self, customer: Any, agent: Any, other: Any) -> bool: ...
        def leave_conference(self, leg: Any) -> None: ...
        def listen(self, customer: Any, supervisor: Any) -> bool: ...

    def coach(self, customer: Any, agent: Any, supervisor: Any, mode: str) -> bool:
        """Put ``supervisor`` (a listening leg) in ``mode``; False when the call cannot take it now (held, a
        consultation or conference under way, a leg gone)."""
        if mode not in MODES or self.pacer is None or any(x.released for x in (customer, agent, supervisor)):
            return False
        mixer: Mixer | None = getattr(customer, "mixer", None)
        if mixer is not None and getattr(supervisor, "mixer", None) is not mixer:
            return False  # a consulted agent's conference: not a supervisor's
        if mode == "listen":
            if mixer is None:
                return True
            self.leave_conference(supervisor)  # the customer and the agent are bridged again
            return self.listen(customer, supervisor)
        if mixer is None:
            bridge: Bridge | None = customer.bridge
            if bridge is None or bridge.held or agent.bridge is not bridge:
                return False
            own = [x for x in bridge.listeners if x.endpoint is supervisor.rtp]
            for x in own:  # the supervisor's one-way tap ends: the mix gives them both sides
                x.stop()
                bridge.listeners.remove(x)
            if not self.conference(customer, agent, supervisor):
                return False
            mixer = customer.mixer
        assert mixer is not None
        whisper = (id(customer.rtp), id(supervisor.rtp))
        if mode == "whisper":
            mixer.deaf.add(whisper)
        else:
            mixer.deaf.discard(whisper)
        return True

