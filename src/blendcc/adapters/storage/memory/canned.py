"""Canned responses in memory (the simulator's and the tests' ``ports.CannedRepository``)."""

from __future__ import annotations

from blendcc.domain.canned import CannedResponse, check_unique
from blendcc.domain.errors import InvalidState, ValidationFailed


class MemoryCannedRepository:
    def __init__(self) -> None:
        self._rows: dict[str, CannedResponse] = {}

    def get(self, response_id: str) -> CannedResponse | None:
        return self._rows.get(response_id)

    def list(self) -> list[CannedResponse]:
        return sorted(self._rows.values(), key=lambda r: (r.scope, r.owner, r.shortcut, r.id))

    def put(self, response: CannedResponse) -> None:
        try:
            check_unique(self._rows.values(), response)
        except ValidationFailed as exc:
            raise InvalidState(exc.message) from None
        self._rows[response.id] = response

    def delete(self, response_id: str) -> bool:
        return self._rows.pop(response_id, None) is not None
