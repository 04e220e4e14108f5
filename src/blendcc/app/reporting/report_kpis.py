"""Which KPIs of KPIS.md a report shows for each dimension, and what kind of figure each is."""

from __future__ import annotations

#: kind of a figure: count (integer), ratio (0..1, shown as a percent), seconds, number (a mean)
KINDS: dict[str, str] = {
    # queue / contact (analytics.queue_stats.queue_kpis)
    "offered": "count", "handled": "count", "abandoned": "count", "short_abandoned": "count",
    "timed_out": "count", "overflowed_out": "count", "transferred": "count",
    "abandon_rate": "ratio", "service_level": "ratio", "asa_s": "seconds", "avg_abandon_wait_s": "seconds",
    "max_wait_handled_s": "seconds", "aht_s": "seconds", "avg_talk_s": "seconds", "avg_hold_s": "seconds",
    "avg_acw_s": "seconds", "transfer_rate": "ratio",
    # digital conversations (analytics.digital_stats.digital_kpis)
    "conversations_started": "count", "resolved": "count", "reopened": "count",
    "first_response_s": "seconds", "response_s": "seconds", "resolution_s": "seconds",
    "first_response_bh_s": "seconds", "response_bh_s": "seconds", "resolution_bh_s": "seconds",
    "reopen_rate": "ratio", "customer_messages_per_conversation": "number",
    "agent_messages_per_conversation": "number", "concurrency": "number", "bot_containment": "ratio",
    "csat": "ratio", "csat_mean": "number", "csat_count": "count",
    # agent (analytics.agent_stats.agent_kpis, analytics.agent_day.AgentDay)
    "logged_in_s": "seconds", "available_s": "seconds", "reserved_s": "seconds", "handling_s": "seconds",
    "aux_s": "seconds", "occupancy": "ratio", "utilization": "ratio", "availability": "ratio",
    "contacts_per_hour": "number", "completed": "count", "talk_s": "seconds", "hold_s": "seconds",
    "acw_s": "seconds", "adherence": "ratio", "conformance": "ratio", "resolved_disposition_rate": "ratio",
    # outbound (dialer.stats.CampaignReport)
    "attempts": "count", "answered": "count", "live_answers": "count", "connected": "count",
    "connect_rate": "ratio", "outbound_abandoned": "count", "outbound_abandon_rate": "ratio",
    "talk_min_per_agent_hour": "number", "preview_skips": "count", "calls_outside_window": "count",
    "dnc_hits": "count",
    # outcomes (app.reporting.report_outcomes)
    "fcr_rate": "ratio", "fcr_contacts": "count", "fcr_unknown_customer": "count",
    "forecast_offered": "number", "forecast_wape": "ratio", "forecast_mape": "ratio",
    "wrapups": "count", "share": "ratio", "cumulative_share": "ratio", "pareto_rank": "count",
}

QUEUE = ("offered", "handled", "abandoned", "short_abandoned", "timed_out", "overflowed_out", "transferred",
         "service_level", "abandon_rate", "asa_s", "avg_abandon_wait_s", "max_wait_handled_s", "aht_s",
         "avg_talk_s", "avg_hold_s", "avg_acw_s", "transfer_rate", "resolved_disposition_rate")
DIGITAL = ("conversations_started", "resolved", "reopened", "first_response_s", "first_response_bh_s",
           "response_s", "response_bh_s", "resolution_s", "resolution_bh_s", "reopen_rate",
           "customer_messages_per_conversation", "agent_messages_per_conversation", "bot_containment",
           "csat", "csat_mean", "csat_count")
AGENT = ("handled", "completed", "aht_s", "avg_talk_s", "avg_hold_s", "avg_acw_s", "logged_in_s", "available_s",
         "reserved_s", "handling_s", "aux_s", "occupancy", "utilization", "availability", "contacts_per_hour",
         "resolved_disposition_rate", "adherence", "conformance")
AGENT_DIGITAL = ("first_response_s", "response_s", "concurrency", "csat", "csat_mean", "csat_count")
CAMPAIGN = ("attempts", "answered", "live_answers", "connected", "connect_rate", "outbound_abandoned",
            "outbound_abandon_rate", "talk_min_per_agent_hour", "preview_skips", "calls_outside_window",
            "dnc_hits")

FCR = ("fcr_rate", "fcr_contacts", "fcr_unknown_customer")
FORECAST = ("forecast_offered", "forecast_wape", "forecast_mape")
DISPOSITION = ("wrapups", "share", "cumulative_share", "pareto_rank")

COLUMNS: dict[str, tuple[str, ...]] = {
    "queue": QUEUE + FCR + FORECAST + DIGITAL, "channel": QUEUE + FCR + DIGITAL,
    "agent": AGENT + FCR + AGENT_DIGITAL, "team": AGENT + FCR + AGENT_DIGITAL, "campaign": CAMPAIGN,
    "disposition": DISPOSITION,
}


def columns(by: str) -> list[dict[str, str]]:
    return [{"key": k, "kind": KINDS[k]} for k in COLUMNS[by]]
