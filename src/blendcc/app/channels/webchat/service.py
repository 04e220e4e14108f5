"""Web-chat use cases: sessions (pre-chat, resume by token), customer messages into the conversation
service, typing and read marks both ways, end, CSAT, transcript, the offline form and the idle timeout.

Every frame a customer socket gets comes from the event bus (what was stored) through the ``Hub``, so
a reconnect with ``after`` fetches exactly what a closed socket missed."""

from __future__ import annotations

import hashlib
import logging
import secrets
import threading
import uuid
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from blendcc.app.acd.contacts import ContactService
from blendcc.app.acd.runtime import Runtime
from blendcc.app.channels.messaging.conversations import ConversationService
from blendcc.app.channels.webchat import frames
from blendcc.app.channels.webchat.aftercare import ChatAftercare
from blendcc.app.channels.webchat.batch import GroupCommit
from blendcc.app.channels.webchat.bot import Bots, BotTurn
from blendcc.app.channels.webchat.hub import Hub, Push
from blendcc.app.channels.webchat.positions import queue_positions
from blendcc.config import WebchatInstance
from blendcc.domain import conversation_events as ce
from blendcc.domain.channels import Channel
from blendcc.domain.conversation import (
    Attachment,
    ChannelRef,
    DeliveryStatus,
    Received,
    ReceiveMessage,
    UpdateDelivery,
    is_supervisor,
    message_id_for,
)
from blendcc.domain.errors import InvalidState, NotFound, Unauthenticated, ValidationFailed
from blendcc.domain.events import Event
from blendcc.domain.webchat import ChatSession, ChatState, hash_token
from blendcc.ivr.flow import IvrFlow
from blendcc.ivr.session import IvrContext
from blendcc.ports import (
    AttachmentStore,
    CallLater,
    ChannelDirectory,
    Clock,
    EventBus,
    EventStore,
    ReportReader,
    WebchatSessionRepository,
)
from blendcc.routing.engine import Engine

log = logging.getLogger(__name__)

#: (to, subject, text) -> None; raises on failure (the email relay, wired by bootstrap)
Mailer = Callable[[str, str, str], None]
#: a session not started by a message yet expires this long after its creation
NEW_SESSION_TTL_S = 24 * 3600.0
_QUEUE_EVENTS = frozenset({"ContactQueued", "ContactOffered", "ContactConnected", "ContactAbandoned", "ContactClosed",
                           "OfferRevoked", "ContactTransferred", "ContactOverflowed", "ContactStepAdvanced",
                           "ContactTimedOut", "ContactRejected"})


class CentreClosed(InvalidState):
    """The instance is outside its business hours: the widget shows the offline form (409 ``closed``)."""

    code = "closed"


class WebchatService(ChatAftercare):
    def __init__(self, instances: Mapping[str, WebchatInstance], sessions: WebchatSessionRepository,
                 conversations: ConversationService, contacts: ContactService, runtime: Runtime, bus: EventBus,
                 store: EventStore, reader: ReportReader, channels: ChannelDirectory, clock: Clock, later: CallLater,
                 attachments: AttachmentStore | None = None, mailer: Mailer | None = None,
                 flow_of: Callable[[str], IvrFlow | None] | None = None,
                 queue_stats: Callable[[], Mapping[str, Mapping[str, Any]]] | None = None,
                 position_delay_s: float = 0.2):
        self.instances = dict(instances)
        self.sessions = sessions
        self.conversations = conversations
        self.contacts = contacts
        self.runtime = runtime
        self.store = store
        self.reader = reader
        self.channels = channels
        self.clock = clock
        self.later = later
        self.attachments = attachments
        self.mailer = mailer
        self.bots = Bots(flow_of or (lambda _id: None))
        self.bot_shares: dict[str, float] = {}  # instance -> bot share in force instead of its setting (a crisis)
        self.queue_stats = queue_stats or (lambda: {})
        self.position_delay_s = position_delay_s
        self.hub = Hub()
        self._lock = threading.Lock()
        self._persisting = threading.Lock()
        self._cache: dict[str, ChatSession] = {}
        self._origins: dict[str, Push] = {}  # provider id of a message being stored -> the socket that sent it
        self._writer = GroupCommit(conversations.receive_many)
        self._acks: dict[str, dict[str, Any]] = {}
        self._ending: dict[str, tuple[str, str | None]] = {}  # contact -> who ends it and why (idle timeout)
        self._last_customer: dict[str, float] = {}
        self._last_agent: dict[str, float] = {}
        self._idle_armed: set[str] = set()
        self._positions: dict[str, tuple[int, float | None]] = {}
        self._positions_due = False
        self.unsubscribe = bus.subscribe("contact", self._on_event)

    # ------------------------------------------------------------------ configuration

    def instance(self, name: str) -> WebchatInstance:
        found = self.instances.get(name)
        if found is None:
            raise NotFound(f"no web-chat instance {name!r} is configured")
        return found

    def closed_reason(self, inst: WebchatInstance) -> str | None:
        centre = self.runtime.engine.emergency.get("*")  # the whole centre closed or callback-only (crisis)
        if centre is not None and centre.mode != "overflow":
            return centre.message or "emergency"
        if inst.calendar is None:
            return None
        calendar = self.runtime.engine.catalog.calendars.get(inst.calendar)
        if calendar is None:
            return f"calendar {inst.calendar!r} is not configured"
        return None if calendar.is_open(self.clock.now()) else "outside business hours"

    def config(self, name: str) -> dict[str, Any]:
        inst = self.instance(name)
        reason = self.closed_reason(inst)
        return {"instance": name, "centre_name": inst.centre_name,
                "colours": {"primary": inst.primary_colour, "text": inst.text_colour},
                "language": inst.language, "languages": list(inst.languages),
                "topics": [{"id": t.id, "label": t.label} for t in inst.topics],
                "open": reason is None, "closed_reason": reason,
                "max_attachment_bytes": inst.max_attachment_bytes, "attachment_types": list(inst.attachment_types),
                "bot": inst.bot_flow is not None}

    # ------------------------------------------------------------------ sessions

    def start(self, name: str, customer: str, email: str | None, phone: str | None, topic: str | None,
              language: str | None) -> tuple[ChatSession, str]:
        """A new session (pre-chat answers); returns it and its token (only the hash is stored)."""
        inst = self.instance(name)
        if not (email or phone):
            raise ValidationFailed("an email address or a phone number is needed")
        if topic is not None and inst.topics and topic not in {t.id for t in inst.topics}:
            raise ValidationFailed(f"unknown topic {topic!r}")
        if language is not None and language not in inst.languages:
            raise ValidationFailed(f"language {language!r} is not offered (offered: {', '.join(inst.languages)})")
        reason = self.closed_reason(inst)
        if reason is not None:
            raise CentreClosed(f"the centre is closed ({reason}); leave a message with the offline form")
        now = self.clock.now()
        token = secrets.token_urlsafe(32)
        session = ChatSession(id="wc-" + uuid.uuid4().hex, instance=name, token_hash=hash_token(token),
                              name=customer, email=email, phone=phone, topic=topic, language=language or inst.language,
                              created_at=now, expires_at=now + NEW_SESSION_TTL_S)
        share = self.bot_shares.get(name, inst.bot_share)  # the session id's hash picks the bot's share of chats
        if inst.bot_flow is not None and int(hashlib.sha256(session.id.encode()).hexdigest()[:8], 16) < share * 2**32:
            session = session.changed(contact_id=self.contacts.new_id(), state=ChatState.BOT.value)
        self.sessions.create(session)
        self._remember(session)
        if session.contact_id is not None and inst.bot_flow is not None:
            self.hub.link(session.contact_id, session.id)
            turn = self.bots.open(session.id, inst.bot_flow, self._context(session), now)
            self._bot_turn(session, inst, turn, [])
        return session, token

    def authenticate(self, session_id: str, token: str) -> ChatSession:
        """The session of a token; Unauthenticated for a wrong or expired one."""
        session = self._cached(session_id)
        if session is None or not session.matches(token):
            raise Unauthenticated("unknown web-chat session or wrong token")
        if session.expires_at < self.clock.now():
            raise Unauthenticated("the web-chat session has expired")
        return session

    def session(self, session_id: str) -> ChatSession:
        found = self._cached(session_id)
        if found is None:
            raise NotFound(f"web-chat session {session_id} does not exist")
        return found

    def _cached(self, session_id: str) -> ChatSession | None:
        with self._lock:
            found = self._cache.get(session_id)
        if found is None:
            found = self.sessions.get(session_id)
            if found is not None:
                self._remember(found)
                if found.contact_id is not None:
                    self.hub.link(found.contact_id, found.id)
        return found

    def _remember(self, session: ChatSession) -> None:
        with self._lock:
            self._cache[session.id] = session

    def _save(self, session: ChatSession) -> ChatSession:
        self._remember(session)
        self._persist(session.id)
        return session

    def _persist(self, session_id: str) -> None:
        """Write the cached session (the latest state); one writer at a time, so an older state never
        lands after a newer one."""
        with self._persisting:
            with self._lock:
                latest = self._cache.get(session_id)
            if latest is not None:
                self.sessions.put(latest)

    def _update_later(self, session_id: str, **changes: Any) -> None:
        """Change a session from the writer thread: the cache now, the repository on the timer thread."""
        with self._lock:
            current = self._cache.get(session_id)
            if current is None:
                return
            self._cache[session_id] = current.changed(**changes)

        self.later.call_later(0.0, lambda: self._persist(session_id))

    def welcome(self, session: ChatSession, after: int) -> dict[str, Any]:
        messages: list[dict[str, Any]] = []
        seq = 0
        if session.contact_id is not None:
            stored = self.store.contact_events(session.contact_id)
            messages, seq = frames.thread(session.id, stored, self._author_name, session.read_upto,
                                          session.state == ChatState.CONNECTED.value, after)
        agent = {"name": session.agent_name} if session.agent_name and session.state == "connected" else None
        return {"type": "welcome", "session_id": session.id, "contact_id": session.contact_id,
                "state": session.state, "agent": agent, "messages": messages, "seq": max(seq, after)}

    def listen(self, session_id: str, push: Push) -> Callable[[], None]:
        """Attach a customer socket; it gets the queue position at once when the chat waits."""
        remove = self.hub.add(session_id, push)
        known = self._positions.get(session_id)
        if known is not None:
            push({"type": "queue", "position": known[0], "expected_wait_s": known[1]})
        self._positions_changed()
        return remove

    # ------------------------------------------------------------------ the customer's messages

    def send(self, session_id: str, client_id: str, body: str, attachment_ids: Sequence[str] = (),
             origin: Push | None = None) -> dict[str, Any]:
        """Store a customer's message (a re-sent ``client_id`` stores nothing) and return it (the ack)."""
        session = self.session(session_id)
        inst = self.instance(session.instance)
        command = self._command(session, client_id, body, attachment_ids)
        if session.state == ChatState.BOT.value and inst.bot_flow is not None:
            return self._bot_message(session, inst, command, origin)
        pid = self._origin(command, origin)
        try:
            received = self._writer.submit(command)
        finally:
            self._origins.pop(pid, None)
        return self._acked(session.id, received)

    def submit(self, session_id: str, client_id: str, body: str, attachment_ids: Sequence[str], origin: Push,
               done: Callable[[dict[str, Any] | BaseException], None]) -> bool:
        """``send`` without a waiting thread: ``done`` gets the ack (or the error) on the writer thread.
        False (nothing done) when the session is not cached or in the bot stage: use ``send``."""
        with self._lock:
            session = self._cache.get(session_id)
        if session is None or session.state == ChatState.BOT.value:
            return False
        command = self._command(session, client_id, body, attachment_ids)
        pid = self._origin(command, origin)

        def finished(outcome: Received | BaseException) -> None:
            self._origins.pop(pid, None)
            try:
                done(outcome if isinstance(outcome, BaseException) else self._acked(session_id, outcome))
            except Exception as exc:
                done(exc)

        self._writer.submit_async(command, finished)
        return True

    def _command(self, session: ChatSession, client_id: str, body: str,
                 attachment_ids: Sequence[str]) -> ReceiveMessage:
        if session.state == ChatState.ENDED.value:
            raise InvalidState("this chat has ended")
        if not client_id or len(client_id) > 100:
            raise ValidationFailed("client_id must have 1 to 100 characters")
        if len(body) > 10_000:
            raise ValidationFailed("a message has at most 10,000 characters")
        inst = self.instance(session.instance)
        known = session.extra.get("attachments") or {}
        atts = []
        for aid in attachment_ids:
            if aid not in known:
                raise ValidationFailed(f"attachment {aid!r} was not uploaded in this session")
            atts.append(Attachment.from_dict(known[aid]).to_dict())
        adapter = self.channels.adapter(ChannelRef(Channel.CHAT.value, session.instance))
        if adapter is None:
            raise InvalidState(f"web-chat instance {session.instance!r} has no channel adapter")
        (command,) = adapter.translate({"session_id": session.id, "client_id": client_id, "body": body,
                                        "attachments": atts, "name": session.name})
        assert isinstance(command, ReceiveMessage)
        self._last_customer[session.id] = self.clock.now()
        return ReceiveMessage(command.channel, command.address, command.body, command.provider_message_id,
                              attachments=command.attachments, customer_name=command.customer_name,
                              thread_ref=session.id, attributes=self._attributes(session), workflow_id=inst.workflow)

    def _origin(self, command: ReceiveMessage, origin: Push | None) -> str:
        pid = command.provider_message_id or ""
        if origin is not None:
            self._origins[pid] = origin
        return pid

    def _acked(self, session_id: str, received: Received) -> dict[str, Any]:
        """The ack of a stored message; the first one of a chat records the session's contact."""
        session = self.session(session_id)
        if session.contact_id != received.contact_id:
            self.hub.link(received.contact_id, session.id)
            state = session.state if session.state != ChatState.NEW.value else ChatState.QUEUED.value
            self._save(session.changed(contact_id=received.contact_id, state=state))
        ack = self._acks.pop(received.message_id, None)
        return ack if ack is not None else self._find(session_id, received.contact_id, received.message_id)

    def _attributes(self, session: ChatSession) -> dict[str, Any]:
        out: dict[str, Any] = {"webchat_session": session.id, "customer_name": session.name}
        for key in ("email", "phone", "topic", "language"):
            value = getattr(session, key)
            if value is not None:
                out[key] = value
        return out

    def _find(self, session_id: str, contact_id: str, message_id: str) -> dict[str, Any]:
        session = self.session(session_id)
        messages, _ = frames.thread(session_id, self.store.contact_events(contact_id), self._author_name,
                                    session.read_upto, session.state == ChatState.CONNECTED.value)
        for m in messages:
            if m["id"] == message_id:
                return m
        raise NotFound(f"message {message_id} is not in this chat")

    def typing(self, session_id: str, on: bool) -> None:
        session = self.session(session_id)
        if session.contact_id is not None and session.state != ChatState.ENDED.value:
            self.runtime.bus.publish("contact", {"type": "CustomerTyping", "contact_id": session.contact_id,
                                                 "on": bool(on), "at": self.clock.now()})

    def read(self, session_id: str, message_id: str) -> int:
        """The customer read the agent's messages up to ``message_id``: each unread one becomes read."""
        session = self.session(session_id)
        if session.contact_id is None:
            raise NotFound(f"message {message_id} is not in this chat")
        messages, _ = frames.thread(session.id, self.store.contact_events(session.contact_id), self._author_name,
                                    None, False)
        ids = [m["id"] for m in messages]
        if message_id not in ids:
            raise NotFound(f"message {message_id} is not in this chat")
        upto = messages[: ids.index(message_id) + 1]
        unread = [m["id"] for m in upto if m["direction"] == "outbound" and m["status"] != "read"]
        channel = ChannelRef(Channel.CHAT.value, session.instance)
        for mid in unread:
            self.conversations.update_delivery(UpdateDelivery(channel, DeliveryStatus.READ, message_id=mid))
        return len(unread)

    # ------------------------------------------------------------------ the agent's side

    def agent_typing(self, contact_id: str, agent_id: str, on: bool) -> None:
        sid = self._session_of_contact(contact_id)
        name = self._author_name("agent", agent_id)
        self.runtime.bus.publish("contact", {"type": "AgentTyping", "contact_id": contact_id, "agent_id": agent_id,
                                             "on": bool(on), "at": self.clock.now()})
        self.hub.push(sid, {"type": "typing", "on": bool(on), "name": name})

    def agent_read(self, contact_id: str, agent_id: str, message_id: str) -> list[str]:
        """The agent read the customer's messages up to ``message_id``: marks pushed to the customer."""
        sid = self._session_of_contact(contact_id)
        session = self.session(sid)
        messages, _ = frames.thread(sid, self.store.contact_events(contact_id), self._author_name, session.read_upto,
                                    True)
        ids = [m["id"] for m in messages]
        if message_id not in ids:
            raise NotFound(f"message {message_id} is not in this conversation")
        newly = [m["id"] for m in messages[: ids.index(message_id) + 1]
                 if m["direction"] == "inbound" and m["status"] != "read"]
        self._save(session.changed(read_upto=message_id))
        for mid in newly:
            self.hub.push(sid, {"type": "status", "message_id": mid, "status": "read"})
        self.runtime.bus.publish("contact", {"type": "MessagesRead", "contact_id": contact_id, "agent_id": agent_id,
                                             "message_ids": newly, "at": self.clock.now()})
        return newly

    def _session_of_contact(self, contact_id: str) -> str:
        sid = self.hub.session_of(contact_id)
        if sid is None:
            found = self.sessions.by_contact(contact_id)
            if found is None:
                raise NotFound(f"contact {contact_id} is not a web chat")
            self._remember(found)
            self.hub.link(contact_id, found.id)
            sid = found.id
        return sid

    # ------------------------------------------------------------------ the bot

    def _context(self, session: ChatSession) -> IvrContext:
        return IvrContext(caller_id=session.id, attributes=self._attributes(session),
                          calendars=self.runtime.engine.catalog.calendars)

    def _bot_message(self, session: ChatSession, inst: WebchatInstance, command: ReceiveMessage,
                     origin: Push | None) -> dict[str, Any]:
        cid = session.contact_id
        assert cid is not None and inst.bot_flow is not None
        pid = command.provider_message_id
        if pid is not None:
            seen = self.reader.message_by_provider_id("inbound", command.channel.kind, command.channel.instance, pid)
            if seen is not None:
                return self._find(session.id, seen[0], seen[1])
        message_id = message_id_for(cid, uuid.uuid4().hex[:12])

        def run(eng: Engine, now: float) -> list[Event]:
            return [ce.MessageReceived(contact_id=cid, message_id=message_id, channel=command.channel.kind,
                                       channel_instance=command.channel.instance, body=command.body,
                                       attachments=command.attachments, provider_message_id=pid,
                                       address=command.address, at=now)]

        if origin is not None and pid is not None:
            self._origins[pid] = origin
        try:
            self.runtime.execute(run)
        finally:
            self._origins.pop(pid or "", None)
        ack = self._acks.pop(message_id, None) or self._find(session.id, cid, message_id)
        turn = self.bots.message(session.id, inst.bot_flow, self._context(session), command.body, self.clock.now())
        self._bot_turn(session, inst, turn, [command.body])
        return ack

    def _bot_turn(self, session: ChatSession, inst: WebchatInstance, turn: BotTurn, said: list[str]) -> None:
        cid = session.contact_id
        assert cid is not None
        flow_id = inst.bot_flow or ""
        replies = [ce.MessageSent(contact_id=cid, message_id=message_id_for(cid, uuid.uuid4().hex[:12]),
                                  channel=Channel.CHAT.value, channel_instance=session.instance, author_kind="bot",
                                  author_id=flow_id, body=text, to=session.id, at=0.0) for text in turn.replies]
        if not turn.handed_off and not turn.resolved:
            if replies:
                self.runtime.execute(lambda eng, now: [_at(e, now) for e in replies])
            return
        if turn.resolved:
            self.runtime.execute(lambda eng, now: [*(_at(e, now) for e in replies), ce.BotSessionEnded(
                contact_id=cid, flow_id=flow_id, outcome="contained", at=now)])
            self._ended(session.id, "system", "resolved by the bot")
            return
        customer = self.contacts.resolve_customer(Channel.CHAT, session.id, session.name)
        attributes: dict[str, Any] = {**self._attributes(session), **dict(turn.attributes or {}),
                                      "ivr": dict(turn.ivr or {}), "channel_instance": session.instance,
                                      "caller_id": session.id, "thread_ref": session.id,
                                      "text": " ".join(said)}
        tier = customer.get("tier") if customer else None

        def hand_off(eng: Engine, now: float) -> list[Event]:
            events = eng.create_contact(cid, Channel.CHAT.value, now, attributes=attributes,
                                        customer_id=customer["id"] if customer else None, tier=tier,
                                        priority=turn.priority, workflow_id=inst.workflow)
            queue = next((getattr(e, "queue_id", None) for e in events if e.type == "ContactQueued"), None)
            return [*(_at(e, now) for e in replies), events[0],
                    ce.BotSessionEnded(contact_id=cid, flow_id=flow_id, outcome="handed_off", queue_id=queue, at=now),
                    *events[1:]]

        self.runtime.execute(hand_off)
        current = self.session(session.id)
        if current.state == ChatState.BOT.value:
            self._save(current.changed(state=ChatState.QUEUED.value))

    # ------------------------------------------------------------------ events -> frames (writer thread)

    def _on_event(self, _topic: str, message: Mapping[str, Any]) -> None:
        cid = message.get("contact_id")
        if not isinstance(cid, str):
            return
        kind = message.get("type")
        sid = self.hub.session_of(cid)
        if sid is None:
            if kind == "ContactCreated":
                ref = (message.get("attributes") or {}).get("webchat_session")
                if isinstance(ref, str):
                    self.hub.link(cid, ref)
                    sid = ref
            if sid is None:
                if kind in _QUEUE_EVENTS:
                    self._positions_changed()
                return
        seq = int(message.get("seq") or 0)
        if kind == "MessageReceived":
            with self._lock:
                held = self._cache.get(sid)
            connected = held is not None and held.state == ChatState.CONNECTED.value
            # the ack carries the status too: the status frame below may reach the sender before its ack
            m = frames.inbound(sid, seq, message, "delivered" if connected else "sent")
            origin = self._origins.get(str(message.get("provider_message_id")))
            if origin is not None:
                self._acks[str(message["message_id"])] = m
            self.hub.push(sid, {"type": "message", "message": m}, skip=origin)
            self._last_customer[sid] = float(message["at"])
            if connected:
                # the same publication carries it to the agent's /ws/agent stream: delivered to the desktop
                self.hub.push(sid, {"type": "status", "message_id": m["id"], "status": "delivered"})
        elif kind == "MessageSent":
            name = self._author_name(str(message["author_kind"]), message.get("author_id"))
            self.hub.push(sid, {"type": "message", "message": frames.outbound(sid, seq, message, name)})
            if message.get("author_kind") == "agent":
                self._last_agent[sid] = float(message["at"])
                self._arm_idle(sid)
        elif kind == "ContactQueued":
            self._update_later(sid, state=ChatState.QUEUED.value)
            self.hub.push(sid, {"type": "state", "state": ChatState.QUEUED.value})
        elif kind == "ContactConnected":
            name = self._author_name("agent", message.get("agent_id"))
            self._update_later(sid, state=ChatState.CONNECTED.value, agent_name=name)
            self._positions.pop(sid, None)
            self.hub.push(sid, {"type": "agent", "name": name})
            self.hub.push(sid, {"type": "state", "state": ChatState.CONNECTED.value})
        elif kind in ("ContactEnded", "ContactAbandoned", "ContactTimedOut", "ContactRejected"):
            with self._lock:
                ending = self._ending.pop(cid, None)
            if ending is not None:
                self._end_later(sid, *ending)
            else:
                by = "agent" if message.get("reason") == "agent" else (
                    "system" if kind in ("ContactTimedOut", "ContactRejected") else "customer")
                self._end_later(sid, by, None if kind == "ContactEnded" else kind)
        elif kind == "AgentTyping":
            pass  # pushed by agent_typing
        if kind in _QUEUE_EVENTS:
            self._positions_changed()

    # ------------------------------------------------------------------ queue position

    def _positions_changed(self) -> None:
        with self._lock:
            if self._positions_due:
                return
            self._positions_due = True
        self.later.call_later(self.position_delay_s, self._push_positions)

    def _push_positions(self) -> None:
        with self._lock:
            self._positions_due = False
        waiting: dict[str, str] = {}
        for sid in self.hub.live_sessions():
            with self._lock:
                s = self._cache.get(sid)
            if s is not None and s.contact_id is not None and s.state in (ChatState.QUEUED.value,
                                                                          ChatState.NEW.value):
                waiting[s.contact_id] = sid
        if not waiting:
            return
        ranks = self.runtime.query(lambda eng, _now: queue_positions(eng, waiting))
        stats = self.queue_stats()
        for cid, (position, queue_id, staffed) in ranks.items():
            sid = waiting[cid]
            kpis = stats.get(queue_id) or {}
            aht = kpis.get("aht_s")
            wait: float | None = None
            if isinstance(aht, int | float) and staffed > 0:
                wait = round(float(aht) * position / staffed, 1)
            elif isinstance(kpis.get("asa_s"), int | float):
                wait = round(float(kpis["asa_s"]), 1)
            if self._positions.get(sid) != (position, wait):
                self._positions[sid] = (position, wait)
                self.hub.push(sid, {"type": "queue", "position": position, "expected_wait_s": wait})

    # ------------------------------------------------------------------ helpers

    def _author_name(self, kind: str, author_id: str | None) -> str | None:
        if kind == "agent" and author_id and not is_supervisor(author_id):
            agent = self.runtime.engine.catalog.agents.get(author_id)
            return (agent.name or agent.id) if agent is not None else author_id
        if kind == "bot":
            return "Bot"
        return None


def _at(event: ce.MessageSent, now: float) -> ce.MessageSent:
    from dataclasses import replace

    return replace(event, at=now)
