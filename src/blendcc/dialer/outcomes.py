"""Call outcomes and agent dispositions, and the retry rules that turn them into a record's next state."""

from __future__ import annotations

from enum import StrEnum

from blendcc.dialer.campaign import UK_REDIAL_AFTER_ABANDON_S, CampaignConfig
from blendcc.dialer.records import DialRecord
from blendcc.dialer.windows import local_day, next_open


class Outcome(StrEnum):
    """How a dial attempt ended (from the telephony events and AMD)."""

    human = "human"  # a live person answered and was connected to an agent
    machine = "machine"  # an answering machine (AMD)
    fax = "fax"
    unknown = "unknown"  # answered, not classified, not connected
    busy = "busy"
    no_answer = "no_answer"
    failed = "failed"  # network / congestion: try again later
    invalid = "invalid"  # not a number
    disconnected = "disconnected"  # number no longer in service
    abandoned = "abandoned"  # a live person answered and no agent was connected in time


#: outcomes that retire a number for good
BAD_OUTCOMES: frozenset[Outcome] = frozenset({Outcome.fax, Outcome.invalid, Outcome.disconnected})
#: the RetryDelays field for each retryable outcome
_RETRY_FIELD: dict[Outcome, str] = {
    Outcome.no_answer: "no_answer",
    Outcome.busy: "busy",
    Outcome.machine: "machine",
    Outcome.failed: "failed",
    Outcome.abandoned: "abandoned",
    Outcome.unknown: "unknown",
}


def start_attempt(record: DialRecord, now: float) -> DialRecord:
    """The record is being dialled: count the attempt (total and on the callee's local day)."""
    day = local_day(now, record.tz)
    return record.replace(
        state="dialing",
        attempts=record.attempts + 1,
        attempts_today=record.attempts_on(day) + 1,
        attempts_day=day,
        next_attempt_at=None,
    )


def schedule_retry(record: DialRecord, campaign: CampaignConfig, now: float, delay_s: float,
                   *, reason: str) -> DialRecord:
    """Retry after ``delay_s`` (moved to the next open calling window, and to a later local day once
    today's attempts are used up); done with 'max_attempts' when no attempt is left."""
    if record.attempts >= campaign.max_attempts:
        return record.replace(state="done", next_attempt_at=None, final_reason="max_attempts",
                              callback_agent_id=None)
    due = now + delay_s
    if record.attempts_on(local_day(due, record.tz)) >= campaign.max_attempts_per_day:
        due = _next_local_midnight(record, due)
    opened = next_open(campaign.calling_window, record.tz, due)
    return record.replace(state="scheduled", next_attempt_at=opened if opened is not None else due,
                          final_reason=None, callback_agent_id=None, last_outcome=record.last_outcome or reason)


def _next_local_midnight(record: DialRecord, at: float) -> float:
    """The first second of the callee's next local day after ``at`` (searching hour by hour copes with DST)."""
    day = local_day(at, record.tz)
    t = at
    for _ in range(30):
        t += 3600.0
        if local_day(t, record.tz) != day:
            # step back to the exact start of the hour in which the date changed
            lo, hi = t - 3600.0, t
            while hi - lo > 1.0:
                mid = (lo + hi) / 2
                if local_day(mid, record.tz) != day:
                    hi = mid
                else:
                    lo = mid
            return float(int(hi))
    return at + 86400.0


def apply_outcome(record: DialRecord, outcome: Outcome | str, campaign: CampaignConfig, now: float) -> DialRecord:
    """The record after a dial attempt ended with ``outcome``.

    human: done ('connected'; the agent's disposition may then reschedule it); fax, invalid,
    disconnected: bad; machine: per ``campaign.machine_action``; busy, no_answer, failed, unknown,
    abandoned: retried after the campaign's delay for that outcome, within the calling window and the
    attempt limits. In UK mode an abandoned callee of a power or predictive campaign (no agent
    guaranteed) is not called again for 72 hours (Ofcom).
    """
    outcome = Outcome(outcome)
    record = record.replace(last_outcome=outcome.value)
    if outcome is Outcome.human:
        return record.replace(state="done", next_attempt_at=None, final_reason="connected", callback_agent_id=None)
    if outcome in BAD_OUTCOMES:
        return record.replace(state="bad", next_attempt_at=None, final_reason=outcome.value, callback_agent_id=None)
    if outcome is Outcome.machine and campaign.machine_action != "retry":
        reason = "machine_message" if campaign.machine_action == "message" else "machine"
        return record.replace(state="done", next_attempt_at=None, final_reason=reason, callback_agent_id=None)
    delay = float(getattr(campaign.retry, _RETRY_FIELD[outcome]))
    if outcome is Outcome.abandoned and campaign.regulatory_mode == "uk" and campaign.mode in ("power", "predictive"):
        delay = max(delay, UK_REDIAL_AFTER_ABANDON_S)
    return schedule_retry(record, campaign, now, delay, reason=outcome.value)


def apply_disposition(record: DialRecord, disposition: str, campaign: CampaignConfig, now: float,
                      callback_at: float | None = None, personal_agent: str | None = None) -> DialRecord:
    """The record after the agent's wrap-up code ``disposition`` (see ``CampaignConfig.dispositions``).

    'callback' needs ``callback_at`` (UTC epoch s, in the future); ``personal_agent`` reserves it for
    that agent. 'retry' uses the no-answer delay. 'dnc' retires the record (the caller also adds the
    number to the campaign's DNC list). Unknown codes are refused with ValueError.
    """
    action = campaign.disposition_action(disposition)
    if action is None:
        known = ", ".join(sorted(campaign.dispositions))
        raise ValueError(f"unknown disposition {disposition!r} for campaign {campaign.id!r}; use one of {known}")
    if action == "callback":
        if callback_at is None:
            raise ValueError("a callback disposition needs callback_at")
        if callback_at < now:
            raise ValueError("callback_at is in the past")
        if record.attempts >= campaign.max_attempts:
            return record.replace(state="done", next_attempt_at=None, final_reason="max_attempts",
                                  callback_agent_id=None)
        return record.replace(state="callback", next_attempt_at=callback_at, callback_agent_id=personal_agent,
                              final_reason=None)
    if action == "retry":
        return schedule_retry(record, campaign, now, campaign.retry.no_answer, reason=disposition)
    if action == "bad":
        return record.replace(state="bad", next_attempt_at=None, final_reason=disposition, callback_agent_id=None)
    if action == "dnc":
        return record.replace(state="done", next_attempt_at=None, final_reason="dnc", callback_agent_id=None)
    return record.replace(state="done", next_attempt_at=None, final_reason=disposition, callback_agent_id=None)
