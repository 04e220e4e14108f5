"""One typed Settings object (environment prefix BLENDCC_), built once and passed down."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class EmailImap(BaseModel):
    """An existing mailbox polled over IMAP (IDLE when the server offers it)."""

    model_config = ConfigDict(extra="forbid")
    host: str
    port: int = Field(default=993, ge=1, le=65535)
    security: str = Field(default="ssl", pattern="^(ssl|starttls|none)$")
    username: str
    password: str
    folder: str = "INBOX"
    poll_s: float = Field(default=60.0, gt=0, description="poll interval (and IDLE renewal) in seconds")
    idle: bool = Field(default=True, description="wait with IDLE when the server offers it")
    processed_folder: str | None = Field(default=None, description="move ingested mail here (else flag it)")


class EmailMailbox(BaseModel):
    """A mailbox of the centre: one email channel instance (its name is the routing attribute
    ``channel_instance``)."""

    model_config = ConfigDict(extra="forbid")
    address: str = Field(pattern=r"^[^@\s]+@[^@\s]+$", description="the mailbox's address (From of replies)")
    aliases: list[str] = Field(default_factory=list, description="other addresses the SMTP listener accepts")
    display_name: str | None = None
    workflow: str | None = Field(default=None, description="workflow id routing this mailbox (else by channel)")
    acknowledge: bool = Field(default=False, description="answer a new conversation with its ticket reference")
    acknowledgement: str = ("Thank you for your message. We have received it and will answer soon.\n"
                            "Your reference: {ref}")
    imap: EmailImap | None = None


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="BLENDCC_", env_file=None, extra="ignore")

    database_url: str = Field(default="sqlite:///./blendcc.db",
                              description="SQLAlchemy URL: sqlite:///file.db or postgresql+psycopg://...")
    redis_url: str | None = Field(default=None, description="reserved for the scale-out bus")
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    secret_key: str | None = Field(default=None, description="token signing key; generated and stored if unset")
    token_ttl_s: int = Field(default=12 * 3600, gt=0)
    admin_password: str | None = Field(default=None, description="password of the first 'admin' user")
    tick_interval_s: float = Field(default=0.1, gt=0, le=5)
    stats_interval_s: float = Field(default=1.0, gt=0, le=60)
    timezone: str = Field(default="UTC", description="centre time zone for 'today' in live statistics")
    log_level: str = "info"
    adherence_grace_s: float = Field(default=300.0, ge=0, description="out-of-adherence alert after this long")
    # voice over SIP/RTP (docs/voice.md)
    sip_enabled: bool = Field(default=False, description="start the SIP edge with `blendcc serve`")
    sip_host: str = Field(default="127.0.0.1", description="SIP bind address (UDP)")
    sip_port: int = Field(default=5060, ge=0, le=65535)
    sip_public_host: str | None = Field(default=None, description="address put in Contact/SDP (default: sip_host)")
    sip_realm: str = "blendcc"
    sip_users: dict[str, str] = Field(default_factory=dict,
                                      description="SIP phone user (agent id / supervisor) -> digest password")
    rtp_port_min: int = Field(default=20000, ge=1024, le=65534)
    rtp_port_max: int = Field(default=30000, ge=1026, le=65535)
    rtp_timeout_s: float = Field(default=120.0, ge=0, description="hang up a call leg silent this long (0: never)")
    sip_trunk_uri: str | None = Field(default=None, description="outbound trunk, e.g. sip:10.0.0.5:5060")
    recording_dir: str = Field(default="recordings", description="where call recordings (WAV) are written")
    recording_default: str = Field(default="none", pattern="^(none|all|on_demand)$")
    recording_queues: dict[str, str] = Field(default_factory=dict,
                                             description="queue id -> none | all | on_demand")
    recording_retention_days: float = Field(default=90.0, gt=0)
    callback_attempts: int = Field(default=2, ge=1, le=10, description="IVR call-back: dial attempts per contact")
    callback_ring_s: float = Field(default=30.0, ge=5, le=120, description="IVR call-back: ring time of each attempt")
    callback_retry_s: float = Field(default=20.0, ge=0, le=3600, description="IVR call-back: wait between attempts")
    music_on_hold: str | None = Field(default=None, description="8 kHz mono WAV played to waiting/held callers")
    ivr_flow: str | None = Field(default=None, description="IVR flow (ivr_flows document) answering inbound calls")
    ivr_numbers: dict[str, str] = Field(default_factory=dict, description="dialled number -> IVR flow id")
    prompts_dir: str | None = Field(default=None, description="uploaded prompts: <prompts_dir>/<prompt_id>.wav")
    prompt_cache_dir: str = Field(default="prompt-cache", description="rendered text prompts (8 kHz WAV)")
    # outbound dialer (docs/dialer.md)
    telephony: str = Field(default="none", pattern="^(none|fake|sip)$",
                           description="the dialer's telephony: none (no live dialing), fake (simulated calls, "
                                       "demos), sip (the SIP trunk: needs sip_enabled and sip_trunk_uri)")
    fake_telephony_mix: dict[str, float] = Field(
        default_factory=lambda: {"human": 0.3, "machine": 0.1, "busy": 0.1, "no_answer": 0.5},
        description="telephony=fake: call results and their weights (human, machine, fax, busy, no_answer...)")
    fake_telephony_seed: int = Field(default=1, description="telephony=fake: seed of the drawn results")
    fake_telephony_talk_s: tuple[float, float] | None = Field(
        default=(30.0, 180.0), description="telephony=fake: a live callee hangs up after this long (uniform)")
    dialer_tick_s: float = Field(default=0.25, gt=0, le=5, description="dialing loop period (live)")

    # email channel (docs/email.md)
    email_mailboxes: dict[str, EmailMailbox] = Field(default_factory=dict, description="mailbox name -> mailbox")
    email_domain: str = Field(default="blendcc.localhost", description="domain of our Message-IDs")
    email_smtp_enabled: bool = Field(default=False, description="start the inbound SMTP listener")
    email_smtp_host: str = "127.0.0.1"
    email_smtp_port: int = Field(default=2525, ge=0, le=65535)
    email_max_message_bytes: int = Field(default=25 * 1024 * 1024, ge=1024, description="SMTP SIZE limit")
    email_max_attachment_bytes: int = Field(default=10 * 1024 * 1024, ge=1)
    email_attachment_types: list[str] = Field(
        default_factory=list, description="accepted media types or type/* (empty: a default list, no executables)")
    email_attachment_dir: str = Field(default="attachments", description="content-addressed attachment files")
    email_remote_images: bool = Field(default=False, description="keep https images in stored HTML")
    email_relay_host: str | None = Field(default=None, description="SMTP relay for replies (unset: no replies)")
    email_relay_port: int = Field(default=587, ge=1, le=65535)
    email_relay_security: str = Field(default="starttls", pattern="^(starttls|ssl|none)$")
    email_relay_username: str | None = None
    email_relay_password: str | None = None
    email_relay_timeout_s: float = Field(default=30.0, gt=0)
    email_signature: str | None = Field(default=None, description="appended to agents' replies")
    email_signatures: dict[str, str] = Field(default_factory=dict, description="agent id -> signature")

    @model_validator(mode="after")
    def _sip_telephony_needs_a_trunk(self) -> Settings:
        if self.telephony == "sip" and not (self.sip_enabled and self.sip_trunk_uri):
            raise ValueError("telephony=sip needs sip_enabled=true and sip_trunk_uri")
        known = {"human", "machine", "fax", "unknown", "busy", "no_answer", "failed", "invalid", "disconnected"}
        bad = sorted(set(self.fake_telephony_mix) - known)
        if bad or not any(w > 0 for w in self.fake_telephony_mix.values()) \
                or any(w < 0 for w in self.fake_telephony_mix.values()):
            raise ValueError(f"fake_telephony_mix needs positive weights of {', '.join(sorted(known))}"
                             + (f" (unknown: {', '.join(bad)})" if bad else ""))
        return self
