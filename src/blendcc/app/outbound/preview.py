"""Preview dialling for agents: fetch the next record (the agent is held for it), dial it, or skip with a reason."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from blendcc.app.outbound.state import Run
from blendcc.dialer.eligibility import why_not
from blendcc.dialer.records import DialRecord
from blendcc.domain import dialer_events as dev
from blendcc.domain import events as ev
from blendcc.domain.errors import InvalidState, ValidationFailed
from blendcc.outbound_ports import DialerRepository
from blendcc.ports import Clock
from blendcc.routing.commands import Command, ReleaseOutbound, ReserveOutbound


class PreviewActions:
    """The preview actions of ``DialingService`` (which provides the runs, records, calls and engine runner)."""

    if TYPE_CHECKING:
        lock: threading.RLock
        clock: Clock
        repo: DialerRepository
        runs: dict[str, Run]
        _pending: list[ev.Event]

        def _drain(self) -> None: ...
        def _get(self, campaign_id: str) -> Run: ...
        def _take_records(self, run: Run, now: float, n: int, agent_id: str | None = None) -> list[DialRecord]: ...
        def _run(self, command: Command | None) -> list[ev.Event]: ...
        def _place(self, run: Run, record: DialRecord, now: float, agent_id: str | None,
                   reserved: bool = False) -> str: ...

    def preview_next(self, campaign_id: str, agent_id: str) -> DialRecord | None:
        """The next record for ``agent_id`` to read (its own callbacks first); the agent is held for it."""
        with self.lock:
            self._drain()
            run = self._get(campaign_id)
            if run.state != "running":
                raise InvalidState(f"campaign {campaign_id} is {run.state}")
            if agent_id in run.previews:
                return run.previews[agent_id]
            now = self.clock.now()
            records = self._take_records(run, now, 1, agent_id=agent_id)
            if not records:
                return None
            self._run(ReserveOutbound(agent_id, campaign_id))
            run.previews[agent_id] = records[0]
            return records[0]

    def previewed_record(self, campaign_id: str, agent_id: str) -> str | None:
        """The id of the record ``agent_id`` is previewing in ``campaign_id``, if any."""
        with self.lock:
            run = self.runs.get(campaign_id)
            record = run.previews.get(agent_id) if run is not None else None
            return None if record is None else record.record_id

    def preview_dial(self, campaign_id: str, agent_id: str, record_id: str) -> str:
        """The agent dials the record it previews; returns the call id."""
        with self.lock:
            run = self._get(campaign_id)
            record = _take_preview(run, agent_id, record_id)
            now = self.clock.now()
            fresh = self.repo.get_record(campaign_id, record_id) or record
            reason = why_not(fresh, run.config, run.dnc or self.repo.dnc_numbers(campaign_id), now, agent_id=agent_id)
            if reason is not None:
                self._release(run, fresh, agent_id)
                raise InvalidState(f"record {record_id} may not be dialled now ({reason})")
            call_id = self._place(run, fresh, now, agent_id, reserved=True)
            self._run(None)
            return call_id

    def preview_skip(self, campaign_id: str, agent_id: str, record_id: str, reason: str) -> None:
        """The agent does not dial the record it previews (``reason`` is recorded); the agent is free."""
        if not reason.strip():
            raise ValidationFailed("a skip needs a reason")
        with self.lock:
            run = self._get(campaign_id)
            record = _take_preview(run, agent_id, record_id)
            run.skipped.add((agent_id, record_id))
            run.bump("skipped")
            self._pending.append(dev.PreviewSkipped(campaign_id=campaign_id, record_id=record_id, agent_id=agent_id,
                                                    reason=reason.strip(), at=self.clock.now()))
            self._release(run, record, agent_id)

    def _release(self, run: Run, record: DialRecord, agent_id: str) -> None:
        del run, record  # the record is untouched: it stays diallable for others
        self._release_agent(agent_id)

    def _release_agent(self, agent_id: str) -> None:
        self._run(ReleaseOutbound(agent_id))


def _take_preview(run: Run, agent_id: str, record_id: str) -> DialRecord:
    """The record ``agent_id`` previews, no longer previewed (InvalidState if it previews another)."""
    record = run.previews.get(agent_id)
    if record is None or record.record_id != record_id:
        raise InvalidState(f"agent {agent_id} is not previewing record {record_id}")
    del run.previews[agent_id]
    return record
