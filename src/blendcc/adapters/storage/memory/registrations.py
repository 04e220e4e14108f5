"""Agent phones' SIP registrations in memory (the tests' and the simulator's ``ports.PhoneBindings``)."""

from __future__ import annotations

from blendcc.state_ports import PhoneBinding


class MemoryPhoneBindings:
    def __init__(self) -> None:
        self._rows: dict[str, PhoneBinding] = {}

    def save(self, binding: PhoneBinding) -> None:
        self._rows[binding.user] = binding

    def remove(self, user: str) -> None:
        self._rows.pop(user, None)

    def active(self, now: float) -> list[PhoneBinding]:
        self._rows = {u: b for u, b in self._rows.items() if b.expires_at > now}
        return [self._rows[u] for u in sorted(self._rows)]
