"""The channel registry: every channel instance (a mailbox, a number, a widget, the SIP edge) by kind."""

from __future__ import annotations

import threading

from blendcc.domain.conversation import ChannelRef
from blendcc.domain.errors import InvalidState, NotFound
from blendcc.ports import ChannelAdapter, ChannelCapabilities


class ChannelRegistry:
    """Implements ``ports.ChannelDirectory``: adapters registered by their ``ChannelRef``."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._adapters: dict[ChannelRef, ChannelAdapter] = {}

    def register(self, adapter: ChannelAdapter, *, replace: bool = False) -> None:
        ref = adapter.channel
        if not isinstance(adapter.capabilities, ChannelCapabilities):
            raise TypeError(f"{ref}: capabilities must be a ChannelCapabilities")
        with self._lock:
            if ref in self._adapters and not replace:
                raise InvalidState(f"channel {ref} is already registered")
            self._adapters[ref] = adapter

    def unregister(self, ref: ChannelRef) -> None:
        with self._lock:
            if self._adapters.pop(ref, None) is None:
                raise NotFound(f"channel {ref} is not registered")

    def adapter(self, channel: ChannelRef) -> ChannelAdapter | None:
        with self._lock:
            return self._adapters.get(channel)

    def get(self, channel: ChannelRef) -> ChannelAdapter:
        found = self.adapter(channel)
        if found is None:
            raise NotFound(f"channel {channel} is not registered")
        return found

    def of_kind(self, kind: str) -> list[ChannelAdapter]:
        """The instances of one channel kind, by instance name."""
        with self._lock:
            return [a for ref, a in sorted(self._adapters.items(), key=lambda x: x[0].instance) if ref.kind == kind]

    def channels(self) -> list[ChannelRef]:
        with self._lock:
            return sorted(self._adapters, key=lambda r: (r.kind, r.instance))
