"""How ``LiveState`` folds a digital conversation's state and ownership (pending/snoozed park the contact)."""

from __future__ import annotations

from collections.abc import Callable

from blendcc.domain.channels import Channel
from blendcc.domain.conversation_events import (
    ConversationReopened,
    ConversationStateChanged,
    MessageReceived,
    MessageSent,
)
from blendcc.domain.lifecycle.contact import CONTACT
from blendcc.domain.lifecycle.contact import ContactState as S
from blendcc.domain.lifecycle.conversation import PARKED, ConversationState
from blendcc.mypyc_hints import mypyc_attr
from blendcc.routing.catalog import Catalog  # imported, not only for type checking: compiled, the class's
from blendcc.routing.records import ContactRecord  # annotations are evaluated (ADR 0061)

#: contact state -> PARKED, for the conversation set pending or snoozed
_PARK: dict[S, S] = CONTACT.by_trigger("ConversationStateChanged")
_PARKED_VALUES = frozenset(s.value for s in PARKED)
_SNOOZED = ConversationState.SNOOZED.value
#: the timer kind of a snoozed conversation's wake-up (``Engine.tick``)
SNOOZE_TIMER = "snooze"
#: the timer kind of a chat whose customer stopped answering (``RoutingSettings.chat_idle_timeout_s``)
IDLE_TIMER = "idle"


@mypyc_attr(native_class=False)  # a mixin hierarchy: compiled methods, Python class (ADR 0061)
class ConversationFold:
    """The two conversation events with an effect on routing state; mixed into ``LiveState``."""

    # provided by the class this is mixed into (``Engine``/``LiveState``); annotations only: a
    # class-level ``if TYPE_CHECKING`` cannot be compiled (mypyc, ADR 0061)
    contacts: dict[str, ContactRecord]
    catalog: Catalog
    schedule: Callable[[float, str, str, str | None, int], None]

    def _conversation_state(self, e: ConversationStateChanged) -> None:
        c = self.contacts.get(e.contact_id)
        if c is None:
            return
        c.conversation = e.state
        if e.agent_id is not None:
            c.owner = e.agent_id
        c.snooze_token += 1  # any change cancels a pending wake-up
        c.snooze_until = None
        if e.state in _PARKED_VALUES:
            nxt = _PARK.get(c.state)
            if nxt is not None:
                c.state = nxt
            if e.state == _SNOOZED and e.until is not None:
                c.snooze_until = e.until
                self.schedule(e.until, SNOOZE_TIMER, c.id, None, c.snooze_token)

    def _conversation_reopened(self, e: ConversationReopened) -> None:
        c = self.contacts.get(e.contact_id)
        if c is not None and e.agent_id is not None:
            c.owner = e.agent_id

    def _message_sent(self, e: MessageSent) -> None:
        """An agent wrote in a chat: if the customer does not answer within the idle time, it times out."""
        idle = self.catalog.settings.chat_idle_timeout_s
        c = self.contacts.get(e.contact_id)
        if c is None or idle is None or c.channel is not Channel.CHAT or e.author_kind != "agent":
            return
        c.idle_token += 1
        self.schedule(e.at + idle, IDLE_TIMER, c.id, None, c.idle_token)

    def _message_received(self, e: MessageReceived) -> None:
        c = self.contacts.get(e.contact_id)
        if c is not None:
            c.idle_token += 1  # the customer answered: a pending idle timeout no longer applies
