"""Wiring of the customer features: identity region, merges and the auto-merge rule, timeline, screen pop
with the CRM lookup, privacy requests."""

from __future__ import annotations

from typing import Any

from blendcc.app.container import Container
from blendcc.app.customers.merge import CustomerMerges
from blendcc.app.customers.privacy import CustomerPrivacy
from blendcc.app.customers.screen_pop import ScreenPop
from blendcc.app.customers.timeline import CustomerTimeline
from blendcc.config import Settings
from blendcc.ports import CustomerHistory


def wire_customers(container: Container, settings: Settings, history: CustomerHistory) -> None:
    customers = container.customers.customers
    store: Any = container.store
    container.customers.region = settings.phone_region
    container.contacts.region = settings.phone_region
    merges = CustomerMerges(container.runtime, customers, store, store)
    container.merges = merges
    if settings.customer_auto_merge:
        container.customers.auto_merge = lambda into, source: merges.merge(into, source, rule="verified_identity")
    analytics = container.analytics
    scorer = analytics.sentiment.scorer if analytics is not None else None
    timeline = CustomerTimeline(customers, history, store,
                                (lambda text: scorer.score(text).to_dict()) if scorer is not None else None)
    container.timeline = timeline
    crm = None
    if settings.crm_url_template:
        from blendcc.adapters.crm.http_lookup import HttpCrmLookup

        crm = HttpCrmLookup(settings.crm_url_template, container.clock, settings.crm_headers,
                            settings.crm_timeout_s, settings.crm_cache_ttl_s)
    container.screen_pop = ScreenPop(customers, store, crm, settings.screen_pop_contacts)
    container.privacy = CustomerPrivacy(container.runtime, customers, store, store, timeline,
                                        settings.recording_dir)
