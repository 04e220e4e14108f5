"""Campaign documents: mode, agent pool, pacing and compliance limits, calling window, retry rules."""

from __future__ import annotations

import re
from typing import Literal

import phonenumbers
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from blendcc.dialer.amd import AmdSettings
from blendcc.dialer.windows import CallingWindow

ID_PATTERN = r"^[A-Za-z0-9_.\-]+$"
#: Retry delays are at most a year (a longer delay never comes round in a campaign).
YEAR_S = 365 * 86_400.0
Mode = Literal["preview", "progressive", "power", "predictive"]
RegulatoryMode = Literal["us", "uk"]
#: Ofcom: after an abandoned call, the number may be called again within 72 hours only with an agent
#: guaranteed on the line (preview/progressive)
UK_REDIAL_AFTER_ABANDON_S = 72 * 3600.0
#: what a disposition does to the record
DispositionAction = Literal["done", "retry", "callback", "bad", "dnc"]

DEFAULT_DISPOSITIONS: dict[str, DispositionAction] = {
    "sale": "done",
    "completed": "done",
    "not_interested": "done",
    "callback": "callback",
    "retry": "retry",
    "wrong_number": "bad",
    "dnc": "dnc",
}
_E164 = re.compile(r"^\+[1-9]\d{6,14}$")


class RetryDelays(BaseModel):
    """Seconds before a record is dialled again after each retryable outcome."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    no_answer: float = Field(default=3600.0, ge=0, le=YEAR_S)
    busy: float = Field(default=900.0, ge=0, le=YEAR_S)
    machine: float = Field(default=7200.0, ge=0, le=YEAR_S)
    failed: float = Field(default=1800.0, ge=0, le=YEAR_S)
    abandoned: float = Field(default=3600.0, ge=0, le=YEAR_S)
    unknown: float = Field(default=3600.0, ge=0, le=YEAR_S)


class CampaignConfig(BaseModel):
    """An outbound campaign.

    ``queue_id`` names the agent pool (agents serving that queue take the calls). ``abandon_target`` is
    what predictive pacing aims at; ``abandon_cap`` is the hard governor over the regulatory window
    (``regulatory_mode`` 'us': 30 days; 'uk': 24 hours and AMD false positives count as abandoned).
    ``machine_action`` when AMD detects a machine: 'hangup' (record done), 'message' (play
    ``machine_message``, record done), 'retry' (record retried after ``retry.machine``).
    ``dispositions`` maps each agent wrap-up code to what it does to the record.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(min_length=1, max_length=64, pattern=ID_PATTERN)
    name: str = ""
    mode: Mode = "progressive"
    queue_id: str = Field(min_length=1, max_length=64)
    caller_id: str
    default_region: str = Field(default="US", min_length=2, max_length=2)
    lines_per_agent: float = Field(default=2.0, ge=1.0, le=10.0)
    abandon_target: float = Field(default=0.02, ge=0.0, le=0.1)
    abandon_cap: float = Field(default=0.03, ge=0.0, le=0.1)
    regulatory_mode: RegulatoryMode = "us"
    amd: bool = False
    machine_action: Literal["hangup", "message", "retry"] = "retry"
    machine_message: str = ""
    #: the answering-machine detector's parameters on SIP calls (Asterisk AMD() names; docs/dialer.md, ADR 0055)
    amd_settings: AmdSettings = Field(default_factory=AmdSettings)
    #: UK (Ofcom): the reasoned estimate of AMD false positives, the share of calls AMD classes as a
    #: machine that a live person answered; each machine answer counts this much as an abandoned live
    #: call. Default 5 %: vendors claim 95-99 % AMD accuracy and independent tests find less; replace it
    #: with your own figure from listening to a sample of machine-classified calls (docs/dialer.md)
    amd_false_positive_rate: float = Field(default=0.05, ge=0.0, le=1.0)
    #: US (FTC TSR safe harbour) and UK (Ofcom) both require letting a call ring at least 15 seconds
    ring_timeout_s: float = Field(default=25.0, ge=15, le=120)
    connect_within_s: float = Field(default=2.0, gt=0, le=10)
    abandon_message: str = "abandon"
    calling_window: CallingWindow = Field(default_factory=CallingWindow)
    max_attempts: int = Field(default=5, ge=1, le=100)
    max_attempts_per_day: int = Field(default=3, ge=1, le=100)
    retry: RetryDelays = Field(default_factory=RetryDelays)
    dispositions: dict[str, DispositionAction] = Field(default_factory=lambda: dict(DEFAULT_DISPOSITIONS))
    reserve_inbound_agents: int = Field(default=0, ge=0, le=100_000)
    inbound_sl_guard: bool = True
    #: campaigns running on the same agent pool share its free agents in proportion to their weights
    pool_weight: float = Field(default=1.0, gt=0.0, le=100.0)

    @field_validator("caller_id")
    @classmethod
    def _caller_id(cls, v: str) -> str:
        if not _E164.match(v):
            raise ValueError(f"caller_id {v!r} must be an E.164 number like +14155550100")
        return v

    @field_validator("default_region")
    @classmethod
    def _region(cls, v: str) -> str:
        v = v.upper()
        if v not in phonenumbers.SUPPORTED_REGIONS:
            raise ValueError(f"unknown region {v!r}; use an ISO 3166 code such as US or GB")
        return v

    @model_validator(mode="after")
    def _limits(self) -> CampaignConfig:
        if self.abandon_target > self.abandon_cap:
            raise ValueError(f"abandon_target {self.abandon_target} must not exceed abandon_cap {self.abandon_cap}")
        if self.max_attempts_per_day > self.max_attempts:
            raise ValueError("max_attempts_per_day must not exceed max_attempts")
        return self

    def disposition_action(self, disposition: str) -> DispositionAction | None:
        return self.dispositions.get(disposition)


def is_e164(phone: str) -> bool:
    """Syntactic E.164 check (a '+', then 7-15 digits, no leading zero)."""
    return bool(_E164.match(phone))
