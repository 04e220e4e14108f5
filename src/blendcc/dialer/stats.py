"""Campaign report: a pure fold of dialer events, engine wrap-ups and agent state intervals."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from blendcc.analytics.agent_stats import StateInterval, time_split
from blendcc.dialer.campaign import CampaignConfig
from blendcc.dialer.compliance import UK_WINDOW_S, US_WINDOW_S, AbandonLedger
from blendcc.dialer.dnc import DncEntry
from blendcc.dialer.windows import is_open
from blendcc.domain import dialer_events as de
from blendcc.domain.events import Event, WrapUpCompleted


@dataclass(slots=True)
class CampaignReport:
    """Figures of one campaign over ``[start, end)`` (abandonment windows end at ``now``)."""

    campaign_id: str
    start: float
    end: float
    attempts: int = 0
    answered: int = 0  # the line answered (human, machine, fax, unknown)
    live_answers: int = 0  # a live person: connected or abandoned
    connected: int = 0
    abandoned: int = 0
    #: UK with AMD: machine answers x ``amd_false_positive_rate``, counted as abandoned live calls
    amd_false_positives_est: float = 0.0
    outcomes: dict[str, int] = field(default_factory=dict)
    skipped: int = 0
    talk_s: float = 0.0
    logged_in_s: float = 0.0
    records: int = 0
    records_attempted: int = 0
    records_by_state: dict[str, int] = field(default_factory=dict)
    calls_outside_window: int = 0
    dnc_hits: int = 0
    abandon_rate: float = 0.0  # over [start, end)
    abandon_rate_24h: float = 0.0
    abandon_rate_30d: float = 0.0
    regulatory_rate: float = 0.0  # the one the campaign's regulatory mode is judged on

    @property
    def connect_rate(self) -> float | None:
        return self.connected / self.attempts if self.attempts else None

    @property
    def talk_min_per_agent_hour(self) -> float | None:
        return (self.talk_s / 60.0) / (self.logged_in_s / 3600.0) if self.logged_in_s > 0 else None

    @property
    def penetration(self) -> float | None:
        """Share of the list's records dialled at least once."""
        return self.records_attempted / self.records if self.records else None

    def to_dict(self) -> dict[str, Any]:
        return {
            "campaign_id": self.campaign_id, "start": self.start, "end": self.end,
            "attempts": self.attempts, "answered": self.answered, "live_answers": self.live_answers,
            "connected": self.connected, "abandoned": self.abandoned,
            "amd_false_positives_est": round(self.amd_false_positives_est, 3), "outcomes": dict(self.outcomes),
            "preview_skips": self.skipped, "connect_rate": self.connect_rate,
            "talk_s": self.talk_s, "logged_in_s": self.logged_in_s,
            "talk_min_per_agent_hour": self.talk_min_per_agent_hour,
            "records": self.records, "records_attempted": self.records_attempted,
            "records_by_state": dict(self.records_by_state), "penetration": self.penetration,
            "calls_outside_window": self.calls_outside_window, "dnc_hits": self.dnc_hits,
            "abandon_rate": self.abandon_rate, "abandon_rate_24h": self.abandon_rate_24h,
            "abandon_rate_30d": self.abandon_rate_30d, "regulatory_rate": self.regulatory_rate,
        }


def campaign_report(campaign: CampaignConfig, events: Iterable[Event], start: float, end: float, now: float, *,
                    tz_of: Mapping[str, str] | None = None, dnc: Iterable[DncEntry] = (),
                    intervals: Iterable[StateInterval] = (), agent_ids: Iterable[str] | None = None,
                    records_by_state: Mapping[str, int] | None = None,
                    attempted_records: int | None = None) -> CampaignReport:
    """Fold ``events`` (dialer events of any campaign plus engine contact events, in log order) into the
    report of ``campaign``.

    Counts (attempts, outcomes, talk) are for events in ``[start, end)``; the 24-hour and 30-day
    abandonment rates end at ``now`` and use every event given. A live answer is a call that was
    connected to an agent or abandoned; abandoned calls are counted at their answer time. AMD false
    positives (a person hung up on as a machine) count as abandoned only in UK mode: a CallAbandoned
    with reason amd_false_positive when one is known, and for every machine answer of an AMD campaign
    the estimate ``amd_false_positive_rate`` (as a live answer and as abandoned). Talk time is the
    engine's ``WrapUpCompleted.talk_s`` of the campaign's outbound contacts; logged-in time comes
    from the state intervals of ``agent_ids`` (default: the agents who took the campaign's calls).
    ``tz_of`` (record id -> IANA zone) lets calls placed outside the callee's window be counted;
    ``dnc`` entries count calls placed to a number that was on a DNC list at the time.
    """
    report = CampaignReport(campaign.id, start, end)
    uk = campaign.regulatory_mode == "uk"
    # Ofcom: a reasoned estimate of AMD false positives (people hung up on as machines) is abandoned
    estimate = campaign.amd_false_positive_rate if uk and campaign.amd else 0.0
    ledger = AbandonLedger()
    answered_at: dict[str, float] = {}
    contacts: set[str] = set()
    agents: set[str] = set()
    dnc_since: dict[str, float] = {}
    for entry in dnc:
        if entry.scope in ("*", campaign.id):
            dnc_since[entry.phone] = min(entry.added_at, dnc_since.get(entry.phone, entry.added_at))
    attempted: set[str] = set()
    for e in events:
        if isinstance(e, WrapUpCompleted):
            if e.contact_id in contacts and start <= e.at < end:
                report.talk_s += e.talk_s
            continue
        if not isinstance(e, de.DialerEvent) or e.campaign_id != campaign.id:
            continue
        inside = start <= e.at < end
        if isinstance(e, de.CallPlaced):
            attempted.add(e.record_id)
            if e.agent_id:
                agents.add(e.agent_id)
            if not inside:
                continue
            report.attempts += 1
            tz = (tz_of or {}).get(e.record_id)
            if tz is not None and not is_open(campaign.calling_window, tz, e.at):
                report.calls_outside_window += 1
            since = dnc_since.get(e.phone)
            if since is not None and since <= e.at:
                report.dnc_hits += 1
        elif isinstance(e, de.CallAnswered):
            answered_at[e.call_id] = e.at
            if inside:
                report.answered += 1
        elif isinstance(e, de.CallConnected):
            contacts.add(e.contact_id)
            agents.add(e.agent_id)
            t = answered_at.get(e.call_id, e.at)
            ledger.add(t, False)
            if start <= t < end:
                report.connected += 1
                report.live_answers += 1
                _count(report.outcomes, "human")
        elif isinstance(e, de.CallAbandoned):
            t = answered_at.get(e.call_id, e.at)
            counts = uk or e.reason != "amd_false_positive"
            if counts:
                ledger.add(t, True)
            if start <= t < end:
                _count(report.outcomes, "abandoned" if counts else "machine")
                if counts:
                    report.abandoned += 1
                    report.live_answers += 1
        elif isinstance(e, de.CallFailed):
            if e.outcome == "machine" and estimate > 0.0:
                t = answered_at.get(e.call_id, e.at)
                ledger.add(t, True, weight=estimate)
                if start <= t < end:
                    report.amd_false_positives_est += estimate
            if inside:
                _count(report.outcomes, e.outcome)
        elif isinstance(e, de.PreviewSkipped) and inside:
            report.skipped += 1
    live = report.live_answers + report.amd_false_positives_est
    report.abandon_rate = (report.abandoned + report.amd_false_positives_est) / live if live > 0 else 0.0
    report.abandon_rate_24h = ledger.rate(now, UK_WINDOW_S)
    report.abandon_rate_30d = ledger.rate(now, US_WINDOW_S)
    report.regulatory_rate = report.abandon_rate_24h if uk else report.abandon_rate_30d
    pool = set(agent_ids) if agent_ids is not None else agents
    split = time_split((iv for iv in intervals if iv.agent_id in pool), start, end)
    report.logged_in_s = sum(sum(t.seconds.values()) for t in split.values())
    if records_by_state is not None:
        report.records_by_state = dict(records_by_state)
        report.records = sum(records_by_state.values())
    report.records_attempted = attempted_records if attempted_records is not None else len(attempted)
    return report


def _count(counts: dict[str, int], key: str) -> None:
    counts[key] = counts.get(key, 0) + 1
