"""Response models of routes_dialer and routes_dialing: campaigns, lists, records, DNC, stats, preview, pacing."""

from __future__ import annotations

from pydantic import BaseModel, Field

from blendcc.dialer.campaign import CampaignConfig


class CampaignOut(CampaignConfig):
    """A campaign document with its dialing state."""

    state: str = Field(description="stopped, running or paused")


class CampaignVersion(BaseModel):
    version: int
    document: CampaignOut


class CampaignStateChange(BaseModel):
    campaign_id: str
    state: str


class CampaignState(BaseModel):
    campaign_id: str
    state: str
    reason: str | None
    since: float | None


class LineError(BaseModel):
    line: int = Field(description="the file's line number (the header is line 1)")
    column: str | None = Field(None, description="the column the error is about (phone, record_id, tz, region or "
                                                 "the list's own); null: the row as a whole")
    reason: str


class ListImportOut(BaseModel):
    """What one contact-list import did: rows read, kept, refused (line number and reason)."""

    import_id: str
    campaign_id: str
    at: float
    source: str
    total: int
    accepted: int
    rejected: int
    duplicates: int
    errors: list[LineError]


class DialRecordOut(BaseModel):
    campaign_id: str
    record_id: str = Field(description="opaque id given by blendcc")
    external_id: str | None = Field(None, description="the list's own id for the record, if it had one")
    phone: str
    tz: str
    fields: dict[str, str] = Field(description="the list's own columns")
    state: str
    attempts: int
    attempts_today: int
    attempts_day: str | None
    next_attempt_at: float | None
    last_outcome: str | None
    callback_agent_id: str | None
    final_reason: str | None


class RecordPage(BaseModel):
    counts: dict[str, int] = Field(description="records per state")
    records: list[DialRecordOut]


class RecordsCleared(BaseModel):
    deleted: int = Field(description="records deleted")


class CampaignStats(BaseModel):
    campaign_id: str
    start: float
    end: float
    attempts: int
    answered: int
    live_answers: int
    connected: int
    abandoned: int
    amd_false_positives_est: float
    outcomes: dict[str, int]
    preview_skips: int
    connect_rate: float | None
    talk_s: float
    logged_in_s: float
    talk_min_per_agent_hour: float | None
    records: int
    records_attempted: int
    records_by_state: dict[str, int]
    penetration: float | None
    calls_outside_window: int
    dnc_hits: int
    abandon_rate: float
    abandon_rate_24h: float
    abandon_rate_30d: float
    regulatory_rate: float


class DncImport(BaseModel):
    scope: str
    added: int
    already_listed: int
    duplicates_in_file: int
    rejected: int
    errors: list[LineError]


class DncEntryOut(BaseModel):
    scope: str = Field(description="'global' or a campaign id")
    phone: str
    reason: str
    added_at: float


class DncRemoved(BaseModel):
    removed: str


# ---------------------------------------------------------------------- dialing


class PreviewNext(BaseModel):
    campaign_id: str
    agent_id: str
    record: DialRecordOut | None = Field(description="null when nothing may be dialled now")


class PreviewDialled(BaseModel):
    campaign_id: str
    record_id: str
    call_id: str


class PreviewSkipped(BaseModel):
    campaign_id: str
    record_id: str
    skipped: bool


class PacingDecision(BaseModel):
    calls: int
    governed: bool
    risk: float
    reason: str


class Pacing(BaseModel):
    """Live pacing state of one campaign."""

    campaign_id: str
    state: str
    mode: str
    ringing: int
    waiting_for_agent: int
    connected: int
    previewing: list[str] = Field(description="agents previewing a record")
    p_live: float
    alpha: float
    abandon_window_s: float
    live_answered_in_window: float
    abandoned_in_window: float
    abandon_rate: float | None
    abandon_cap: float
    abandon_target: float
    governor_headroom: float
    pool_weight: float
    last_decision: PacingDecision | None
    counts: dict[str, int]
