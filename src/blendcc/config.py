"""One typed Settings object (environment prefix BLENDCC_), built once and passed down."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict


class _Provider(BaseModel):
    model_config = {"extra": "forbid"}

    timeout_s: float = Field(default=10.0, gt=0, le=120, description="timeout of each call to the provider")


class MessagingInstance(BaseModel):
    """One number, page or bot: its provider id, the workflow that routes its new contacts to their
    queues, and routing attributes of its contacts (e.g. a brand that workflow filters match on)."""

    model_config = {"extra": "forbid"}

    id: str = Field(min_length=1, description="number (E.164), phone-number id, page id or bot token")
    attributes: dict[str, Any] = Field(default_factory=dict)
    workflow: str | None = Field(default=None, description="routing workflow of its new contacts (its queues); "
                                                           "default: the workflow of the channel")


class TwilioSettings(_Provider):
    """SMS over Twilio's API shapes (docs/messaging-channels.md)."""

    account_sid: str = Field(min_length=1)
    auth_token: str = Field(min_length=1, description="signs webhooks (X-Twilio-Signature) and authenticates calls")
    base_url: str = "https://api.twilio.com"
    public_url: str | None = Field(default=None, description="our public base URL as Twilio calls it (signatures, "
                                                             "status callbacks); default: the request's URL")
    numbers: dict[str, MessagingInstance] = Field(default_factory=dict, description="instance -> E.164 number")
    region: str = Field(default="US", description="region of national numbers for the opt-out (DNC) list")


class MetaSettings(_Provider):
    """WhatsApp Cloud API or Messenger: the app's secret and verify token, the Graph API address."""

    app_secret: str = Field(min_length=1, description="X-Hub-Signature-256 key")
    verify_token: str = Field(min_length=1, description="answer of the hub.challenge subscription")
    access_token: str = Field(default="", description="WhatsApp: the system user's token")
    base_url: str = "https://graph.facebook.com"
    api_version: str = "v19.0"
    numbers: dict[str, MessagingInstance] = Field(default_factory=dict,
                                                  description="WhatsApp: instance -> phone-number id")
    pages: dict[str, MessagingInstance] = Field(default_factory=dict, description="Messenger: instance -> page id")
    page_tokens: dict[str, str] = Field(default_factory=dict, description="Messenger: instance -> page access token")


class TelegramSettings(_Provider):
    base_url: str = "https://api.telegram.org"
    bots: dict[str, MessagingInstance] = Field(default_factory=dict, description="instance -> bot token")
    secret_tokens: dict[str, str] = Field(default_factory=dict,
                                          description="instance -> X-Telegram-Bot-Api-Secret-Token of its webhook")


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


class WebchatTopic(BaseModel):
    """A pre-chat topic: its id is the routing attribute ``topic``."""

    model_config = ConfigDict(extra="forbid")
    id: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.-]+$")
    label: str = Field(min_length=1, max_length=100)


class WebchatInstance(BaseModel):
    """One web-chat widget (docs/webchat.md): how it looks, what it asks, where its chats go."""

    model_config = ConfigDict(extra="forbid")
    centre_name: str = Field(default="blendcc", min_length=1, max_length=100)
    primary_colour: str = Field(default="#1f6feb", pattern=r"^#[0-9A-Fa-f]{6}$")
    text_colour: str = Field(default="#ffffff", pattern=r"^#[0-9A-Fa-f]{6}$")
    language: str = Field(default="en", min_length=2, max_length=16)
    languages: list[str] = Field(default_factory=lambda: ["en"])
    topics: list[WebchatTopic] = Field(default_factory=list)
    workflow: str | None = Field(default=None, description="routing workflow of its chats (else by channel)")
    calendar: str | None = Field(default=None, description="business-hours calendar id: closed outside it")
    bot_flow: str | None = Field(default=None, description="text IVR flow (ivr_flows document) answering first")
    bot_share: float = Field(default=1.0, ge=0, le=1, description="with bot_flow: the share of new chats the bot "
                             "answers first (the others go straight to a queue); a crisis playbook may raise it")
    max_attachment_bytes: int = Field(default=5 * 1024 * 1024, ge=1, le=25 * 1024 * 1024)
    attachment_types: list[str] = Field(default_factory=lambda: ["image/png", "image/jpeg", "image/gif",
                                                                 "application/pdf", "text/plain"])
    idle_timeout_s: float = Field(default=600.0, gt=0, description="an agent's message unanswered this long "
                                                                   "ends the chat (by 'system')")
    offline_mailbox: str | None = Field(default=None, description="email channel instance of the offline "
                                                                  "form's conversations (default webchat-offline)")


def _default_webchat() -> dict[str, WebchatInstance]:
    return {"default": WebchatInstance()}


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="BLENDCC_", env_file=None, extra="ignore")

    database_url: str = Field(default="sqlite:///./blendcc.db",
                              description="SQLAlchemy URL: sqlite:///file.db or postgresql+psycopg://...")
    redis_url: str | None = Field(default=None, description="redis://host:6379/0: the event bus on Redis Streams "
                                  "(docs/deploy.md); unset: the in-process bus")
    redis_stream_prefix: str = Field(default="blendcc", pattern=r"^[A-Za-z0-9_.:-]{1,64}$",
                                     description="prefix of the bus's stream keys (one per topic) on Redis")
    node_id: str | None = Field(default=None, pattern=r"^[A-Za-z0-9_.-]{1,64}$",
                                description="this node's name on the Redis bus (its consumer groups); "
                                            "default: the host name")
    group_commit: bool = Field(default=True, description="commands that arrive together are stored in one "
                                                         "transaction (ADR 0038)")
    cluster: bool = Field(default=False, description="several nodes on one PostgreSQL database and one Redis: "
                          "one routing leader holds a lease, the others forward requests to it (ADR 0053)")
    advertise_url: str | None = Field(default=None, pattern=r"^https?://[^\s/]+$",
                                      description="this node's base URL as the other nodes reach it (cluster); "
                                                  "default: http://host:port")
    lease_ttl_s: float = Field(default=3.0, ge=0.5, le=60.0, description="the routing lease's lifetime (cluster): "
                               "a standby takes over at most this long after the leader's last renewal")
    snapshot_every_events: int = Field(default=50_000, ge=0, description="snapshot the live state after this "
                                       "many events (ADR 0052); 0: never by count")
    snapshot_every_s: float = Field(default=300.0, ge=0, description="snapshot the live state at most this long "
                                    "after the last one, if events came since (0: never by time)")
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    secret_key: str | None = Field(default=None, description="token signing key; generated and stored if unset")
    token_ttl_s: int = Field(default=15 * 60, gt=0, description="access token lifetime (refresh it with "
                             "POST /api/auth/refresh)")
    refresh_ttl_s: int = Field(default=12 * 3600, gt=0, description="a login session (refresh-token family) "
                               "ends this long after the login")
    password_min_length: int = Field(default=8, ge=8, le=200, description="shortest password accepted")
    # single sign-on (OpenID Connect, docs/security.md): on when oidc_issuer is set
    oidc_issuer: str | None = Field(default=None, description="OpenID Connect issuer URL (enables single sign-on)")
    oidc_client_id: str = ""
    oidc_client_secret: str = ""
    oidc_redirect_uri: str = Field(default="", description="this server's callback, e.g. "
                                   "https://cc.example.com/api/auth/oidc/callback")
    oidc_username_claim: str = Field(default="preferred_username",
                                     description="ID-token claim matched to a blendcc username")
    admin_password: str | None = Field(default=None, description="password of the first 'admin' user")
    tick_interval_s: float = Field(default=0.1, gt=0, le=5, description="unused: engine timers are scheduled "
                                   "at their due times (kept so existing configuration loads)")
    stats_interval_s: float = Field(default=1.0, gt=0, le=60, description="the wallboard's heartbeat when idle")
    wallboard_coalesce_s: float = Field(default=0.1, gt=0, le=1, description="the wallboard is pushed this long "
                                        "after an event; events in between share the frame")
    wallboard_max_per_s: float = Field(default=2.0, gt=0, le=100, description="at most this many wallboard frames "
                                       "a second under steady traffic (each walks every agent; ADR 0060)")
    timezone: str = Field(default="UTC", description="centre time zone for 'today' in live statistics")
    log_level: str = "info"
    max_body_bytes: int = Field(default=1024 * 1024, ge=1024, le=1024**3,
                                description="request body limit of every route without its own (docs/security.md)")
    compute_deadline_s: float = Field(default=30.0, gt=0, le=3600,
                                      description="wall-clock limit of one WFM/simulation computation over the API")
    background_jobs: int = Field(default=1, ge=1, le=16,
                                 description="forecast jobs run at once in the background (more wait queued)")
    # WebSockets, headers and CORS (docs/security.md)
    ws_auth_timeout_s: float = Field(default=5.0, gt=0, le=60,
                                     description="a WebSocket without the bearer subprotocol must send its "
                                                 "{type: auth} message within this time")
    ws_recheck_s: float = Field(default=10.0, gt=0, le=3600,
                                description="open WebSockets re-verify their token this often (expiry, revocation "
                                            "by another process)")
    cors_origins: Annotated[list[str], NoDecode] = Field(
        default_factory=list, description="browser origins allowed to call the API (comma-separated; "
                                          "none by default)")
    behind_tls: bool = Field(default=False, description="clients reach the server only over TLS (a TLS proxy in "
                                                        "front): send Strict-Transport-Security on every response")
    hsts_max_age_s: int = Field(default=31_536_000, ge=0, description="Strict-Transport-Security max-age")
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
    sip_admission_max_lag_ms: float = Field(default=200.0, ge=0, le=10_000,
                                            description="new SIP calls get 503 with Retry-After while the event "
                                            "loop's worst lag of the last second is over this (0: never)")
    sip_trunk_uri: str | None = Field(default=None, description="outbound trunk, e.g. sip:10.0.0.5:5060")
    sip_trunk_options_s: float = Field(default=30.0, ge=0, le=3600, description="an OPTIONS to the trunk every N "
                                       "seconds: its health for crisis channel triggers (sip:trunk); 0: never")
    # SIP over TCP and TLS, SRTP (docs/voice.md, ADR 0054)
    sip_tcp: bool = Field(default=True, description="also accept SIP over TCP on sip_port (RFC 3261 section 18)")
    sip_tls_port: int = Field(default=5061, ge=0, le=65535, description="SIP over TLS port (with a certificate)")
    sip_tls_cert: str | None = Field(default=None, description="PEM certificate (chain) of the SIP TLS listener; "
                                     "TLS is off without it (the demo generates a self-signed one)")
    sip_tls_key: str | None = Field(default=None, description="PEM private key of sip_tls_cert")
    sip_srtp_over_plain: str = Field(default="refuse", pattern="^(refuse|allow)$",
                                     description="an RTP/SAVP (SRTP, SDES) offer over UDP or TCP, whose keys "
                                                 "travel in clear: refuse (488) or allow")
    # the browser phone (docs/browser-phone.md): WebRTC on the desktop, bridged to the RTP relay
    webrtc_enabled: bool = Field(default=True, description="with sip_enabled: agents' desktops may register a "
                                                           "browser phone (rung before a registered SIP phone)")
    webrtc_ice_servers: list[dict[str, Any]] = Field(
        default_factory=list, description="STUN/TURN servers for remote agents, [{urls, username?, credential?}] "
                                          "(empty: host candidates only)")
    webrtc_ring_timeout_s: float = Field(default=30.0, gt=0, le=300, description="a browser phone rings this "
                                                                                 "long before the offer fails (480)")
    webrtc_prefer_g711: bool = Field(default=True, description="answer browsers with G.711 first (the relay is "
                                                               "G.711: no loss, less CPU); false: Opus first (FEC)")
    recording_dir: str = Field(default="recordings", description="where call recordings (WAV) are written")
    recording_default: str = Field(default="none", pattern="^(none|all|on_demand)$")
    recording_queues: dict[str, str] = Field(default_factory=dict,
                                             description="queue id -> none | all | on_demand")
    recording_retention_days: float = Field(default=90.0, gt=0)
    transcription: str = Field(default="off", pattern=r"^(off|pocketsphinx|https?://\S+)$",
                               description="call transcripts: off, pocketsphinx (offline, English) or the URL of a "
                                           "Whisper-style server's /v1/audio/transcriptions")
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
    # SMS and social messaging (docs/messaging-channels.md); webhooks under /webhooks/<provider>
    twilio: TwilioSettings | None = Field(default=None, description="SMS numbers over Twilio's API")
    whatsapp: MetaSettings | None = Field(default=None, description="WhatsApp Business (Cloud API) numbers")
    messenger: MetaSettings | None = Field(default=None, description="Facebook Messenger pages")
    telegram: TelegramSettings | None = Field(default=None, description="Telegram bots")

    # customers (docs/customers.md)
    phone_region: str | None = Field(default=None, pattern="^[A-Z]{2}$",
                                     description="ISO 3166 region of national phone numbers (without a country "
                                                 "code) in customer identities, e.g. GB; unset: digits kept")
    customer_auto_merge: bool = Field(default=False, description="a customer verifying an email or phone another "
                                      "customer holds merges that customer in (reversible)")
    crm_url_template: str | None = Field(default=None, description="screen-pop CRM lookup, e.g. "
                                         "https://crm.example.com/api/lookup?phone={phone}&email={email}")
    crm_headers: dict[str, str] = Field(default_factory=dict, description="headers of the CRM lookup (auth)")
    crm_timeout_s: float = Field(default=2.0, gt=0, le=60, description="the CRM lookup gives up after this")
    crm_cache_ttl_s: float = Field(default=300.0, ge=0, le=86400, description="CRM answers are reused this long")
    screen_pop_contacts: int = Field(default=5, ge=0, le=50, description="last contacts in the screen pop")

    @field_validator("cors_origins", mode="before")
    @classmethod
    def _origins(cls, value: object) -> object:
        if isinstance(value, str):
            value = value.strip()
            if value.startswith("["):
                import json

                return json.loads(value)
            return [o.strip() for o in value.split(",") if o.strip()]
        return value

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
    crisis_public_url: str = Field(default="", description="base URL of the acknowledgement links in crisis "
                                                            "notifications (unset: a path only)")
    crisis_delivery_failures: int = Field(default=3, ge=1, le=100, description="a channel instance is reported "
                                          "unhealthy to crisis playbooks after this many failed deliveries in a "
                                          "row (channel '<kind>:<instance>'), healthy at the next success")
    temp_agent_max_level: int = Field(default=3, ge=1, le=5, description="temporary agents: the highest skill "
                                      "level they get (higher levels in the roster are capped)")
    temp_agent_skills: list[str] = Field(default_factory=list, description="temporary agents: the only skills they "
                                         "get (empty: any configured skill)")
    email_signature: str | None = Field(default=None, description="appended to agents' replies")
    email_signatures: dict[str, str] = Field(default_factory=dict, description="agent id -> signature")
    # web chat (docs/webchat.md): instance name -> widget; "default" exists out of the box
    webchat: dict[str, WebchatInstance] = Field(default_factory=_default_webchat)
    webchat_attachment_dir: str = Field(default="attachments", description="web-chat attachment files")
    survey_public_url: str = Field(default="", max_length=500, description="base URL of the survey links sent "
                                   "when an email or SMS conversation is resolved (unset: http://host:port)")
    ws_compression: bool = Field(default=False, description="permessage-deflate on WebSockets (frames are small "
                                 "JSON: compressing them costs more CPU than it saves; docs/webchat.md)")
    webchat_throttle_free: int = Field(default=30, ge=1, description="web-chat sessions (and offline forms) one "
                                       "client address may start in 10 minutes before it is slowed down")

    @model_validator(mode="after")
    def _sip_telephony_needs_a_trunk(self) -> Settings:
        if bool(self.sip_tls_cert) != bool(self.sip_tls_key):
            raise ValueError("sip_tls_cert and sip_tls_key go together (set both or neither)")
        if self.telephony == "sip" and not (self.sip_enabled and self.sip_trunk_uri):
            raise ValueError("telephony=sip needs sip_enabled=true and sip_trunk_uri")
        if self.telegram is not None:
            missing = sorted(set(self.telegram.bots) - set(self.telegram.secret_tokens))
            if missing:
                raise ValueError(f"telegram: bots without a webhook secret token: {', '.join(missing)}")
        if self.messenger is not None:
            missing = sorted(set(self.messenger.pages) - set(self.messenger.page_tokens))
            if missing:
                raise ValueError(f"messenger: pages without a page access token: {', '.join(missing)}")
        known = {"human", "machine", "fax", "unknown", "busy", "no_answer", "failed", "invalid", "disconnected"}
        bad = sorted(set(self.fake_telephony_mix) - known)
        if bad or not any(w > 0 for w in self.fake_telephony_mix.values()) \
                or any(w < 0 for w in self.fake_telephony_mix.values()):
            raise ValueError(f"fake_telephony_mix needs positive weights of {', '.join(sorted(known))}"
                             + (f" (unknown: {', '.join(bad)})" if bad else ""))
        return self
