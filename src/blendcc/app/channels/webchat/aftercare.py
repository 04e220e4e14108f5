"""The end of a web chat and what follows it: ending (by the customer, the agent or the idle timeout),
CSAT, the transcript by email, the offline form and the chat's attachments; mixed into ``WebchatService``."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from blendcc.app.acd.contacts import ContactService
from blendcc.app.acd.runtime import Runtime
from blendcc.app.channels.messaging.conversations import ConversationService
from blendcc.app.channels.webchat import frames
from blendcc.app.channels.webchat.bot import Bots
from blendcc.app.channels.webchat.hub import Hub
from blendcc.config import WebchatInstance
from blendcc.domain import conversation_events as ce
from blendcc.domain.channels import Channel
from blendcc.domain.conversation import ChannelRef, ReceiveMessage
from blendcc.domain.errors import InvalidState, NotFound, ValidationFailed
from blendcc.domain.webchat import RESUME_AFTER_END_S, ChatSession, ChatState
from blendcc.ports import AttachmentStore, CallLater, Clock, EventStore, ReportReader
from blendcc.routing.commands import SetConversationState

log = logging.getLogger(__name__)


class ChatAftercare:
    """Needs the attributes below, which ``WebchatService`` sets up."""

    runtime: Runtime
    contacts: ContactService
    conversations: ConversationService
    reader: ReportReader
    store: EventStore
    clock: Clock
    later: CallLater
    attachments: AttachmentStore | None
    mailer: Callable[[str, str, str], None] | None
    bots: Bots
    hub: Hub
    _lock: threading.Lock
    _cache: dict[str, ChatSession]
    _ending: dict[str, tuple[str, str | None]]
    _last_customer: dict[str, float]
    _last_agent: dict[str, float]
    _idle_armed: set[str]
    _positions: dict[str, tuple[int, float | None]]
    session: Callable[[str], ChatSession]
    instance: Callable[[str], WebchatInstance]
    _save: Callable[[ChatSession], ChatSession]
    _update_later: Callable[..., None]
    _author_name: Callable[[str, str | None], str | None]

    def end(self, session_id: str, by: str = "customer", reason: str | None = None) -> ChatSession:
        session = self.session(session_id)
        if session.state == ChatState.ENDED.value:
            return session
        cid = session.contact_id
        if session.state == ChatState.BOT.value and cid is not None:
            self.bots.drop(session.id)
            inst = self.instance(session.instance)
            self.runtime.execute(lambda eng, now: [ce.BotSessionEnded(contact_id=cid, flow_id=inst.bot_flow or "",
                                                                      outcome="abandoned", at=now)])
        elif cid is not None:
            with self._lock:
                self._ending[cid] = (by, reason)
            try:
                try:  # the system's end resolves the conversation (routing/conversations.py)
                    if by != "system":
                        raise InvalidState("the customer or agent ends it")
                    self.runtime.execute(SetConversationState(cid, "resolved", by="system", reason=reason or "idle"))
                except (InvalidState, ValidationFailed):  # not resolvable now (still waiting): the customer left
                    self.contacts.customer_left(cid)
            except (NotFound, InvalidState):
                pass  # already closed
        return self._ended(session.id, by, reason)

    def _ended(self, session_id: str, by: str, reason: str | None) -> ChatSession:
        session = self.session(session_id)
        if session.state == ChatState.ENDED.value:
            return session
        now = self.clock.now()
        done = self._save(session.changed(state=ChatState.ENDED.value, ended_at=now, ended_by=by,
                                          expires_at=now + RESUME_AFTER_END_S))
        self._positions.pop(session_id, None)
        self.hub.push(session_id, {"type": "ended", "by": by, "reason": reason})
        self._csat_asked(session.contact_id)
        return done

    def _csat_asked(self, contact_id: str | None) -> None:
        """The ended chat shows the customer its CSAT stars: a ``SurveyInvited`` (via chat), the base of the
        chat's response rate in the survey figures (once per contact; stored on the timer thread, as the
        writer may be the caller)."""
        if contact_id is None:
            return

        def invite() -> None:
            if any(isinstance(s.event, ce.SurveyInvited) and s.event.survey == "csat"
                   for s in self.store.contact_events(contact_id)):
                return
            row = self.reader.interaction(contact_id) or {}
            try:
                self.runtime.execute(lambda eng, now: [ce.SurveyInvited(
                    contact_id=contact_id, survey="csat", via="chat", agent_id=row.get("agent_id"),
                    queue_id=row.get("queue_id"), channel=Channel.CHAT.value, at=now)])
            except Exception:
                log.exception("the CSAT invitation of chat %s was not stored", contact_id)

        self.later.call_later(0.0, invite)

    def rate(self, session_id: str, score: int, comment: str | None) -> None:
        session = self.session(session_id)
        if not 1 <= score <= 5:
            raise ValidationFailed("score must be 1 to 5")
        if session.contact_id is None or (session.state != ChatState.ENDED.value and session.agent_name is None):
            raise InvalidState("a chat can be rated once an agent joined or it ended")
        if session.rated:
            raise InvalidState("this chat was already rated")
        row = self.reader.interaction(session.contact_id) or {}
        cid = session.contact_id
        self.runtime.execute(lambda eng, now: [ce.SurveyAnswered(
            contact_id=cid, survey="csat", score=score, scale_max=5, comment=comment, agent_id=row.get("agent_id"),
            queue_id=row.get("queue_id"), channel=Channel.CHAT.value, at=now)])
        self._save(self.session(session_id).changed(rated=True))

    def transcript(self, session_id: str, email: str | None) -> str:
        """Mail the transcript (on the timer thread); return the address it goes to."""
        session = self.session(session_id)
        to = email or session.email
        if not to:
            raise ValidationFailed("no email address: give one")
        if self.mailer is None:
            raise InvalidState("no SMTP relay is configured: transcripts cannot be sent")
        inst = self.instance(session.instance)
        messages: list[dict[str, Any]] = []
        if session.contact_id is not None:
            messages, _ = frames.thread(session.id, self.store.contact_events(session.contact_id), self._author_name,
                                        session.read_upto, False)
        text = transcript_text(inst.centre_name, session, messages)
        mailer = self.mailer
        subject = f"Your chat with {inst.centre_name}"

        def send() -> None:
            try:
                mailer(to, subject, text)
            except Exception:
                log.exception("could not mail the transcript of web chat %s", session_id)

        self.later.call_later(0.0, send)
        return to

    def offline(self, name: str, customer: str, email: str, topic: str | None, message: str) -> str:
        """The offline form: an email-channel conversation in the instance's queue; returns its reference."""
        inst = self.instance(name)
        mailbox = inst.offline_mailbox or "webchat-offline"
        attributes: dict[str, Any] = {"webchat_instance": name, "customer_name": customer, "email": email}
        if topic is not None:
            attributes["topic"] = topic
        subject = f"Web chat offline message ({inst.centre_name})" + (f": {topic}" if topic else "")
        received = self.conversations.receive(ReceiveMessage(
            ChannelRef(Channel.EMAIL.value, mailbox), email, message, customer_name=customer, subject=subject,
            attributes=attributes, workflow_id=inst.workflow))
        return received.contact_id

    def attach(self, session_id: str, name: str, media_type: str, data: bytes) -> dict[str, Any]:
        from blendcc.domain.errors import DomainError

        session = self.session(session_id)
        inst = self.instance(session.instance)
        if self.attachments is None:
            raise InvalidState("attachments are not stored by this server")
        if len(data) > inst.max_attachment_bytes:
            raise TooLarge(f"the file has {len(data)} bytes; at most {inst.max_attachment_bytes} are accepted")
        base = media_type.split(";", 1)[0].strip().lower()
        if base not in inst.attachment_types and f"{base.split('/', 1)[0]}/*" not in inst.attachment_types:
            raise UnsupportedType(f"files of type {base!r} are not accepted "
                                  f"(accepted: {', '.join(inst.attachment_types)})")
        try:
            stored = self.attachments.put(name[:200] or "file", base, data)
        except DomainError:
            raise
        extra = dict(session.extra)
        known = dict(extra.get("attachments") or {})
        known[stored.id] = stored.to_dict()
        extra["attachments"] = known
        self._save(session.changed(extra=extra))
        return frames.attachment_view(stored, session_id)

    def attachment(self, session_id: str, attachment_id: str) -> tuple[dict[str, Any], bytes]:
        session = self.session(session_id)
        known = (session.extra.get("attachments") or {}).get(attachment_id)
        if known is None and session.contact_id is not None:
            for s in self.store.contact_events(session.contact_id):
                for a in getattr(s.event, "attachments", ()) or ():
                    if a.id == attachment_id:
                        known = a.to_dict()
        if known is None or self.attachments is None:
            raise NotFound(f"attachment {attachment_id} is not in this chat")
        return dict(known), self.attachments.read(attachment_id)

    def _end_later(self, sid: str, by: str, reason: str | None) -> None:
        with self._lock:
            current = self._cache.get(sid)
        if current is None or current.state == ChatState.ENDED.value:
            return
        now = self.clock.now()
        self._update_later(sid, state=ChatState.ENDED.value, ended_at=now, ended_by=by,
                           expires_at=now + RESUME_AFTER_END_S)
        self._positions.pop(sid, None)
        self.hub.push(sid, {"type": "ended", "by": by, "reason": reason})
        self._csat_asked(current.contact_id)

    # ------------------------------------------------------------------ idle timeout

    def _arm_idle(self, sid: str, delay: float | None = None) -> None:
        session = self._cache.get(sid)
        if session is None:
            return
        timeout = self.instance(session.instance).idle_timeout_s
        with self._lock:
            if sid in self._idle_armed:
                return
            self._idle_armed.add(sid)
        self.later.call_later(timeout if delay is None else delay, lambda: self._idle_check(sid, timeout))

    def _idle_check(self, sid: str, timeout: float) -> None:
        with self._lock:
            self._idle_armed.discard(sid)
            session = self._cache.get(sid)
        if session is None or session.state == ChatState.ENDED.value:
            return
        agent_at = self._last_agent.get(sid)
        customer_at = self._last_customer.get(sid, 0.0)
        if agent_at is None or customer_at >= agent_at:
            return  # the customer answered: the next agent message arms it again
        left = agent_at + timeout - self.clock.now()
        if left > 0:
            self._arm_idle(sid, left)
            return
        log.info("web chat %s: the customer did not answer for %g s; ending it", sid, timeout)
        self.end(sid, by="system", reason="idle")


class TooLarge(ValidationFailed):
    code = "too_large"


class UnsupportedType(ValidationFailed):
    code = "unsupported_media_type"


def transcript_text(centre: str, session: ChatSession, messages: Sequence[Mapping[str, Any]]) -> str:
    """A plain-text transcript: one line per message with its UTC time and author."""
    from datetime import UTC, datetime

    lines = [f"Your chat with {centre}", f"Reference: {session.contact_id or session.id}", ""]
    for m in messages:
        when = datetime.fromtimestamp(float(m["at"]), UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
        author = m["author"]
        who = session.name if author["kind"] == "customer" else (
            author.get("name") or ("Supervisor" if author.get("role") == "supervisor" else author["kind"]))
        lines.append(f"[{when}] {who}: {m['body']}")
        for a in m.get("attachments") or ():
            lines.append(f"    (attachment: {a['name']}, {a['size']} bytes)")
    return "\n".join(lines) + "\n"
