"""RFC 3262 reliable provisional responses (100rel), UAS side: RSeq, retransmission until PRACK, the 2xx held.

One ``Reliable`` per inbound INVITE whose caller announced 100rel (``Supported`` or ``Require``). Each 18x
goes out with ``Require: 100rel`` and an ``RSeq`` one above the last; it is retransmitted at T1, doubling,
until a PRACK whose ``RAck`` names it arrives (section 3); only one is outstanding at a time, later ones wait.
A 2xx to the INVITE is held until no reliable provisional is outstanding; if none is acknowledged within
64*T1 the caller's ``give_up`` rejects the INVITE with a 5xx.
"""

from __future__ import annotations

import secrets
from collections import deque
from collections.abc import Callable

from blendcc.adapters.channels.sip.message import SipMessage
from blendcc.adapters.channels.sip.transaction import T1, CallLater, Handle

TAG = "100rel"


def peer_wants(req: SipMessage) -> str | None:
    """'require' / 'supported' when the request names 100rel in Require / Supported (compact ``k``), else None."""
    for mode, name in (("require", "Require"), ("supported", "Supported")):
        tags = [t.strip().lower() for v in req.get_all(name) for t in v.split(",")]
        if TAG in tags:
            return mode
    return None


def rack_of(req: SipMessage) -> tuple[int, int, str] | None:
    """A PRACK's RAck (response-num, CSeq-num, method), None when missing or malformed."""
    parts = (req.get("RAck") or "").split()
    if len(parts) != 3 or not parts[0].isdigit() or not parts[1].isdigit():
        return None
    return int(parts[0]), int(parts[1]), parts[2].upper()


class Reliable:
    """The reliable provisional responses of one INVITE server transaction."""

    def __init__(self, invite_cseq: int, send: Callable[[SipMessage], None], call_later: CallLater,
                 give_up: Callable[[], None], rseq: int | None = None):
        self.invite_cseq = invite_cseq
        self._send = send
        self._call_later = call_later
        self._give_up = give_up
        #: the next RSeq (RFC 3262 section 3: a random start between 1 and 2**31 - 1)
        self.rseq = rseq if rseq is not None else secrets.randbelow(2**31 - 2) + 1
        self.outstanding: SipMessage | None = None
        self._waiting: deque[SipMessage] = deque()
        self._held: Callable[[], None] | None = None
        self._timer: Handle | None = None
        self._deadline: Handle | None = None
        self.stopped = False
        self.stats = {"sent": 0, "retransmitted": 0, "pracked": 0, "mismatched": 0}

    def provisional(self, resp: SipMessage) -> None:
        """Send an 18x reliably (or queue it behind the outstanding one)."""
        if self.stopped:
            return
        resp.set("Require", TAG)
        resp.set("RSeq", str(self.rseq))
        self.rseq += 1
        if self.outstanding is not None:
            self._waiting.append(resp)
            return
        self._start(resp)

    def _start(self, resp: SipMessage) -> None:
        self.outstanding = resp
        self.stats["sent"] += 1
        self._send(resp)
        self._schedule(T1)
        self._deadline = self._call_later(64 * T1, self._expired)

    def _schedule(self, interval: float) -> None:
        def again() -> None:
            if self.outstanding is not None and not self.stopped:
                self.stats["retransmitted"] += 1
                self._send(self.outstanding)
                self._schedule(interval * 2)

        self._timer = self._call_later(interval, again)

    def _expired(self) -> None:
        if self.outstanding is None or self.stopped:
            return
        self.stop()
        self._give_up()

    def hold_final(self, send_final: Callable[[], None]) -> bool:
        """A 2xx is ready: True when it must wait for a PRACK (``send_final`` runs then), False to send it now."""
        if self.outstanding is None and not self._waiting:
            return False
        self._held = send_final
        return True

    @property
    def holding(self) -> bool:
        """A 2xx is waiting for a PRACK."""
        return self._held is not None

    def prack(self, req: SipMessage) -> bool:
        """A PRACK arrived: True (answer 200, then call ``next``) when its RAck names the outstanding
        response, else False (481)."""
        rack = rack_of(req)
        out = self.outstanding
        if out is None or rack is None or rack != (int(out.get("RSeq") or 0), self.invite_cseq, "INVITE"):
            self.stats["mismatched"] += 1
            return False
        self.stats["pracked"] += 1
        self._cancel_timers()
        self.outstanding = None
        return True

    def next(self) -> None:
        """After the PRACK's 200: the next waiting reliable 18x, or else the held 2xx."""
        if self.outstanding is not None or self.stopped:
            return
        if self._waiting:
            self._start(self._waiting.popleft())
        elif self._held is not None:
            held, self._held = self._held, None
            held()

    def _cancel_timers(self) -> None:
        for h in (self._timer, self._deadline):
            if h is not None:
                h.cancel()
        self._timer = self._deadline = None

    def stop(self) -> None:
        """A final response went out (or the call ended): no more retransmissions."""
        self.stopped = True
        self._cancel_timers()
        self._waiting.clear()
        self._held = None
