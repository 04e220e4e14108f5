"""Channel health from outbound deliveries: a provider or SMTP relay failing several times in a row reports
its channel unhealthy to the crisis service (channel triggers), the next delivery that goes through healthy."""

from __future__ import annotations

import threading
from collections.abc import Callable

from blendcc.domain.conversation import ChannelRef

#: reports (channel name, healthy, detail) on a change only
Report = Callable[[str, bool, str], None]


def health_name(channel: ChannelRef) -> str:
    """The name a playbook's channel trigger uses: ``<kind>:<instance>`` (``sms:default``, ``email:support``)."""
    return f"{channel.kind}:{channel.instance}"


class DeliveryHealth:
    """Counts consecutive failed delivery attempts per channel instance; ``failures`` in a row make it
    unhealthy, one success healthy again. Only changes are reported (a healthy channel is not re-reported on
    every message), so the crisis service sees the edges, as it does from the SIP trunk's OPTIONS probe."""

    def __init__(self, report: Report, failures: int = 3):
        if failures < 1:
            raise ValueError("failures must be at least 1")
        self.report = report
        self.failures = failures
        self._lock = threading.Lock()
        self._failed: dict[str, int] = {}
        self._unhealthy: set[str] = set()

    def __call__(self, channel: ChannelRef, ok: bool, detail: str = "") -> None:
        name = health_name(channel)
        with self._lock:
            if ok:
                self._failed.pop(name, None)
                if name not in self._unhealthy:
                    return
                self._unhealthy.discard(name)
                healthy, detail = True, "a delivery went through"
            else:
                n = self._failed.get(name, 0) + 1
                self._failed[name] = n
                if n < self.failures or name in self._unhealthy:
                    return
                self._unhealthy.add(name)
                healthy, detail = False, f"{n} deliveries in a row failed: {detail}"[:500]
        self.report(name, healthy, detail)
