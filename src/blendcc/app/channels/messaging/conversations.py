"""Conversation use cases of every messaging channel: receive a customer's message, write in a thread,
deliver outbound messages through the channel's adapter with retries, and apply delivery reports.

Receiving is idempotent by provider message id on its channel instance and joins the customer's open
conversation on that channel instance, or creates a new contact that the engine routes. Every message is
an event in the log (stored before the call returns); the thread is folded from the contact's events.
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any

from blendcc.app.acd.contacts import ContactService
from blendcc.app.acd.runtime import Runtime
from blendcc.app.channels.messaging.email_modes import recipients
from blendcc.app.channels.messaging.reopen import REOPENS_ATTRIBUTE, previous_conversation
from blendcc.domain import conversation_events as ce
from blendcc.domain.channels import Channel
from blendcc.domain.conversation import (
    Attachment,
    AuthorKind,
    ChannelRef,
    ChannelUnsupported,
    DeliveryFailed,
    DeliveryStatus,
    MessageDirection,
    OutboundMessage,
    Received,
    ReceiveMessage,
    RetryPolicy,
    SendMessage,
    Thread,
    UpdateDelivery,
    advances,
    check_body,
    contact_of_message,
    fold_thread,
    message_id_for,
)
from blendcc.domain.errors import InvalidState, NotFound, ValidationFailed
from blendcc.domain.events import Event
from blendcc.ports import CallLater, ChannelDirectory, EventStore, ReportReader
from blendcc.routing.engine import Engine

log = logging.getLogger(__name__)

#: attribute of a contact that names the channel instance it came in on (a mailbox, a number...)
INSTANCE_ATTRIBUTE = "channel_instance"


class ConversationService:
    """Implements ``ports.ConversationInbox`` for channel adapters, and the agent's side of a thread."""

    def __init__(self, runtime: Runtime, contacts: ContactService, store: EventStore, reader: ReportReader,
                 channels: ChannelDirectory, later: CallLater, policy: RetryPolicy | None = None,
                 new_id: Callable[[], str] | None = None):
        self.runtime = runtime
        self.contacts = contacts
        self.store = store
        self.reader = reader
        self.channels = channels
        self.later = later
        self.policy = policy or RetryPolicy()
        self.new_id = new_id or (lambda: uuid.uuid4().hex[:12])
        #: told of every provider delivery attempt (channel, went through, reason): channel health for crises
        self.on_delivery: Callable[[ChannelRef, bool, str], None] | None = None
        #: (channel, thread_ref) -> the contact of that thread (checked against the live contacts on use)
        self._threads: dict[tuple[ChannelRef, str], str] = {}
        #: provider ids of live thread contacts -> message id (for ids namespaced by their thread)
        self._pids: dict[str, dict[str, str]] = {}

    # ------------------------------------------------------------------ reading

    def thread(self, contact_id: str) -> Thread:
        if self.reader.interaction(contact_id) is None:
            raise NotFound(f"contact {contact_id} does not exist")
        return fold_thread(contact_id, (s.event for s in self.store.contact_events(contact_id)))

    def conversation(self, contact_id: str, limit: int = 20) -> list[Thread]:
        """The threads of a conversation, oldest first: ``contact_id``'s thread preceded by those of the
        resolved contacts it reopened (``ConversationReopened``), at most ``limit`` contacts back."""
        chain: list[Thread] = []
        current: str | None = contact_id
        while current is not None and len(chain) < limit and all(t.contact_id != current for t in chain):
            if self.reader.interaction(current) is None:
                if not chain:
                    raise NotFound(f"contact {contact_id} does not exist")
                break
            events = [s.event for s in self.store.contact_events(current)]
            chain.append(fold_thread(current, events))
            current = next((e.previous_contact_id for e in events
                            if isinstance(e, ce.ConversationReopened) and e.contact_id == current), None)
        return chain[::-1]

    # ------------------------------------------------------------------ inbound

    def receive(self, command: ReceiveMessage) -> Received:
        """Store a customer's message in its conversation (creating and routing a new contact when the
        customer has no open one on this channel instance); a repeated provider id stores nothing."""
        outcome = self.receive_many([command])[0]
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    def receive_many(self, commands: Sequence[ReceiveMessage]) -> list[Received | Exception]:
        """``receive`` for several messages in one command of the writer (one transaction: a group commit
        for busy real-time channels); a message refused on its own gets its exception in its place."""
        results: list[Received | Exception | None] = [None] * len(commands)
        ready: list[tuple[int, ReceiveMessage, Channel, list[dict[str, Any] | None]]] = []
        for i, command in enumerate(commands):
            try:
                ready.append((i, command, *self._prepare(command)))
            except Exception as exc:
                results[i] = exc
        if len(ready) > 1:
            try:
                for (i, _, _, _), received in zip(ready, self._store(ready), strict=True):
                    results[i] = received
                ready = []
            except Exception:
                log.info("a batch of %d messages was refused; storing them one by one", len(ready))
        for item in ready:  # one at a time: alone, or after the batch was refused
            try:
                results[item[0]] = self._store([item])[0]
            except Exception as exc:
                results[item[0]] = exc
        out = [r for r in results if r is not None]
        assert len(out) == len(commands)
        return out

    def _prepare(self, command: ReceiveMessage) -> tuple[Channel, list[dict[str, Any] | None]]:
        """Check a message; look its customer up unless its thread's contact is known (the hot path)."""
        check_body(command.body, command.html, command.attachments)
        kind = _channel(command.channel)
        if kind is Channel.VOICE:
            raise ChannelUnsupported("voice calls arrive through the SIP gateway, not as messages")
        if not command.address.strip():
            raise ValidationFailed("an inbound message needs the customer's address on the channel")
        found: list[dict[str, Any] | None] = []
        if command.thread_ref is None or (command.channel, command.thread_ref) not in self._threads:
            found.append(self.contacts.resolve_customer(kind, command.address, command.customer_name))
        return kind, found

    def _store(self, items: Sequence[tuple[int, ReceiveMessage, Channel, list[dict[str, Any] | None]]]
               ) -> list[Received]:
        outcome: list[Received] = []

        def run(eng: Engine, now: float) -> list[Event]:
            outcome.clear()
            batch: dict[tuple[ChannelRef, str], tuple[str, str]] = {}  # provider ids stored by this batch
            events: list[Event] = []
            for _, command, kind, found in items:
                events += self._plan(eng, now, command, kind, found, batch, outcome)
            return events

        self.runtime.execute(run)
        for (_, command, _, _), done in zip(items, outcome, strict=True):
            pids = self._pids.get(done.contact_id)
            if pids is not None and command.provider_message_id is not None and not done.duplicate:
                pids[command.provider_message_id] = done.message_id  # stored: a re-sent id is now a duplicate
        return outcome

    def _plan(self, eng: Engine, now: float, command: ReceiveMessage, kind: Channel,
              found: list[dict[str, Any] | None], batch: dict[tuple[ChannelRef, str], tuple[str, str]],
              outcome: list[Received]) -> list[Event]:
        """The events that store one message (under the writer lock)."""
        pid = command.provider_message_id
        key = (command.channel, command.thread_ref) if command.thread_ref is not None else None
        live = self._live_thread(eng, key)
        if pid is not None:
            seen = batch.get((command.channel, pid))
            if seen is None and live is not None and pid.startswith(f"{command.thread_ref}:"):
                seen = self._thread_duplicate(live, pid)  # an id namespaced by its thread: in its contact
            elif seen is None:
                seen = self._duplicate(command.channel, pid)
            if seen is not None:
                outcome.append(Received(seen[0], seen[1], created_contact=False, duplicate=True))
                return []
        customer: dict[str, Any] | None = None
        if live is not None:
            open_id: str | None = live
        else:
            if not found:  # the thread's contact closed meanwhile (rare): look the customer up now
                found.append(self.contacts.resolve_customer(kind, command.address, command.customer_name))
            customer = found[0]
            open_id = self._open_conversation(eng, customer["id"] if customer else None, command.channel,
                                              command.thread_ref)
        customer_id = customer["id"] if customer else None
        contact_id = open_id or self.contacts.new_id()
        message = ce.MessageReceived(
            contact_id=contact_id, message_id=message_id_for(contact_id, self.new_id()),
            channel=command.channel.kind, channel_instance=command.channel.instance, body=command.body,
            html=command.html, attachments=command.attachments, provider_message_id=pid,
            address=command.address, at=now, cc=tuple(command.cc))
        outcome.append(Received(contact_id, message.message_id, created_contact=open_id is None))
        if pid is not None:
            batch[(command.channel, pid)] = (contact_id, message.message_id)
        if open_id is not None:  # a pending or snoozed conversation is open again, owner first
            eng.apply(message)  # (a chat's idle timer stops)
            return [message, *eng.customer_wrote(open_id, now)]
        if key is not None:
            self._threads[key] = contact_id
        attributes: dict[str, Any] = {**command.attributes, INSTANCE_ATTRIBUTE: command.channel.instance,
                                      "caller_id": command.address, "text": command.body}
        if command.subject is not None:
            attributes["subject"] = command.subject
        if command.thread_ref is not None:
            attributes["thread_ref"] = command.thread_ref
        tier = customer.get("tier") if customer else None
        if tier:
            attributes.setdefault("tier", tier)
        # a channel may name the agent a reply belongs to (an email answering a closed conversation)
        last_agent = attributes.get("preferred_agent_id") or (customer.get("last_agent_id") if customer else None)
        workflow = attributes.get("workflow_id")  # a channel instance's own workflow (an email mailbox)
        named = command.attributes.get(REOPENS_ATTRIBUTE)
        named = named if isinstance(named, str) else None
        previous = None
        if named is not None or command.thread_ref is None:  # a new email thread is a new conversation
            previous = previous_conversation(
                self.reader, customer_id=customer_id, channel=command.channel, named=named, now=now,
                days=eng.catalog.settings.reopen_days, instance_attribute=INSTANCE_ATTRIBUTE)
        if previous is not None and previous.contact_id not in eng.contacts:
            attributes[REOPENS_ATTRIBUTE] = previous.contact_id
            events = eng.reopen_contact(
                contact_id, kind.value, now, previous_contact_id=previous.contact_id,
                resolved_at=previous.resolved_at, owner=previous.owner, attributes=attributes,
                customer_id=customer_id, tier=tier, workflow_id=_workflow(eng, command)
                or (workflow if isinstance(workflow, str) else None))
            eng.apply(message)
            return [events[0], message, *events[1:]]
        attributes.pop(REOPENS_ATTRIBUTE, None)  # too old (or never resolved): a new conversation
        events = eng.create_contact(contact_id, kind.value, now, attributes=attributes,
                                    customer_id=customer_id, tier=tier, last_agent_id=last_agent,
                                    workflow_id=_workflow(eng, command)
                                    or (workflow if isinstance(workflow, str) else None))
        eng.apply(message)
        return [events[0], message, *events[1:]]  # the message right after ContactCreated

    def _live_thread(self, eng: Engine, key: tuple[ChannelRef, str] | None) -> str | None:
        """The live contact of a thread known by key (no scan), else None."""
        if key is None:
            return None
        known = self._threads.get(key)
        if known is None:
            return None
        c = eng.contacts.get(known)
        if c is not None and c.channel.value == key[0].kind \
                and c.attributes.get(INSTANCE_ATTRIBUTE, "default") == key[0].instance:
            return known
        self._pids.pop(known, None)
        return None

    def _thread_duplicate(self, contact_id: str, provider_id: str) -> tuple[str, str] | None:
        """A provider id already in a live contact (its ids are read from its events once, then kept)."""
        pids = self._pids.get(contact_id)
        if pids is None:
            pids = self._pids[contact_id] = {
                s.event.provider_message_id: s.event.message_id for s in self.store.contact_events(contact_id)
                if isinstance(s.event, ce.MessageReceived) and s.event.provider_message_id is not None}
        message_id = pids.get(provider_id)
        return None if message_id is None else (contact_id, message_id)

    def _duplicate(self, channel: ChannelRef, provider_id: str) -> tuple[str, str] | None:
        """(contact, message) already holding ``provider_id`` on ``channel`` (the messages projection)."""
        return self.reader.message_by_provider_id("inbound", channel.kind, channel.instance, provider_id)

    def _open_conversation(self, eng: Engine, customer_id: str | None, channel: ChannelRef,
                           thread_ref: str | None) -> str | None:
        """The customer's newest contact on ``channel`` that is not closed yet; with a ``thread_ref``
        (an email thread, a chat session) only the contact of that thread. A thread's contact is looked
        up by key first (a chat message must not scan every live contact); the scan finds it after a
        restart, and then it is remembered."""
        if customer_id is None:
            return None
        if thread_ref is not None:
            key = (channel, thread_ref)
            known = self._threads.get(key)
            c = eng.contacts.get(known) if known is not None else None
            if c is not None and c.customer_id == customer_id and c.channel.value == channel.kind:
                return c.id
            found = self._scan(eng, customer_id, channel, thread_ref)
            if found is not None:
                self._threads[key] = found
            else:
                self._threads.pop(key, None)
            return found
        return self._scan(eng, customer_id, channel, None)

    @staticmethod
    def _scan(eng: Engine, customer_id: str, channel: ChannelRef, thread_ref: str | None) -> str | None:
        best: tuple[float, str] | None = None
        for c in eng.contacts.values():
            if (c.customer_id == customer_id and c.channel.value == channel.kind
                    and c.attributes.get(INSTANCE_ATTRIBUTE, "default") == channel.instance
                    and (thread_ref is None or c.attributes.get("thread_ref") == thread_ref)
                    and (best is None or c.created_at >= best[0])):
                best = (c.created_at, c.id)
        return best[1] if best else None

    # ------------------------------------------------------------------ writing in a thread

    def write(self, command: SendMessage) -> dict[str, Any]:
        """An agent's reply (stored as queued, then delivered by the channel) or an internal note."""
        if command.template is not None and not command.body.strip():
            command = replace(command, body=command.template.summary())
        check_body(command.body, command.html, command.attachments)
        row = self.reader.interaction(command.contact_id)
        if row is None:
            raise NotFound(f"contact {command.contact_id} does not exist")
        if command.direction is MessageDirection.INBOUND:
            raise ValidationFailed("agents write outbound messages or notes; inbound messages come from channels")
        if command.author.kind is AuthorKind.CUSTOMER:
            raise ValidationFailed("the customer's messages come from the channel")
        channel = ChannelRef(str(row["channel"]), str((row.get("attributes") or {}).get(INSTANCE_ATTRIBUTE,
                                                                                            "default")))
        thread = self.thread(command.contact_id)
        to = _customer_address(thread, row)
        if command.direction is MessageDirection.OUTBOUND:  # email modes: reply-all, forward, copies
            to, command = recipients(command, thread, to, channel.kind)
            check_body(command.body, command.html, command.attachments)
        if command.direction is MessageDirection.OUTBOUND:
            self._may_send(channel, thread, row, command.body, command.html, command.attachments,
                           command.template is not None)
        message_id = message_id_for(command.contact_id, self.new_id())
        mode = command.mode if channel.kind == "email" else None

        def run(eng: Engine, now: float) -> list[Event]:
            if command.contact_id not in eng.contacts:
                raise InvalidState(f"contact {command.contact_id} is closed; start a new conversation")
            author = command.author
            if command.direction is MessageDirection.NOTE:
                return [ce.NoteAdded(contact_id=command.contact_id, message_id=message_id,
                                     author_kind=author.kind.value, author_id=author.id, body=command.body,
                                     attachments=command.attachments, at=now)]
            sent = ce.MessageSent(contact_id=command.contact_id, message_id=message_id, channel=channel.kind,
                                  channel_instance=channel.instance, author_kind=author.kind.value,
                                  author_id=author.id, body=command.body, html=command.html,
                                  attachments=command.attachments, to=to, at=now,
                                  template=None if command.template is None else json.dumps(
                                      command.template.to_dict()), cc=command.cc, mode=mode)
            eng.apply(sent)  # a chat's idle timer starts (as when the log is replayed)
            return [sent]

        events = self.runtime.execute(run)
        if command.direction is MessageDirection.OUTBOUND:
            outbound = OutboundMessage(command.contact_id, message_id, channel, to, command.body, command.html,
                                       command.attachments, (row.get("attributes") or {}).get("thread_ref"),
                                       template=command.template, cc=command.cc, mode=mode)
            self.later.call_later(0.0, lambda: self._attempt(outbound, 1))
        stored = fold_thread(command.contact_id, events).find(message_id)
        assert stored is not None
        return stored.to_dict()

    def _may_send(self, channel: ChannelRef, thread: Thread, row: dict[str, Any], body: str, html: str | None,
                  attachments: tuple[Attachment, ...], template: bool) -> None:
        """ChannelUnsupported when the channel cannot carry this message to the customer now (no adapter, its
        rules such as a messaging window, an SMS opt-out)."""
        adapter = self.channels.adapter(channel)
        if adapter is None:
            raise ChannelUnsupported(f"no channel adapter is registered for {channel}; it cannot send messages")
        why = adapter.capabilities.refusal(body, html, attachments, thread.last_inbound_at, self.runtime.clock.now(),
                                           template=template)
        address = _customer_address(thread, row)
        check = getattr(adapter, "recipient_refusal", None)  # ports.RecipientCheck (SMS opt-outs)
        if why is None and check is not None and address:
            why = check(address)
        if why is not None:
            raise ChannelUnsupported(why)

    def notify(self, contact_id: str, body: str, author_id: str) -> dict[str, Any]:
        """A system message to the conversation's customer, also once it is resolved (a survey link): stored
        as sent by ``system``/``author_id`` in the thread and delivered as an agent's reply is."""
        check_body(body, None, ())
        row = self.reader.interaction(contact_id)
        if row is None:
            raise NotFound(f"contact {contact_id} does not exist")
        attributes = row.get("attributes") or {}
        channel = ChannelRef(str(row["channel"]), str(attributes.get(INSTANCE_ATTRIBUTE, "default")))
        thread = self.thread(contact_id)
        to = _customer_address(thread, row)
        self._may_send(channel, thread, row, body, None, (), False)
        message_id = message_id_for(contact_id, self.new_id())
        events = self.runtime.execute(lambda eng, now: [ce.MessageSent(
            contact_id=contact_id, message_id=message_id, channel=channel.kind, channel_instance=channel.instance,
            author_kind=AuthorKind.SYSTEM.value, author_id=author_id, body=body, to=to, at=now)])
        outbound = OutboundMessage(contact_id, message_id, channel, to, body, None, (), attributes.get("thread_ref"))
        self.later.call_later(0.0, lambda: self._attempt(outbound, 1))
        stored = fold_thread(contact_id, events).find(message_id)
        assert stored is not None
        return stored.to_dict()

    # ------------------------------------------------------------------ delivery

    def _attempt(self, message: OutboundMessage, attempt: int) -> None:
        """One delivery attempt; a retryable failure is tried again after the policy's back-off, the last
        one (or a final refusal) is stored as failed with its reason."""
        adapter = self.channels.adapter(message.channel)
        try:
            if adapter is None:
                raise DeliveryFailed(f"no channel adapter is registered for {message.channel}", retryable=False)
            provider_id = adapter.deliver(replace(message, attempt=attempt))
        except ChannelUnsupported as exc:
            self._report(message, DeliveryStatus.FAILED, attempt, None, exc.message)
            return
        except DeliveryFailed as exc:
            self._tell(message.channel, False, exc.reason)
            delay = self.policy.delay_after(attempt) if exc.retryable else None
            if delay is not None and exc.retry_after_s is not None:
                delay = max(delay, exc.retry_after_s)  # the provider's rate limit says when to come back
            if delay is None:
                self._report(message, DeliveryStatus.FAILED, attempt, None, exc.reason)
            else:
                log.info("delivery of %s failed (attempt %d: %s); retrying in %g s", message.message_id, attempt,
                         exc.reason, delay)
                self.later.call_later(delay, lambda: self._attempt(message, attempt + 1))
            return
        except Exception as exc:  # a broken adapter: the message must not stay queued forever
            log.exception("channel %s failed delivering %s", message.channel, message.message_id)
            self._report(message, DeliveryStatus.FAILED, attempt, None, f"channel error: {exc}")
            return
        self._tell(message.channel, True, "")
        self._report(message, DeliveryStatus.SENT, attempt, provider_id, None)

    def _tell(self, channel: ChannelRef, ok: bool, reason: str) -> None:
        if self.on_delivery is not None:
            try:
                self.on_delivery(channel, ok, reason)
            except Exception:  # health reporting must never change a delivery's outcome
                log.exception("reporting the health of %s failed", channel)

    def _report(self, message: OutboundMessage, status: DeliveryStatus, attempt: int, provider_id: str | None,
                reason: str | None) -> None:
        def run(eng: Engine, now: float) -> list[Event]:
            return [ce.MessageDeliveryUpdated(contact_id=message.contact_id, message_id=message.message_id,
                                              status=status.value, attempt=attempt,
                                              provider_message_id=provider_id, reason=reason, at=now)]

        self.runtime.execute(run)

    def update_delivery(self, command: UpdateDelivery) -> bool:
        """A provider's receipt: found by our message id (when echoed) or by the provider's id; applied when
        it moves the message on (late and repeated receipts change nothing)."""
        target: tuple[str, str] | None = None
        if command.message_id is not None:
            contact_id = contact_of_message(command.message_id)
            if contact_id is not None:
                target = (contact_id, command.message_id)
        if target is None and command.provider_message_id is not None:
            target = self.reader.message_by_provider_id("outbound", command.channel.kind, command.channel.instance,
                                                        command.provider_message_id)
        if target is None:
            log.info("delivery report for an unknown message on %s: %s", command.channel, command)
            return False
        contact_id, message_id = target
        applied: list[bool] = []

        def run(eng: Engine, now: float) -> list[Event]:
            found = fold_thread(contact_id, (s.event for s in self.store.contact_events(contact_id))).find(message_id)
            if found is None or found.direction is not MessageDirection.OUTBOUND:
                return []
            applied.append(True)
            if not advances(found.status, command.status):
                return []
            return [ce.MessageDeliveryUpdated(contact_id=contact_id, message_id=message_id,
                                              status=command.status.value, attempt=found.attempts,
                                              provider_message_id=command.provider_message_id or
                                              found.provider_message_id, reason=command.reason, at=now)]

        self.runtime.execute(run)
        return bool(applied)


def _workflow(eng: Engine, command: ReceiveMessage) -> str | None:
    """The workflow a channel instance asks for; a missing one (deleted since) falls back to the channel's
    workflow, so the customer's message is still stored and routed."""
    wanted = command.workflow_id
    if wanted is not None and wanted not in eng.catalog.workflows:
        log.warning("channel %s names workflow %r, which does not exist; routing by channel", command.channel, wanted)
        return None
    return wanted


def _channel(ref: ChannelRef) -> Channel:
    try:
        return Channel(ref.kind)
    except ValueError:
        raise ValidationFailed(f"unknown channel kind {ref.kind!r}") from None


def _customer_address(thread: Thread, row: dict[str, Any]) -> str | None:
    """Where replies go: the address of the customer's latest message, else the contact's caller id."""
    for m in reversed(thread.messages):
        if m.direction is MessageDirection.INBOUND and m.address:
            return m.address
    caller = (row.get("attributes") or {}).get("caller_id")
    return str(caller) if caller else None
