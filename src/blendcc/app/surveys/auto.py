"""The survey link sent automatically when an email or SMS conversation is resolved (a queue's ``surveys``).

A commit subscriber: it sees ``ConversationStateChanged`` to ``resolved`` in the batch the writer stored and,
off the writer's thread (``CallLater``), sends the queue's survey link through the conversation's own channel
(``ConversationService.notify``: the message is in the thread and delivered like an agent's reply), then
stores ``SurveyInvited`` (via ``email`` or ``sms``). Nothing is sent when the queue offers no survey on that
channel, when the contact was already invited to that survey, or when the channel refuses (an SMS opt-out):
then there is no invitation either.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence

from blendcc.app.channels.messaging.conversations import ConversationService
from blendcc.app.surveys.service import SurveyService
from blendcc.app.surveys.texts import survey_texts
from blendcc.domain.channels import Channel
from blendcc.domain.conversation_events import ConversationStateChanged
from blendcc.domain.errors import DomainError
from blendcc.domain.queue import SurveyOffer
from blendcc.ports import ReportReader, StoredEvent

log = logging.getLogger(__name__)
AUTHOR = "survey"
#: the channels a link goes out on (the message: the offer's text, else texts.json's in the offer's language)
CHANNELS = (Channel.EMAIL, Channel.SMS)


class AutoSurveys:
    """``offer_for(queue_id, channel)``: the survey the queue offers on that channel, or None."""

    def __init__(self, surveys: SurveyService, conversations: ConversationService, reader: ReportReader,
                 offer_for: Callable[[str | None, Channel], SurveyOffer | None], base_url: str) -> None:
        self.surveys = surveys
        self.conversations = conversations
        self.reader = reader
        self.offer_for = offer_for
        self.base_url = base_url.rstrip("/")
        self.stats = {"sent": 0, "refused": 0}

    def committed(self, batch: Sequence[StoredEvent]) -> None:
        for s in batch:
            e = s.event
            if isinstance(e, ConversationStateChanged) and e.state == "resolved":
                self._later(e.contact_id)

    def _later(self, contact_id: str) -> None:
        def run() -> None:
            try:
                self.send(contact_id)
            except Exception:  # a timer thread: log, never raise
                log.exception("survey link for %s failed", contact_id)

        self.conversations.later.call_later(0.0, run)

    def send(self, contact_id: str) -> bool:
        """Send the contact's survey link if its queue offers one on its channel; True when it was sent."""
        row = self.reader.interaction(contact_id)
        if row is None:
            return False
        try:
            channel = Channel(str(row.get("channel")))
        except ValueError:
            return False
        if channel not in CHANNELS:
            return False
        offer = self.offer_for(row.get("queue_id"), channel)
        if offer is None or self.surveys.was_offered(contact_id, offer.survey):
            return False
        url = f"{self.base_url}/survey/{self.surveys.token(contact_id, offer.survey)}"
        body = (offer.text or survey_texts(offer.language)[channel.value]).replace("{url}", url)
        try:
            self.conversations.notify(contact_id, body, AUTHOR)
        except DomainError as exc:  # the channel refuses (no adapter, an SMS opt-out...): no invitation
            self.stats["refused"] += 1
            log.info("survey link for %s not sent: %s", contact_id, exc)
            return False
        self.surveys.offered(contact_id, offer.survey, channel.value)
        self.stats["sent"] += 1
        return True
