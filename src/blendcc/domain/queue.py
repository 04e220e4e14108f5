"""Queue configuration: required skills, service-level and abandon thresholds, hours, overflow, wrap-up."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from blendcc.domain.channels import DEFAULT_SL_THRESHOLD_S, Channel

ID_PATTERN = r"^[A-Za-z0-9_.\-]+$"


class DispositionCode(BaseModel):
    """One wrap-up disposition an agent may choose for a queue's contacts: a stable code and its label."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    code: str = Field(min_length=1, max_length=64, pattern=ID_PATTERN)
    label: str = Field(min_length=1, max_length=200)


#: channels a queue may offer a survey on after a contact (web chat asks its own CSAT in the widget)
SURVEY_CHANNELS = (Channel.VOICE, Channel.EMAIL, Channel.SMS)
LANGUAGE_PATTERN = r"^[a-z]{2,3}(-[a-z0-9]{2,8})*$"


class SurveyOffer(BaseModel):
    """A survey a queue offers after a contact (docs/surveys.md): on ``voice`` the caller stays on the line
    when the agent hangs up and answers by DTMF; on ``email`` and ``sms`` a link is sent in the conversation
    when it is resolved. ``text``: the question spoken (voice, by TTS in ``language``) or the message sent
    (email, SMS; ``{url}`` marks where the link goes); unset, a default English text."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    survey: Literal["csat", "nps", "ces"] = "csat"
    text: str | None = Field(default=None, min_length=1, max_length=1000)
    prompt_id: str | None = Field(default=None, min_length=1, max_length=64,
                                  pattern=r"^[A-Za-z0-9][A-Za-z0-9_\-]*(\.[A-Za-z0-9_\-]+)*$",
                                  description="voice: an uploaded prompt asked instead of the text")
    language: str = Field(default="en", pattern=LANGUAGE_PATTERN)


class QueueConfig(BaseModel):
    """A queue where contacts wait for agents.

    ``closed_action`` applies when the ``calendar_id`` calendar is closed on arrival: ``reject`` ends
    the contact (outcome rejected, reason closed), ``overflow`` sends it to ``closed_overflow_queue``,
    ``queue`` lets it wait anyway. ``no_agents_overflow_queue`` takes contacts when no agent who could
    serve this queue is logged in. ``wrap_up_s`` is the timed after-contact work (None: until the agent
    completes). ``max_wait_s`` ends contacts that wait longer (outcome timed_out).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(min_length=1, max_length=64, pattern=ID_PATTERN)
    name: str = ""
    skills: dict[str, int] = Field(default_factory=dict)
    sl_threshold_s: float | None = Field(default=None, gt=0)
    #: per-channel service-level thresholds T (seconds), before ``sl_threshold_s`` and the channel defaults
    sl_thresholds_s: dict[Channel, float] = Field(default_factory=dict)
    short_abandon_s: float = Field(default=5.0, ge=0)
    #: the service-level goal: the share of contacts answered within the threshold (the wallboard's colour)
    sl_target: float = Field(default=0.8, gt=0, le=1)
    #: a contact waiting longer than this is a long wait (the wallboard's colour); None: the SL threshold T
    long_wait_s: float | None = Field(default=None, gt=0, le=30 * 86400)
    calendar_id: str | None = None
    closed_action: Literal["reject", "overflow", "queue"] = "reject"
    closed_overflow_queue: str | None = None
    no_agents_overflow_queue: str | None = None
    wrap_up_s: float | None = Field(default=30.0, ge=0)
    max_wait_s: float | None = Field(default=None, gt=0)
    offer_timeout_s: float = Field(default=20.0, gt=0)
    strategy: str = "longest_idle"
    #: the wrap-up dispositions agents choose from (empty: any code, or none, is accepted)
    dispositions: list[DispositionCode] = Field(default_factory=list, max_length=200)
    #: wrap-up needs notes (the desktop asks for them; the wrap-up endpoint refuses an empty note)
    notes_required: bool = False
    #: surveys offered after a contact, per channel (voice, email, sms); none by default
    surveys: dict[Channel, SurveyOffer] = Field(default_factory=dict)
    #: the site (building, outsourcer, region) whose agents serve this queue: an emergency mode for the site
    #: (scope ``site:<id>``, docs/crisis.md) applies to every queue of that site
    site: str | None = Field(default=None, min_length=1, max_length=64, pattern=ID_PATTERN)

    @field_validator("surveys")
    @classmethod
    def _survey_channels(cls, v: dict[Channel, SurveyOffer]) -> dict[Channel, SurveyOffer]:
        for ch, offer in v.items():
            if ch not in SURVEY_CHANNELS:
                raise ValueError(f"surveys are offered on voice, email or sms, not {ch.value} "
                                 "(web chat asks its own CSAT in the widget)")
            if ch is not Channel.VOICE and offer.text is not None and "{url}" not in offer.text:
                raise ValueError(f"the {ch.value} survey text needs {{url}} where the link goes")
            if ch is not Channel.VOICE and offer.prompt_id is not None:
                raise ValueError(f"prompt_id is for voice surveys, not {ch.value}")
        return v

    @field_validator("skills")
    @classmethod
    def _levels(cls, v: dict[str, int]) -> dict[str, int]:
        for skill, level in v.items():
            if not 1 <= level <= 5:
                raise ValueError(f"minimum proficiency for {skill!r} must be 1-5, got {level}")
        return v

    @model_validator(mode="after")
    def _overflow_target(self) -> QueueConfig:
        if self.closed_action == "overflow" and not self.closed_overflow_queue:
            raise ValueError("closed_action 'overflow' needs closed_overflow_queue")
        return self

    @field_validator("dispositions")
    @classmethod
    def _unique_codes(cls, v: list[DispositionCode]) -> list[DispositionCode]:
        seen: set[str] = set()
        for d in v:
            if d.code in seen:
                raise ValueError(f"disposition code {d.code!r} appears twice")
            seen.add(d.code)
        return v

    def disposition_codes(self) -> tuple[str, ...]:
        return tuple(d.code for d in self.dispositions)

    @field_validator("sl_thresholds_s")
    @classmethod
    def _thresholds(cls, v: dict[Channel, float]) -> dict[Channel, float]:
        for ch, t in v.items():
            if not 0 < t <= 30 * 86400:
                raise ValueError(f"service-level threshold for {ch.value} must be > 0 and at most 30 days")
        return v

    def sl_threshold(self, channel: Channel) -> float:
        """Service-level threshold T for this queue and channel: the queue's own for the channel, else its
        one threshold for every channel, else the KPIS.md default of the channel (20 s voice, 60 s chat,
        SMS and social, 1 h email)."""
        own = self.sl_thresholds_s.get(channel)
        if own is not None:
            return own
        return self.sl_threshold_s if self.sl_threshold_s is not None else DEFAULT_SL_THRESHOLD_S[channel]

    def skill_requirement(self) -> tuple[tuple[str, int], ...]:
        return tuple(sorted(self.skills.items()))


class TeamConfig(BaseModel):
    """A team of agents with a supervisor, for reporting and supervision."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(min_length=1, max_length=64, pattern=ID_PATTERN)
    name: str = ""
    supervisor: str | None = None


class SkillConfig(BaseModel):
    """A named skill (e.g. 'billing', 'french')."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(min_length=1, max_length=64, pattern=ID_PATTERN)
    name: str = ""
