"""Voice channel shapes: the gateway protocol the SIP adapter implements, a call's state, voice settings."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from blendcc.domain.lifecycle.voice import VOICE_CALL, VoiceCallState

if TYPE_CHECKING:
    from blendcc.ivr.session import IvrSession

T = TypeVar("T")
RECORDING_POLICIES = ("none", "all", "on_demand")


class Leg(Protocol):
    """A call leg of the gateway (customer, agent phone or supervisor phone)."""

    id: str


class VoiceGateway(Protocol):
    def post(self, fn: Callable[[], None]) -> None:
        """Run ``fn`` on the gateway's loop (thread-safe)."""
        ...

    def submit(self, work: Callable[[], T], done: Callable[[T | None, Exception | None], None]) -> None:
        """Run blocking ``work`` off the loop, then ``done(result, error)`` on the loop (one worker, in order)."""
        ...

    def submit_command(self, work: Callable[[], T], done: Callable[[T | None, Exception | None], None]) -> None:
        """Like ``submit`` for an engine command that needs no order with other work: commands of different
        calls run side by side, so the runtime stores those arriving together in one commit."""
        ...

    def call_later(self, delay: float, fn: Callable[[], None]) -> Any: ...
    def answer(self, leg: Leg) -> None: ...
    def hangup(self, leg: Leg) -> None: ...
    def ring(self, user: str, caller_id: str | None, contact_id: str) -> Leg | None:
        """Call the registered phone of ``user`` (None when it has none)."""
        ...

    def bridge(self, customer: Leg, agent: Leg) -> None: ...
    def unbridge(self, customer: Leg) -> None: ...
    def prebridge(self, customer: Leg, agent: Leg, record_to: Path | None) -> None:
        """Bridge without relaying yet, recording both sides unwritten (the engine's accept is on its way)."""
        ...

    def connect(self, customer: Leg, since: float) -> bool:
        """Relay the pre-bridged call; its recording starts at ``since`` (the engine's connect)."""
        ...

    def drop_prebridge(self, customer: Leg, record_to: Path | None) -> None:
        """Take a pre-bridge down, its recording deleted (the engine did not connect the call)."""
        ...

    def hold(self, customer: Leg, held: bool) -> None: ...
    def record(self, customer: Leg, path: Path) -> bool: ...
    def stop_recording(self, customer: Leg) -> float | None: ...
    def listen(self, customer: Leg, supervisor: Leg) -> bool: ...
    def play(self, leg: Leg, prompt: str, on_done: Callable[[], None], repeat: bool = False) -> bool:
        """Play an 8 kHz WAV file to the leg (``repeat``: until stopped); ``on_done`` at its end."""
        ...
    def stop_playing(self, leg: Leg) -> None: ...
    def consult(self, agent: Leg, other: Leg) -> None:
        """Relay ``agent``'s phone to ``other`` (a consultation) while the customer bridge is held."""
        ...

    def end_consult(self, leg: Leg) -> None: ...

    # call controls (adapters/channels/sip/controls.py)
    def send_dtmf(self, leg: Leg, digits: str) -> bool:
        """Send DTMF to the leg's far end after any still going out; False when the leg is gone or too many wait."""
        ...

    def dtmf_mode(self, leg: Leg) -> str: ...
    def mute(self, leg: Leg, on: bool) -> None: ...
    def phone_kind(self, leg: Leg) -> str: ...
    def pause_recording(self, customer: Leg, paused: bool) -> bool: ...
    def conference(self, customer: Leg, agent: Leg, other: Leg) -> bool: ...
    def coach(self, customer: Leg, agent: Leg, supervisor: Leg, mode: str) -> bool:
        """A listening supervisor's leg to ``listen``, ``whisper`` (agent only) or ``barge`` (three-way)."""
        ...
    def leave_conference(self, leg: Leg) -> None: ...


@dataclass
class VoiceCall:
    """A customer's call as the voice channel handles it; ``state`` moves only along ``VOICE_CALL``."""

    contact_id: str
    customer: Leg
    caller_id: str | None
    dialled: str | None
    state: VoiceCallState = VoiceCallState.NEW
    created: bool = False
    agent_id: str | None = None
    agent_leg: Leg | None = None
    queue_id: str | None = None
    ivr: dict[str, str] = field(default_factory=dict)
    recordings: list[dict[str, Any]] = field(default_factory=list)
    listeners: list[Leg] = field(default_factory=list)
    #: supervisors' legs: leg id -> {"phone", "mode": ringing, listen, whisper or barge}
    monitors: dict[str, dict[str, Any]] = field(default_factory=dict)
    customer_gone: bool = False
    digits: str = ""  # every DTMF digit the caller pressed (RFC 4733 or SIP INFO)
    ivr_active: bool = False  # an IVR flow drives the call (prompts, menus, queue announcements)
    ivr_session: IvrSession | None = None  # where the flow stood when the call left it (set by the driver)
    outbound: bool = False  # a dialer call the engine connected to an agent: the phone rings, no offer
    consult_agent: str | None = None  # consulted transfer in progress: the agent being consulted ...
    consult_leg: Leg | None = None  # ... its phone's leg ...
    consult_up: bool = False  # ... answered
    voicemail_timer: Any = None  # voicemail: ends the message at its maximum length
    voicemail_meta: dict[str, Any] | None = None
    callback_number: str | None = None  # a call-back: the caller hung up, the contact stays queued
    callback_attempts: int = 0
    callback_leg: Leg | None = None  # the call-back being dialled
    callback_timer: Any = None  # ring timeout or the wait before the next attempt
    callback_outcomes: list[dict[str, Any]] = field(default_factory=list)
    callback_completed: bool = False  # CallbackCompleted is in the log
    talk_started: float | None = None  # when the agent's phone was bridged (the card's talk timer)
    held: bool = False  # the engine holds the contact (the customer hears music or nothing)
    agent_muted: bool = False  # server-side mute of the agent's phone
    recording_paused: bool = False
    conference: bool = False  # customer, agent and consulted agent mixed together
    #: a blind transfer asked by the agent's phone (SIP REFER): how to tell the phone the outcome
    refer_report: Callable[[int, str], None] | None = None

    def move(self, state: VoiceCallState) -> None:
        """Step to ``state`` (staying is no step); InvalidState if the lifecycle table has no such step."""
        if state is not self.state:
            VOICE_CALL.check(self.state, state, self.contact_id)
            self.state = state


@dataclass
class GoneLeg:
    """Stands for a caller who hung up before a restart (a pending call-back): no gateway call touches it."""

    id: str


@dataclass
class VoiceSettings:
    recording_dir: Path = Path("recordings")
    #: queue id -> none | all | on_demand; ``default_recording`` for the rest
    recording: Mapping[str, str] = field(default_factory=dict)
    default_recording: str = "none"
    retention_days: float = 90.0
    music_on_hold: str | None = None
    #: call-backs: attempts per contact, ring time of each, wait between attempts (the agent stays on it)
    callback_attempts: int = 2
    callback_ring_s: float = 30.0
    callback_retry_s: float = 20.0
