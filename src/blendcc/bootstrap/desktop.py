"""Wiring of the agent desktop's use cases: today's figures, wrap-up options, callbacks, manual dial."""

from __future__ import annotations

from blendcc.app.acd.callbacks import CallbackService
from blendcc.app.acd.desktop import AgentToday, Desk
from blendcc.app.acd.wrapup import WrapUpDesk
from blendcc.app.container import Container
from blendcc.app.outbound.agent_campaigns import push_campaign_states
from blendcc.app.outbound.manual_dial import ManualDial
from blendcc.config import Settings
from blendcc.ports import CallbackReader


def wire_desktop(container: Container, settings: Settings, reader: CallbackReader) -> Desk:
    c = container
    customers = c.customers.customers
    callbacks = CallbackService(c.runtime, reader, customers, c.bus, c.clock,
                                settings.phone_region)
    wrapups = WrapUpDesk(c.views, c.agents, lambda: c.config.catalog, customers, callbacks,
                         lambda: c.campaigns, lambda: c.dialing, settings.phone_region)
    manual = (ManualDial(c.campaigns, c.views, c.clock, lambda: c.dialing, settings.timezone, settings.phone_region)
              if c.campaigns is not None else None)
    if c.campaigns is not None:  # agents' desktops reload their campaign list on a state change
        push_campaign_states(c.campaigns, c.bus.publish)
    desk = Desk(AgentToday(c.reports, c.store, c.views, c.clock, settings.timezone), callbacks, wrapups, manual)
    c.desk = desk
    return desk
