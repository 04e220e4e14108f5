"""Wires the automatic survey links: a commit subscriber of the runtime (app/surveys/auto.py)."""

from __future__ import annotations

from blendcc.app.container import Container
from blendcc.app.surveys.auto import AutoSurveys
from blendcc.config import Settings
from blendcc.domain.channels import Channel
from blendcc.domain.queue import SurveyOffer


def wire_surveys(container: Container, settings: Settings) -> AutoSurveys | None:
    """Send a queue's survey link when an email or SMS conversation is resolved (``surveys.email``/``sms``)."""
    if container.surveys is None or container.conversations is None:
        return None
    catalog = container.config

    def offer_for(queue_id: str | None, channel: Channel) -> SurveyOffer | None:
        queue = catalog.catalog.queues.get(queue_id) if queue_id is not None else None
        return queue.surveys.get(channel) if queue is not None else None

    base = settings.survey_public_url or f"http://{settings.host}:{settings.port}"
    auto = AutoSurveys(container.surveys, container.conversations, container.store, offer_for, base)
    container.runtime.subscribers.append(auto)
    return auto
