"""Wrap-up on the desktop: the options of one of my contacts (dispositions, notes, deadline, callback) and
completing it with those rules checked, scheduling an inbound contact's callback."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from blendcc.app.acd.agents import AgentService
from blendcc.app.acd.callbacks import CallbackService
from blendcc.app.acd.live_views import LiveViews
from blendcc.app.outbound.campaigns import CampaignService
from blendcc.app.outbound.dialing import DialingService
from blendcc.dialer.dnc import normalise
from blendcc.domain.errors import InvalidState, NotFound, ValidationFailed
from blendcc.ports import CustomerRepository
from blendcc.routing.catalog import Catalog

PHONE_CHANNELS = ("voice", "sms")


def _label(code: str) -> str:
    return code.replace("_", " ").capitalize()


class WrapUpDesk:
    def __init__(self, views: LiveViews, agents: AgentService, catalog: Callable[[], Catalog],
                 customers: CustomerRepository, callbacks: CallbackService,
                 campaigns: Callable[[], CampaignService | None], dialing: Callable[[], DialingService | None],
                 region: str | None = None) -> None:
        self.views = views
        self.agents = agents
        self.catalog = catalog
        self.customers = customers
        self.callbacks = callbacks
        self.campaigns = campaigns
        self.dialing = dialing
        self.region = region or "US"

    def _item(self, agent_id: str, contact_id: str) -> dict[str, Any]:
        for item in self.views.agent(agent_id)["work"]:
            if item["contact_id"] == contact_id:
                return dict(item)
        raise NotFound(f"contact {contact_id} is not one of your open contacts")

    def phone_of(self, item: dict[str, Any]) -> str | None:
        """The customer's phone: a phone identity of the customer, else the number the contact came from."""
        if item.get("customer_id"):
            found = self.customers.get(item["customer_id"])
            for kind, value in (found or {}).get("identities", ()):
                if kind == "phone":
                    return str(value)
        attrs = item.get("attributes") or {}
        raw = attrs.get("phone") or (attrs.get("caller_id") if item.get("channel") in PHONE_CHANNELS else None)
        return normalise(str(raw), self.region) if raw else None

    def options(self, agent_id: str, contact_id: str) -> dict[str, Any]:
        return self._options(self._item(agent_id, contact_id), contact_id)

    def _options(self, item: dict[str, Any], contact_id: str, phone_needed: bool = True) -> dict[str, Any]:
        """The wrap-up options of the open contact ``item``; without ``phone_needed`` the customer is not read
        (a wrap-up without a callback: its phone is not used) and the callback part says nothing."""
        attrs = item.get("attributes") or {}
        campaign_id = attrs.get("campaign_id")
        queue = self.catalog().queues.get(item["queue_id"])
        codes: list[dict[str, Any]] = []
        callback_code: str | None = None
        if campaign_id:
            campaigns = self.campaigns()
            if campaigns is not None:
                config = campaigns.get(str(campaign_id))
                codes = [{"code": k, "label": _label(k), "action": v} for k, v in config.dispositions.items()]
                callback_code = next((k for k, v in config.dispositions.items() if v == "callback"), None)
        elif queue is not None:
            codes = [{"code": d.code, "label": d.label, "action": None} for d in queue.dispositions]
        timed = queue is not None and queue.wrap_up_s is not None and not campaign_id
        phone = self.phone_of(item) if phone_needed else None
        if campaign_id:
            reason = None if callback_code else "the campaign has no callback disposition"
        else:
            reason = None if phone else "the contact has no customer phone number"
        return {
            "contact_id": contact_id, "queue_id": item["queue_id"], "channel": item["channel"],
            "campaign_id": str(campaign_id) if campaign_id else None, "stage": item["stage"],
            "dispositions": codes, "disposition_required": bool(codes),
            "notes_required": bool(queue.notes_required) if queue is not None else False,
            "wrap_up_timed": bool(timed or item.get("wrap_until") is not None),
            "wrap_up_until": item.get("wrap_until"),
            "callback": {"possible": reason is None, "phone": phone, "reason": reason,
                         "disposition": callback_code},
        }

    def complete(self, agent_id: str, contact_id: str, disposition: str | None, notes: str | None,
                 callback_at: float | None, personal: bool, callback_note: str | None = None,
                 by: str | None = None) -> dict[str, Any]:
        """Check the disposition and notes against the options, complete the wrap-up; a dialer call keeps
        its callback on its record, any other contact gets a scheduled callback (event in the log)."""
        item = self._item(agent_id, contact_id)
        customer_id = item.get("customer_id")
        opts = self._options(item, contact_id, phone_needed=callback_at is not None)
        codes = [d["code"] for d in opts["dispositions"]]
        if codes and disposition is None:
            raise ValidationFailed(f"choose a disposition: one of {', '.join(codes)}")
        if codes and disposition not in codes:
            raise ValidationFailed(f"disposition {disposition!r} is not one of {', '.join(codes)}")
        if opts["notes_required"] and not (notes or "").strip():
            raise ValidationFailed("this queue needs wrap-up notes")
        if personal and callback_at is None:
            raise ValidationFailed("callback_personal needs callback_at")
        dialing = self.dialing()
        inbound_callback = callback_at is not None and opts["campaign_id"] is None
        if opts["campaign_id"] is not None and dialing is not None:
            dialing.stage_wrap_up(contact_id, agent_id, disposition, callback_at, personal)
        elif callback_at is not None and opts["campaign_id"] is not None:
            raise InvalidState("the dialer is not running: its callbacks cannot be kept now")
        if inbound_callback:
            if not opts["callback"]["possible"]:
                raise ValidationFailed(f"no callback possible: {opts['callback']['reason']}")
            assert callback_at is not None
            if callback_at <= self.callbacks.clock.now():
                raise ValidationFailed("callback_at is in the past")
        events = self.agents.wrap_up(agent_id, contact_id, disposition, notes)
        out: dict[str, Any] = {"contact_id": contact_id, "events": events}
        if inbound_callback:
            assert callback_at is not None
            row = self.callbacks.schedule(phone=opts["callback"]["phone"], due_at=callback_at,
                                          agent_id=agent_id if personal else None, queue_id=opts["queue_id"],
                                          customer_id=customer_id, note=callback_note or notes or "",
                                          source_contact_id=contact_id, by=by)
            out["callback_id"] = row["callback_id"]
        return out
