"""The SIP trunk's health: an OPTIONS request every ``interval_s``; a final answer below 500 is healthy, a
5xx/6xx answer or no answer at all (timer F) is not. Each change is reported to ``report(channel, healthy,
detail)`` (the crisis service's channel triggers watch it)."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from typing import Any

from blendcc.adapters.channels.sip.edge import SipEdge
from blendcc.adapters.channels.sip.message import SipMessage, new_branch, new_tag

log = logging.getLogger(__name__)
Report = Callable[[str, bool, str], object]


class TrunkMonitor:
    def __init__(self, edge: SipEdge, trunk: tuple[str, int], report: Report, *, channel: str = "sip:trunk",
                 interval_s: float = 30.0) -> None:
        self.edge = edge
        self.trunk = trunk
        self.report = report
        self.channel = channel
        self.interval_s = interval_s
        self.healthy: bool | None = None  # unknown until the first probe ends
        self.probes = 0
        self._timer: Any = None
        self._stopped = True

    def start(self) -> None:
        self._stopped = False
        self._probe()

    def stop(self) -> None:
        self._stopped = True
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def _probe(self) -> None:
        if self._stopped:
            return
        self.probes += 1
        host, port = self.trunk
        edge = self.edge
        req = SipMessage(method="OPTIONS", uri=f"sip:{host}:{port}")
        req.add("Via", f"SIP/2.0/UDP {edge.public_host}:{edge.port};branch={new_branch()};rport")
        req.add("Max-Forwards", "70")
        req.add("From", f"<{edge.contact_uri}>;tag={new_tag()}")
        req.add("To", f"<sip:{host}:{port}>")
        req.add("Call-ID", f"{uuid.uuid4().hex}@{edge.public_host}")
        req.add("CSeq", "1 OPTIONS")
        req.add("Contact", f"<{edge.contact_uri}>")
        req.add("Accept", "application/sdp")
        req.add("User-Agent", "blendcc")
        edge.client_transaction(req, self.trunk, self._answered, self._timed_out)

    def _answered(self, resp: SipMessage) -> None:
        status = resp.status or 0
        if status < 200:
            return  # provisional: the transaction goes on
        if status < 500:
            self._set(True, f"OPTIONS answered {status}")
        else:
            self._set(False, f"OPTIONS answered {status} {resp.reason or ''}".strip())
        self._next()

    def _timed_out(self) -> None:
        self._set(False, "no answer to OPTIONS")
        self._next()

    def _next(self) -> None:
        if not self._stopped:
            self._timer = self.edge.call_later(self.interval_s, self._probe)

    def _set(self, healthy: bool, detail: str) -> None:
        if healthy == self.healthy:
            return
        self.healthy = healthy
        (log.info if healthy else log.warning)("SIP trunk %s:%d %s: %s", *self.trunk,
                                               "healthy" if healthy else "unhealthy", detail)
        try:
            self.report(self.channel, healthy, detail)
        except Exception:  # the monitor keeps probing whatever the listener does
            log.exception("trunk health report failed")
