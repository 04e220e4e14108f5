"""Manual dialling by an agent: the checks shown before dialling (number, DNC, calling window, agent state) and
placing the call through a campaign's dialing loop, as a preview dial does."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from blendcc.app.acd.live_views import LiveViews
from blendcc.app.outbound.campaigns import CampaignService
from blendcc.app.outbound.state import Run
from blendcc.dialer.campaign import CampaignConfig
from blendcc.dialer.dnc import GLOBAL, normalise
from blendcc.dialer.importer import number_zone
from blendcc.dialer.records import DialRecord
from blendcc.dialer.windows import CallingWindow, is_open, local_time
from blendcc.domain import events as ev
from blendcc.domain.errors import InvalidState, NotFound
from blendcc.outbound_ports import DialerRepository
from blendcc.ports import Clock
from blendcc.routing.commands import Command

if TYPE_CHECKING:
    from blendcc.app.outbound.dialing import DialingService


MANUAL_PREFIX = "manual-"


def manual_customer(record: DialRecord) -> str | None:
    """The customer an agent dialled by hand (checked by the API: one of the agent's); None for list records,
    whose columns are not trusted as customer ids."""
    if not record.record_id.startswith(MANUAL_PREFIX):
        return None
    return record.fields.get("customer_id") or None


class ManualDialActions:
    """The manual-dial action of ``DialingService`` (which provides the runs, repository and engine runner)."""

    if TYPE_CHECKING:
        lock: threading.RLock
        clock: Clock
        repo: DialerRepository

        def _drain(self) -> None: ...
        def _get(self, campaign_id: str) -> Run: ...
        def _run(self, command: Command | None) -> list[ev.Event]: ...
        def _place(self, run: Run, record: DialRecord, now: float, agent_id: str | None,
                   reserved: bool = False) -> str: ...

    def manual_dial(self, campaign_id: str, agent_id: str, phone: str, tz: str,
                    fields: dict[str, str]) -> str:
        """Call ``phone`` for ``agent_id`` now in ``campaign_id`` (a new record of its list, marked manual);
        the agent is held for it as for a preview dial. Returns the call id (the contact's id once answered)."""
        with self.lock:
            self._drain()
            run = self._get(campaign_id)
            if run.state != "running":
                raise InvalidState(f"campaign {campaign_id} is {run.state}")
            record = DialRecord(campaign_id=campaign_id, record_id=MANUAL_PREFIX + uuid.uuid4().hex[:16], phone=phone,
                                tz=tz, fields={"manual": "true", **fields})
            self.repo.insert_records([record])
            now = self.clock.now()
            call_id = self._place(run, record, now, agent_id)
            if not call_id:
                raise InvalidState(f"agent {agent_id} is not free to dial now")
            self._run(None)
            return call_id


def _check(name: str, ok: bool, message: str) -> dict[str, Any]:
    return {"check": name, "ok": ok, "message": message}


class ManualDial:
    """``check``: every check with pass/fail and a message; ``dial``: refuses on a failed check (409), else
    places the call with the dialing loop and returns its contact id."""

    def __init__(self, campaigns: CampaignService, views: LiveViews, clock: Clock,
                 dialing: Callable[[], DialingService | None], centre_tz: str, region: str | None = None) -> None:
        self.campaigns = campaigns
        self.views = views
        self.clock = clock
        self.dialing = dialing
        self.centre_tz = centre_tz
        self.region = region or "US"

    def _campaign(self, campaign_id: str | None, agent_queues: list[str]) -> tuple[CampaignConfig | None, str]:
        """(the campaign to dial in, else None with why): the one asked for, or the one running campaign of
        the agent's queues."""
        if campaign_id is not None:
            try:
                config = self.campaigns.get(campaign_id)
            except NotFound:
                return None, f"campaign {campaign_id} does not exist"
            if config.queue_id not in agent_queues:
                return None, f"campaign {campaign_id} dials for queue {config.queue_id}, not one of yours"
            return config, ""
        mine = [c for c in self.campaigns.running() if c.queue_id in agent_queues]
        if len(mine) == 1:
            return mine[0], ""
        return None, "choose a campaign: none or several of your queues' campaigns are running"

    def check(self, agent_id: str, phone: str, campaign_id: str | None = None) -> dict[str, Any]:
        agent = self.views.agent(agent_id)
        campaign, why_not = self._campaign(campaign_id, agent["queues"])
        now = self.clock.now()
        region = campaign.default_region if campaign is not None else self.region
        number = normalise(phone, region)
        checks = [_check("number", number is not None,
                         f"{number} is a valid number" if number is not None
                         else f"{phone[:40]!r} is not a valid phone number (region {region})")]
        tz: str | None = None
        if number is not None:
            scope = campaign.id if campaign is not None else GLOBAL
            listed = number in self.campaigns.repo.dnc_numbers(scope)
            where = "the do-not-call list" + (f" (global or campaign {campaign.id})" if campaign is not None
                                              else " (global)")
            checks.append(_check("dnc", not listed, f"{number} is on {where}" if listed
                                 else f"{number} is not on {where}"))
            tz = number_zone(number, now) or self.centre_tz
            window = campaign.calling_window if campaign is not None else CallingWindow()
            local = local_time(now, tz)
            shown = local.strftime("%a %H:%M") if local is not None else "?"
            open_now = is_open(window, tz, now)
            checks.append(_check("calling_window", open_now,
                                 f"{shown} in {tz} is {'inside' if open_now else 'outside'} the calling window"))
        free = (agent["logged_in"] and agent["presence"] == "available" and not agent["work"]
                and agent["capacity"].get("voice", 0) > 0)
        checks.append(_check("agent_state", free, "you are available and free to dial" if free else
                             f"you are {agent['state']} (dialling needs available with no open contact)"))
        if campaign is None:
            checks.append(_check("campaign", False, why_not))
        else:
            state = self.campaigns.state(campaign.id)
            checks.append(_check("campaign", state == "running", f"campaign {campaign.id} is {state}"))
        return {"phone": number or phone, "campaign_id": campaign.id if campaign is not None else None,
                "timezone": tz, "ok": all(c["ok"] for c in checks), "checks": checks}

    def dial(self, agent_id: str, phone: str, campaign_id: str | None = None,
             customer_id: str | None = None) -> dict[str, Any]:
        result = self.check(agent_id, phone, campaign_id)
        failed = [c for c in result["checks"] if not c["ok"]]
        if failed:
            raise InvalidState("not dialled: " + "; ".join(c["message"] for c in failed))
        dialing = self.dialing()
        if dialing is None:
            raise InvalidState("the dialer is not running in this deployment (BLENDCC_TELEPHONY)")
        fields = {"customer_id": customer_id} if customer_id else {}
        try:
            call_id = dialing.manual_dial(result["campaign_id"], agent_id, result["phone"], result["timezone"],
                                          fields)
        except NotFound as exc:
            raise InvalidState(exc.message) from None
        return {**result, "contact_id": call_id}
