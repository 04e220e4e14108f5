"""Voice channel service: phone calls become voice interactions; offers ring agent phones; legs are bridged.

The service is driven by a ``VoiceGateway`` (the SIP edge implements it) and by the engine's events on
the bus. It keeps no I/O of its own: new interactions and accepted offers run through
``gateway.submit_command`` (worker threads, so the commands of different calls share commits), the other
commands in order through ``gateway.submit`` (one worker), so SIP signalling never waits for the database;
every callback comes back on the gateway's event loop, where all of this object's state lives.
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections import deque
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from blendcc.app.acd.agents import AgentService
from blendcc.app.acd.contacts import ContactService, NewContact
from blendcc.app.channels.voice.consult import VoiceConsult
from blendcc.app.channels.voice.controls import VoiceControls
from blendcc.app.channels.voice.ivr_outcome import VoiceIvrOutcome
from blendcc.app.channels.voice.messages import VoiceMessages
from blendcc.app.channels.voice.model import RECORDING_POLICIES, GoneLeg, Leg, VoiceCall, VoiceGateway, VoiceSettings
from blendcc.app.channels.voice.phone_transfer import VoicePhoneTransfer
from blendcc.app.channels.voice.supervision import VoiceSupervision
from blendcc.domain.channels import Channel
from blendcc.domain.events import CallbackCompleted, ContactConnected
from blendcc.domain.lifecycle.voice import UNANSWERED
from blendcc.domain.lifecycle.voice import VoiceCallState as V
from blendcc.ports import EventBus
from blendcc.routing.commands import (
    AcceptOffer,
    AppendEvents,
    Batch,
    Command,
    DeclineOffer,
    DisconnectCustomer,
    EndContact,
    HoldContact,
    ResumeContact,
)

log = logging.getLogger(__name__)
_FINAL = ("ContactAbandoned", "ContactTimedOut", "ContactRejected", "ContactClosed")
#: refusal reasons of an emergency mode (routing/emergency.py): the caller hears the mode's message first
_EMERGENCY = ("emergency", "callback_only")


class VoiceService(VoiceSupervision, VoiceConsult, VoiceMessages, VoiceControls, VoicePhoneTransfer,
                   VoiceIvrOutcome):
    """Owns the voice calls of one process (state touched only on the gateway's loop)."""

    def __init__(self, contacts: ContactService, agents: AgentService, bus: EventBus, gateway: VoiceGateway,
                 settings: VoiceSettings | None = None, new_id: Callable[[], str] | None = None):
        self.contacts = contacts
        self.agents = agents
        self.gateway = gateway
        self.bus = bus
        self.settings = settings or VoiceSettings()
        self.new_id = new_id or (lambda: "v" + uuid.uuid4().hex[:19])
        self.calls: dict[str, VoiceCall] = {}
        self.by_leg: dict[str, VoiceCall] = {}
        #: set by the IVR driver: start a flow for a new call (False: no flow, route at once) and feed it digits
        self.ivr_start: Callable[[VoiceCall], bool] | None = None
        self.ivr_digit: Callable[[VoiceCall, str], None] | None = None
        self.ivr_stop: Callable[[VoiceCall, bool], None] | None = None
        #: set by the post-call survey (survey.py): the agent ended a call whose caller is still on; True when
        #: it takes the caller to the survey (the call then ends when the survey does)
        self.after_call: Callable[[VoiceCall], bool] | None = None
        #: the answered dialer call (customer leg) of an outbound contact id, set when a SIP trunk dials
        self.outbound_leg: Callable[[str], Leg | None] | None = None
        #: dials a customer back through the SIP trunk (set when one is configured)
        self.dial_out: Callable[[str, str, str], Leg | None] | None = None
        #: the emergency announcement for a call the engine refused (its queue) -> a playable prompt or None;
        #: set by the voice stack (crisis emergency modes, docs/crisis.md); runs on the gateway's worker
        self.announce: Callable[[str | None], str | None] | None = None
        self._announcing: set[str] = set()  # contacts whose caller hears the emergency announcement now
        self.pending_callbacks = self.load_pending_callbacks(contacts.reader)
        self._unsubscribe = bus.subscribe("contact", self._on_bus)
        self.stats = {"calls": 0, "abandoned": 0, "connected": 0, "failed_offers": 0, "batches": 0}
        self._ops: deque[Command] = deque()
        self._ops_lock = threading.Lock()
        self._flush_lock = threading.RLock()  # re-entered only where the gateway runs work inline (tests)
        self._flush_queued = False

    def close(self) -> None:
        self._unsubscribe()

    # ------------------------------------------------------------------ from the gateway
    def incoming(self, leg: Leg, caller_id: str | None, dialled: str | None) -> None:
        """A customer's call arrived: answer it and hand it to the IVR, or straight to routing."""
        vc = VoiceCall(self.new_id(), leg, caller_id, dialled)
        self.calls[vc.contact_id] = vc
        self.by_leg[leg.id] = vc
        self.stats["calls"] += 1
        self.gateway.answer(leg)
        if self.ivr_start is not None:
            vc.move(V.IVR)
            vc.ivr_active = True
            try:
                if self.ivr_start(vc):
                    return
            except Exception:  # a broken flow must not strand an answered caller: route it directly
                log.exception("IVR failed to start for %s; routing the call directly", vc.contact_id)
            vc.ivr_active = False
        self.enqueue(vc, {}, 0, {})

    def enqueue(self, vc: VoiceCall, ivr: Mapping[str, str], priority: int, attributes: Mapping[str, Any]) -> None:
        """Create the voice interaction (caller id, dialled number, IVR choices) and let the engine route it."""
        vc.move(V.QUEUED)
        vc.ivr = dict(ivr)
        req = NewContact(channel=Channel.VOICE, contact_id=vc.contact_id, caller_id=vc.caller_id,
                         dialled_number=vc.dialled, ivr=dict(ivr), attributes=dict(attributes), priority=priority)

        def done(result: dict[str, Any] | None, error: Exception | None) -> None:
            if error is not None:
                log.warning("voice contact %s refused: %s", vc.contact_id, error)
                self._drop(vc)
                return
            assert result is not None
            vc.created = True
            vc.queue_id = result.get("queue_id")
            if result.get("state") == "rejected":
                if vc.contact_id not in self._announcing:  # else the emergency message plays, then it ends
                    self._drop(vc)
                return
            if vc.customer_gone and vc.callback_number is None:  # hung up while the contact was being created
                self._customer_left(vc)
                return
            if vc.state is V.QUEUED and self.settings.music_on_hold and not self._in_ivr(vc):
                self.gateway.play(vc.customer, self.settings.music_on_hold, lambda: None, repeat=True)

        self.gateway.submit_command(lambda: self.contacts.create(req), done)

    def dtmf(self, leg: Leg, digit: str) -> None:
        """A DTMF digit from the caller (decoded once per key press by the gateway)."""
        vc = self.by_leg.get(leg.id)
        if vc is None or leg.id != vc.customer.id:
            return
        vc.digits += digit
        if vc.ivr_active and self.ivr_digit is not None:
            self.ivr_digit(vc, digit)

    def leg_ended(self, leg: Leg) -> None:
        """The far end hung up (BYE or CANCEL) on one of our legs."""
        vc = self.by_leg.get(leg.id)
        if vc is None:
            return
        if vc.conference and self._conference_leg_ended(vc, leg):
            return
        if leg is vc.customer or leg.id == vc.customer.id:
            if vc.state is V.VOICEMAIL:  # the message ends with the caller's BYE
                self._voicemail_done(vc, hung_up=True)
                return
            vc.customer_gone = True
            if vc.state is V.SURVEY:  # hung up before answering the survey (or during the thanks)
                self._end(vc, hung_up=True)
                return
            if vc.contact_id in self._announcing:  # hung up during the emergency message: the contact is over
                self._announcing.discard(vc.contact_id)
                self.gateway.stop_playing(vc.customer)
                self._end(vc)
                return
            self._leave_ivr(vc, hung_up=True)
            if vc.created:
                self._customer_left(vc)
            elif vc.state is V.IVR:
                self._ivr_ended(vc)
                self._drop(vc)
            return
        if self._is_consult(vc, leg):
            self._consult_gone(vc)
            return
        if vc.agent_leg is not None and leg.id == vc.agent_leg.id:
            vc.agent_leg = None
            self.by_leg.pop(leg.id, None)
            agent = vc.agent_id
            if vc.state is V.CONNECTED and agent is not None:
                self.gateway.unbridge(vc.customer)
                self._command(EndContact(vc.contact_id, agent))
        elif leg in vc.listeners:
            vc.listeners.remove(leg)
            self.by_leg.pop(leg.id, None)
            self._monitor_changed(vc, leg.id, "ended")

    def agent_answered(self, leg: Leg) -> None:
        vc = self.by_leg.get(leg.id)
        if vc is not None and self._is_consult(vc, leg):
            self._consult_answered(vc, leg)
            return
        if vc is not None and leg in vc.listeners:  # a supervisor's phone (rung like an agent's) answered
            self.listener_answered(leg)
            return
        if vc is None or vc.agent_leg is None or vc.agent_leg.id != leg.id or vc.agent_id is None:
            self.gateway.hangup(leg)
            return
        agent = vc.agent_id
        if vc.outbound:  # already connected by the engine: bridge at once
            self._connected(vc, leg)
            return
        # both legs on a bridge that relays nothing yet, recording from now: when the engine's connect comes
        # back (a commit later), the call is relayed and its recording starts at the connect's own time, so
        # the file is the interaction's talk time however long that commit took (ADR 0058)
        early = vc.callback_number is None and not vc.customer_gone and not vc.conference
        recording = bool(vc.recordings) and vc.recordings[-1]["seconds"] is None  # one still open
        record = early and not recording and self.recording_policy(vc.queue_id) == "all"
        path = self._recording_path(vc) if record else None
        if early:
            self.gateway.prebridge(vc.customer, leg, path)

        def done(at: float | None, error: Exception | None) -> None:
            if error is not None or (vc.customer_gone and vc.callback_number is None):
                log.info("agent %s answered %s too late: %s", agent, vc.contact_id, error)
                if early:
                    self.gateway.drop_prebridge(vc.customer, path)
                self._hangup_agent(vc)
                return
            self._connected(vc, leg, (at if at is not None else self._now()) if early else None, path)

        cid = vc.contact_id
        self.gateway.submit_command(lambda: self._accept(agent, cid), done)

    def _accept(self, agent: str, contact_id: str) -> float | None:
        """The engine's accept (on a worker): when it connected the contact (its event's time)."""
        events = self.contacts.runtime.execute(AcceptOffer(contact_id, agent))
        return next((e.at for e in events if isinstance(e, ContactConnected)), None)

    def _connected(self, vc: VoiceCall, leg: Leg, since: float | None = None, path: Path | None = None) -> None:
        vc.move(V.CONNECTED)
        if vc.callback_number is not None:  # a call-back: the agent is on, now call the customer
            self._dial_back(vc)
            return
        self.stats["connected"] += 1
        self._leave_ivr(vc, hung_up=False)
        self.gateway.stop_playing(vc.customer)
        vc.talk_started, vc.held, vc.agent_muted, vc.recording_paused = since or self._now(), False, False, False
        if since is not None and self.gateway.connect(vc.customer, since):  # pre-bridged at the answer
            if path is not None:
                self._recording_started(vc, path, since)
            elif self.recording_policy(vc.queue_id) == "all":
                self.start_recording(vc.contact_id)
            return
        self.gateway.bridge(vc.customer, leg)
        if self.recording_policy(vc.queue_id) == "all":
            self.start_recording(vc.contact_id)

    def agent_failed(self, leg: Leg, status: int) -> None:
        """The agent's phone did not answer (busy, declined, unreachable, or our own CANCEL)."""
        vc = self.by_leg.get(leg.id)
        if vc is not None and self._is_consult(vc, leg):
            self._consult_gone(vc)
            return
        self.by_leg.pop(leg.id, None)
        if vc is None or vc.agent_leg is None or vc.agent_leg.id != leg.id:
            return
        vc.agent_leg = None
        agent = vc.agent_id
        self.stats["failed_offers"] += 1
        if vc.state is V.RINGING and agent is not None and status != 487:
            self._command(DeclineOffer(vc.contact_id, agent))

    def phone_hold(self, leg: Leg, held: bool) -> None:
        """The agent's phone put the call on hold (re-INVITE sendonly/inactive) or resumed it."""
        vc = self.by_leg.get(leg.id)
        if vc is None or vc.agent_id is None or vc.agent_leg is None or leg.id != vc.agent_leg.id:
            return
        agent = vc.agent_id
        if held:
            self._command(HoldContact(vc.contact_id, agent))
        else:
            self._command(ResumeContact(vc.contact_id, agent))

    # ------------------------------------------------------------------ engine events (any thread)
    def _on_bus(self, _topic: str, msg: Mapping[str, Any]) -> None:
        cid = msg.get("contact_id")
        if not isinstance(cid, str):
            return
        if (cid not in self.calls and cid not in self.pending_callbacks
                and not (msg.get("type") == "ContactConnected" and self.outbound_leg is not None)):
            return  # not a call of this process
        self.gateway.post(lambda: self._event(cid, dict(msg)))

    def _event(self, cid: str, msg: dict[str, Any]) -> None:
        vc = self.calls.get(cid)
        if vc is not None and vc.state in (V.VOICEMAIL, V.SURVEY):
            return  # the contact left the queue for voicemail, or is over (the survey): the call ends with it
        if vc is None and cid in self.pending_callbacks:  # a call-back requested before a restart
            if msg.get("type") == "ContactOffered":
                vc = self._restore_callback(cid)
            elif msg.get("type") in _FINAL:
                self.pending_callbacks.pop(cid, None)
                self._command(AppendEvents((CallbackCompleted(at=0.0, contact_id=cid, outcome="cancelled",
                                                              attempts=0),), stamp=True))
        if vc is None:
            if msg.get("type") == "ContactConnected" and self.outbound_leg is not None:
                leg = self.outbound_leg(cid)
                if leg is not None:
                    self._adopt_outbound(cid, leg, msg["agent_id"], msg.get("queue_id"))
            return
        kind = msg.get("type")
        if cid in self._announcing:
            return  # refused by an emergency mode: the call ends when its message has been played
        if kind == "ContactOffered":
            self._offer(vc, msg["agent_id"], msg.get("queue_id"))
        elif kind == "OfferRevoked":
            if vc.state is V.RINGING and vc.agent_id == msg.get("agent_id"):
                vc.move(V.QUEUED)
                self._hangup_agent(vc)
        elif kind == "ContactHeld":
            self.back_to_listening(vc)  # a supervisor's whisper or barge mix would carry on through the hold
            vc.held = True
            self.gateway.hold(vc.customer, True)
            if self.settings.music_on_hold and not vc.conference:  # a conference's mix goes on
                self.gateway.play(vc.customer, self.settings.music_on_hold, lambda: None, repeat=True)
        elif kind == "ContactResumed":
            vc.held = False
            self.gateway.stop_playing(vc.customer)
            self.gateway.hold(vc.customer, False)
        elif kind == "ContactTransferred":
            self._refer_outcome(vc, 200, "OK")  # a transfer the agent's phone asked for: told before its BYE
            self._finish_recording(vc)
            self.gateway.unbridge(vc.customer)
            self._hangup_agent(vc)
            vc.move(V.QUEUED)
        elif kind == "ContactRejected" and msg.get("reason") in _EMERGENCY and self.announce is not None \
                and not vc.customer_gone:
            self._announce(vc, msg.get("queue_id"))
        elif kind == "ContactEnded" and msg.get("reason") == "agent" and self._survey_after(vc):
            return  # the agent ended the call: the caller stays on for the post-call survey
        elif kind in _FINAL or (kind == "ContactEnded" and msg.get("reason") != "transfer"):
            self._refer_outcome(vc, 487, "Request Terminated")
            self._end(vc)

    def _announce(self, vc: VoiceCall, queue_id: str | None) -> None:
        """Refused by an emergency mode: the caller hears its message (rendered off the loop), then the call ends."""
        announce = self.announce
        assert announce is not None
        self._announcing.add(vc.contact_id)

        def play(prompt: str | None, error: Exception | None) -> None:
            if vc.contact_id not in self._announcing:
                return  # the caller hung up meanwhile: the call is over
            if error is None and isinstance(prompt, str) \
                    and self.gateway.play(vc.customer, prompt, lambda: self._announced(vc)):
                return
            self._announced(vc)

        self.gateway.submit(lambda: announce(queue_id), play)

    def _announced(self, vc: VoiceCall) -> None:
        """The emergency message ended (or there was none to play): the call ends."""
        self._announcing.discard(vc.contact_id)
        if self.calls.get(vc.contact_id) is vc:
            self._end(vc)

    def _adopt_outbound(self, contact_id: str, leg: Leg, agent_id: str, queue_id: str | None) -> None:
        """The dialer's answered call was connected to ``agent_id`` by the engine: ring the agent's phone
        and bridge when it answers (the callee hears nothing until then)."""
        vc = VoiceCall(contact_id, leg, None, None, state=V.RINGING, created=True, agent_id=agent_id,
                       queue_id=queue_id, outbound=True)
        self.calls[contact_id] = vc
        self.by_leg[leg.id] = vc
        ring = self.gateway.ring(agent_id, None, contact_id)
        if ring is None:
            log.warning("agent %s has no registered phone for outbound call %s", agent_id, contact_id)
            return
        vc.agent_leg = ring
        self.by_leg[ring.id] = vc

    def _offer(self, vc: VoiceCall, agent_id: str, queue_id: str | None) -> None:
        if vc.customer_gone and vc.callback_number is None:
            return
        vc.queue_id = queue_id or vc.queue_id
        if self._take_consult_leg(vc, agent_id):
            return
        vc.move(V.RINGING)
        vc.agent_id = agent_id
        leg = self.gateway.ring(agent_id, vc.caller_id, vc.contact_id)
        if leg is None:  # no registered phone: give the call to someone who can take it
            log.info("agent %s has no registered phone; declining %s", agent_id, vc.contact_id)
            self._command(DeclineOffer(vc.contact_id, agent_id))
            return
        vc.agent_leg = leg
        self.by_leg[leg.id] = vc

    def view(self) -> list[dict[str, Any]]:
        return [{"contact_id": v.contact_id, "state": v.state.value, "caller_id": v.caller_id, "dialled": v.dialled,
                 "agent_id": v.agent_id, "queue_id": v.queue_id,
                 "recording": bool(v.recordings and v.recordings[-1]["seconds"] is None),
                 "listeners": len(v.listeners), "callback": v.callback_number,
                 "callback_attempts": v.callback_attempts, "conference": v.conference, "muted": v.agent_muted,
                 "consulting": v.consult_agent} for v in self.calls.values()]

    # ------------------------------------------------------------------ helpers
    def hang_up(self, vc: VoiceCall) -> None:
        """We end the call (IVR hang-up): abandon the contact if one was created, else just drop the call."""
        if vc.state is V.SURVEY:  # the survey said thanks or goodbye: the contact is already over
            self._end(vc)
            return
        if vc.created and vc.state is not V.ENDED:
            vc.customer_gone = True
            self._customer_left(vc)
        else:
            self._leave_ivr(vc, hung_up=False)
            if vc.state is V.IVR:
                self._ivr_ended(vc)
            self._drop(vc)

    def _in_ivr(self, vc: VoiceCall) -> bool:
        return vc.ivr_active

    def _leave_ivr(self, vc: VoiceCall, hung_up: bool) -> None:
        if vc.ivr_active:
            vc.ivr_active = False
            if self.ivr_stop is not None:
                self.ivr_stop(vc, hung_up)

    def _command(self, op: Command) -> None:
        """Queue an engine command; commands queued while the writer is busy are run and stored together
        (one runtime command, one store transaction), so hang-ups keep up with calls."""
        with self._ops_lock:
            self._ops.append(op)
            if self._flush_queued:
                return
            self._flush_queued = True
        self.gateway.submit_command(self._flush, self._flushed)

    def _flush(self) -> int:
        with self._flush_lock:  # one flush at a time: the queued commands keep their order
            with self._ops_lock:
                ops = list(self._ops)
                self._ops.clear()
                self._flush_queued = False
            if not ops:
                return 0
            # one writer step for all; a command the engine refuses (changing nothing, e.g. a hang-up racing
            # the agent's own end) is skipped and the others still run
            self.contacts.runtime.execute(Batch(tuple(ops), skip_refused=True))
            return len(ops)

    def _flushed(self, n: int | None, error: Exception | None) -> None:
        if error is not None:
            log.error("voice commands failed: %s", error)
        elif n:
            self.stats["batches"] += 1

    def _customer_left(self, vc: VoiceCall) -> None:
        self._hangup_agent(vc)
        if vc.state is not V.ENDED:
            self.stats["abandoned"] += vc.state in UNANSWERED
            # stamped with the hang-up's time, not the writer's: the talk time is what the recording holds
            self._command(DisconnectCustomer(vc.contact_id, at=self._now()))

    def _hangup_agent(self, vc: VoiceCall) -> None:
        if vc.agent_leg is not None:
            leg = vc.agent_leg
            vc.agent_leg = None
            self.by_leg.pop(leg.id, None)
            self.gateway.hangup(leg)

    def _survey_after(self, vc: VoiceCall) -> bool:
        """The agent ended a talking call: hand the caller to the post-call survey when its queue offers one."""
        # a call-back whose customer answered is the customer's call from then on (callback_event): surveyed alike;
        # one still pending (callback_number set) never reached anybody
        if (self.after_call is None or vc.customer_gone or vc.state is not V.CONNECTED or vc.conference
                or vc.callback_number is not None):
            return False
        try:
            return self.after_call(vc)
        except Exception:  # a broken survey must not keep the caller on the line
            log.exception("post-call survey failed to start for %s; ending the call", vc.contact_id)
            return False

    def begin_survey(self, vc: VoiceCall) -> None:
        """The caller stays on alone for the survey: every other leg goes down, the recording stops."""
        vc.move(V.SURVEY)
        self._release(vc)
        if vc.held:  # ended while on hold: the music stops before the question
            vc.held = False
            self.gateway.stop_playing(vc.customer)

    def _end(self, vc: VoiceCall, hung_up: bool = False) -> None:
        """The interaction is over (ended, abandoned, closed): take every leg down and forget the call."""
        if vc.state is V.ENDED:
            return
        vc.move(V.ENDED)
        self._leave_ivr(vc, hung_up=hung_up)
        self._release(vc)
        gone = isinstance(vc.customer, GoneLeg)  # a call-back restored after a restart, never reached
        if not gone:
            self.gateway.hangup(vc.customer)
        self.by_leg.pop(vc.customer.id, None)
        def forget() -> None:
            self.calls.pop(vc.contact_id, None)

        self.gateway.call_later(60.0, forget)

    def _release(self, vc: VoiceCall) -> None:
        """Every leg but the caller's down (call-back, agent, consulted agent, listeners), recording stopped."""
        if vc.callback_timer is not None:
            vc.callback_timer.cancel()
            vc.callback_timer = None
        if vc.callback_leg is not None:
            self.gateway.hangup(vc.callback_leg)
            self.by_leg.pop(vc.callback_leg.id, None)
            vc.callback_leg = None
        self._callback_cancelled(vc)
        self._finish_recording(vc)
        gone = isinstance(vc.customer, GoneLeg)  # a call-back restored after a restart, never reached
        if not gone:
            self.gateway.unbridge(vc.customer)
        self._hangup_agent(vc)
        if vc.consult_leg is not None:
            consulted = vc.consult_leg
            self._clear_consult(vc)
            self.gateway.hangup(consulted)
        for leg in vc.listeners:
            self.gateway.hangup(leg)
            self.by_leg.pop(leg.id, None)
        vc.listeners = []

    def _drop(self, vc: VoiceCall) -> None:
        vc.move(V.ENDED)
        self._leave_ivr(vc, hung_up=False)
        self._hangup_agent(vc)
        self.gateway.hangup(vc.customer)
        self.by_leg.pop(vc.customer.id, None)
        self.calls.pop(vc.contact_id, None)


__all__ = ["RECORDING_POLICIES", "VoiceCall", "VoiceGateway", "VoiceService", "VoiceSettings"]
