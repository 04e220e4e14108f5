"""FakeChannel: a messaging channel for tests (records deliveries, fails on demand, makes receipts), and
ManualTimers: ``ports.CallLater`` driven by a FakeClock."""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Callable, Mapping
from typing import Any

from blendcc.adapters.channels.base import attachments_field, text_field
from blendcc.domain.conversation import (
    ChannelRef,
    DeliveryFailed,
    DeliveryStatus,
    OutboundMessage,
    ReceiveMessage,
    UpdateDelivery,
)
from blendcc.domain.errors import ValidationFailed
from blendcc.ports import ChannelCapabilities, Clock

FAKE_CAPABILITIES = ChannelCapabilities(realtime=True, text=True, threading=True, attachments=True,
                                        max_attachment_bytes=1_000_000, attachment_types=("image/*", "application/pdf"),
                                        typing_indicators=True, delivery_receipts=True, read_receipts=True,
                                        max_message_length=1000)


class FakeChannel:
    """A provider stand-in. Its input is ``{"type": "message", "id", "from", "text", "name"?,
    "attachments"?}`` or ``{"type": "status", "id", "status", "reason"?, "ref"?}`` (``ref``: our message
    id echoed back). ``fail_next(n)`` makes the next n deliveries fail (retryable unless ``final``)."""

    def __init__(self, kind: str = "chat", instance: str = "fake",
                 capabilities: ChannelCapabilities = FAKE_CAPABILITIES):
        self._channel = ChannelRef(kind, instance)
        self._capabilities = capabilities
        self.sent: list[OutboundMessage] = []  # every delivery accepted, in order
        self.attempts: list[OutboundMessage] = []  # every delivery tried, failed ones too
        self._failures = 0
        self._final = False
        self._reason = "provider unavailable"
        self._ids = itertools.count(1)

    @property
    def channel(self) -> ChannelRef:
        return self._channel

    @property
    def capabilities(self) -> ChannelCapabilities:
        return self._capabilities

    def fail_next(self, n: int, *, final: bool = False, reason: str = "provider unavailable") -> None:
        self._failures, self._final, self._reason = n, final, reason

    def translate(self, payload: Mapping[str, Any]) -> list[ReceiveMessage | UpdateDelivery]:
        kind = payload.get("type")
        if kind == "message":
            return [ReceiveMessage(self._channel, text_field(payload, "from", max_length=256) or "",
                                   text_field(payload, "text", max_length=10_000) or "",
                                   provider_message_id=text_field(payload, "id", max_length=256),
                                   customer_name=text_field(payload, "name", required=False, max_length=200),
                                   attachments=attachments_field(payload))]
        if kind == "status":
            try:
                status = DeliveryStatus(text_field(payload, "status") or "")
            except ValueError:
                raise ValidationFailed(f"provider input: unknown status {payload.get('status')!r}") from None
            return [UpdateDelivery(self._channel, status,
                                   provider_message_id=text_field(payload, "id", required=False, max_length=256),
                                   message_id=text_field(payload, "ref", required=False, max_length=256),
                                   reason=text_field(payload, "reason", required=False, max_length=1000))]
        raise ValidationFailed(f"provider input: unknown type {kind!r}")

    def deliver(self, message: OutboundMessage) -> str:
        self.attempts.append(message)
        if self._failures > 0:
            self._failures -= 1
            raise DeliveryFailed(self._reason, retryable=not self._final)
        self.sent.append(message)
        return f"fake-{next(self._ids)}"

    # ------------------------------------------------------------------ provider input builders

    @staticmethod
    def message(provider_id: str, sender: str, text: str, **extra: Any) -> dict[str, Any]:
        return {"type": "message", "id": provider_id, "from": sender, "text": text, **extra}

    @staticmethod
    def receipt(provider_id: str, status: str, **extra: Any) -> dict[str, Any]:
        return {"type": "status", "id": provider_id, "status": status, **extra}


class ManualTimers:
    """``ports.CallLater`` on a FakeClock: ``run_due()`` runs what is due now, ``advance(s)`` moves the
    clock and runs what falls due on the way (in due order)."""

    def __init__(self, clock: Clock):
        self.clock = clock
        self._heap: list[tuple[float, int, Callable[[], None]]] = []
        self._seq = itertools.count()

    def call_later(self, delay_s: float, fn: Callable[[], None]) -> None:
        heapq.heappush(self._heap, (self.clock.now() + max(0.0, delay_s), next(self._seq), fn))

    def pending(self) -> list[float]:
        """Due times of what is waiting, earliest first."""
        return sorted(due for due, _, _ in self._heap)

    def run_due(self) -> int:
        ran = 0
        while self._heap and self._heap[0][0] <= self.clock.now():
            _, _, fn = heapq.heappop(self._heap)
            fn()
            ran += 1
        return ran

    def advance(self, seconds: float) -> int:
        """Move the clock (it must have ``advance``) to each due time within ``seconds``, running each."""
        clock: Any = self.clock
        end = clock.now() + seconds
        ran = self.run_due()
        while self._heap and self._heap[0][0] <= end:
            clock.advance(self._heap[0][0] - clock.now())
            ran += self.run_due()
        clock.advance(max(0.0, end - clock.now()))
        return ran + self.run_due()
