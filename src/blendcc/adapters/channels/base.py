"""Helpers every channel adapter shares: feeding provider input to the inbox, payload checks, the
text-less refusal, and the timer thread that runs delivery retries live."""

from __future__ import annotations

import heapq
import itertools
import logging
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from blendcc.domain.conversation import (
    Attachment,
    ChannelRef,
    ChannelUnsupported,
    OutboundMessage,
    Received,
    ReceiveMessage,
    UpdateDelivery,
)
from blendcc.domain.errors import ValidationFailed
from blendcc.ports import ChannelAdapter, ChannelCapabilities, ConversationInbox

log = logging.getLogger(__name__)

#: what a phone call can carry as a channel: a real-time conversation, no messages
VOICE_CAPABILITIES = ChannelCapabilities(realtime=True, text=False)


def ingest(adapter: ChannelAdapter, payload: Mapping[str, Any], inbox: ConversationInbox) -> list[Received | bool]:
    """Translate one provider input and hand each command to ``inbox`` (in order); return what each did."""
    out: list[Received | bool] = []
    for command in adapter.translate(payload):
        if command.channel != adapter.channel:
            raise ValidationFailed(f"{adapter.channel} produced a command for {command.channel}")
        if isinstance(command, ReceiveMessage):
            out.append(inbox.receive(command))
        else:
            out.append(inbox.update_delivery(command))
    return out


def text_field(payload: Mapping[str, Any], name: str, *, required: bool = True,
               max_length: int = 100_000) -> str | None:
    """A string field of a provider payload, checked (missing, wrong type or too long: ValidationFailed)."""
    value = payload.get(name)
    if value is None:
        if required:
            raise ValidationFailed(f"provider input lacks {name!r}")
        return None
    if not isinstance(value, str):
        raise ValidationFailed(f"provider input: {name!r} must be a string")
    if len(value) > max_length:
        raise ValidationFailed(f"provider input: {name!r} is longer than {max_length} characters")
    return value


def attachments_field(payload: Mapping[str, Any], name: str = "attachments") -> tuple[Attachment, ...]:
    items = payload.get(name) or ()
    if not isinstance(items, Sequence) or isinstance(items, str):
        raise ValidationFailed(f"provider input: {name!r} must be a list")
    out = []
    for item in items:
        if not isinstance(item, Mapping):
            raise ValidationFailed(f"provider input: each of {name!r} is an object")
        try:
            out.append(Attachment.from_dict(item))
        except (KeyError, TypeError, ValueError) as exc:
            raise ValidationFailed(f"provider input: bad attachment ({exc})") from None
    return tuple(out)


class ChannelBase:
    """The two read-only attributes every adapter has: its ref (kind and instance) and its capabilities."""

    def __init__(self, channel: ChannelRef, capabilities: ChannelCapabilities) -> None:
        self._channel = channel
        self._capabilities = capabilities

    @property
    def channel(self) -> ChannelRef:
        return self._channel

    @property
    def capabilities(self) -> ChannelCapabilities:
        return self._capabilities


class VoiceOnly:
    """Mix-in for channels that carry calls, not messages: text input and output are refused."""

    channel: ChannelRef

    def translate(self, payload: Mapping[str, Any]) -> list[ReceiveMessage | UpdateDelivery]:
        raise ChannelUnsupported(f"{self.channel} is a voice channel: calls arrive through its gateway, "
                                 "not as messages")

    def deliver(self, message: OutboundMessage) -> str:
        raise ChannelUnsupported(f"{self.channel} is a voice channel: it cannot send a text message")


class TimerThread:
    """``ports.CallLater`` on one daemon thread: functions run in due order, one at a time, so a slow
    provider delays later deliveries but never the caller (API requests return at once)."""

    def __init__(self, name: str = "channel-delivery", monotonic: Callable[[], float] = time.monotonic):
        self._monotonic = monotonic
        self._heap: list[tuple[float, int, Callable[[], None]]] = []
        self._seq = itertools.count()
        self._cond = threading.Condition()
        self._closed = False
        self._name = name
        self._thread: threading.Thread | None = None  # started by the first call_later


    def call_later(self, delay_s: float, fn: Callable[[], None]) -> None:
        with self._cond:
            if self._closed:
                raise RuntimeError("the delivery timer thread is closed")
            heapq.heappush(self._heap, (self._monotonic() + max(0.0, delay_s), next(self._seq), fn))
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name=self._name, daemon=True)
                self._thread.start()
            self._cond.notify()

    def pending(self) -> int:
        with self._cond:
            return len(self._heap)

    def close(self) -> None:
        with self._cond:
            self._closed = True
            self._cond.notify()
            thread = self._thread
        if thread is not None:
            thread.join(timeout=5.0)

    def _run(self) -> None:
        while True:
            with self._cond:
                while not self._closed and (not self._heap or self._heap[0][0] > self._monotonic()):
                    self._cond.wait(None if not self._heap else max(0.0, self._heap[0][0] - self._monotonic()))
                if self._closed:
                    return
                _, _, fn = heapq.heappop(self._heap)
            try:
                fn()
            except Exception:
                log.exception("a scheduled channel task failed")
