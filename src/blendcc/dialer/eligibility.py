"""Record selection: which records may be dialled now (DNC, calling window, attempts, callbacks first)."""

from __future__ import annotations

import heapq
from collections.abc import Container, Iterable

from blendcc.dialer.campaign import CampaignConfig, is_e164
from blendcc.dialer.records import DIALLABLE, DialRecord
from blendcc.dialer.windows import is_open, local_day


class _ZoneCache:
    """Per-zone answers at one instant (the callee's local day, is the window open): every record of a
    zone shares them, so a selection over a large list evaluates each zone once."""

    def __init__(self, campaign: CampaignConfig, now: float) -> None:
        self.campaign = campaign
        self.now = now
        self._zones: dict[str, tuple[str | None, bool]] = {}

    def get(self, tz: str) -> tuple[str | None, bool]:
        hit = self._zones.get(tz)
        if hit is None:
            day = local_day(self.now, tz)
            hit = self._zones[tz] = (day, day is not None and is_open(self.campaign.calling_window, tz, self.now))
        return hit


def why_not(record: DialRecord, campaign: CampaignConfig, dnc: Container[str], now: float,
            *, agent_id: str | None = None, _zones: _ZoneCache | None = None) -> str | None:
    """Why ``record`` may not be dialled at ``now`` (None when it may).

    Reasons: 'state' (not pending/scheduled/callback), 'bad_number', 'dnc', 'max_attempts',
    'max_attempts_today', 'not_due', 'personal_callback' (someone else's), 'outside_window'.
    """
    if record.state not in DIALLABLE or record.campaign_id != campaign.id:
        return "state"
    if not is_e164(record.phone):
        return "bad_number"
    if record.phone in dnc:
        return "dnc"
    if record.attempts >= campaign.max_attempts:
        return "max_attempts"
    if record.next_attempt_at is not None and record.next_attempt_at > now:
        return "not_due"
    if record.state == "callback" and record.callback_agent_id is not None and record.callback_agent_id != agent_id:
        return "personal_callback"
    day, open_now = (_zones or _ZoneCache(campaign, now)).get(record.tz)
    if day is None:
        return "outside_window"  # unknown zone: the window cannot be checked, so never dial
    if record.attempts_on(day) >= campaign.max_attempts_per_day:
        return "max_attempts_today"
    if not open_now:
        return "outside_window"
    return None


def next_records(records: Iterable[DialRecord], campaign: CampaignConfig, dnc: Container[str], now: float,
                 n: int, *, agent_id: str | None = None) -> list[DialRecord]:
    """Up to ``n`` records that may be dialled at ``now``, best first.

    Never a DNC number, never outside the callee's calling window, never beyond the campaign's
    attempt limits (total and on the callee's local day), never a bad number or a record that is
    not pending/scheduled/callback. Order: due callbacks first (personal callbacks of ``agent_id``,
    then shared ones; personal callbacks of other agents are never returned), earliest due first;
    then due retries, earliest first; then fresh records in list order.
    """
    if n <= 0:
        return []
    ranked: list[tuple[tuple[int, float, int], DialRecord]] = []
    zones = _ZoneCache(campaign, now)
    for i, record in enumerate(records):
        if why_not(record, campaign, dnc, now, agent_id=agent_id, _zones=zones) is not None:
            continue
        due = record.next_attempt_at if record.next_attempt_at is not None else float("-inf")
        if record.state == "callback":
            group = 0 if record.callback_agent_id is not None else 1
        elif record.state == "scheduled":
            group = 2
        else:
            group = 3
            due = 0.0
        ranked.append(((group, due, i), record))
    return [record for _, record in heapq.nsmallest(n, ranked, key=lambda item: item[0])]
