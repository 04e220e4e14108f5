"""The survey link mailed when an email conversation is resolved (a queue's ``surveys.email``): through the SMTP
relay (a real aiosmtpd server) in the conversation's thread, with the configured public base URL."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from blendcc.testing.fake_channel import ManualTimers
from conftest import close_container

from .conftest import SUPPORT, CaptureServer, EmailCentre, configure, email_settings, mail


@pytest.fixture
def centre(db_url: str, clock: Any, tmp_path: Path, relay: CaptureServer,
           fast_passwords: None) -> Iterator[EmailCentre]:
    from blendcc.bootstrap import build_container

    settings = email_settings(db_url, tmp_path, relay.port, survey_public_url="https://help.centre.test/")
    container = build_container(settings, clock=clock, run_migrations=False)
    timers = ManualTimers(clock)
    container.conversations.later = timers
    configure(container)
    container.config.put("queues", "mail", {"name": "Mail", "wrap_up_s": None, "offer_timeout_s": 600,
                                            "surveys": {"email": {"survey": "ces"}}}, None)
    container.email.start()
    try:
        yield EmailCentre(container, relay, timers)
    finally:
        container.email.stop()
        close_container(container)


def test_resolving_an_email_conversation_mails_the_survey_link_in_its_thread(centre: EmailCentre) -> None:
    c = centre
    c.run(lambda eng, now: eng.login("a1", now))
    c.send(mail(to=SUPPORT))
    contact_id = str(c.received()[-1].contact_id)
    c.run(lambda eng, now: eng.accept(contact_id, "a1", now))
    c.timers.run_due()  # the acknowledgement
    before = len(c.relay.received)
    c.container.conversation_states.set_state(contact_id, "resolved", agent_id="a1", by="a1")
    c.timers.run_due()
    [survey] = c.relay.received[before:]
    m = survey.message
    assert survey.rcpt_tos == ["jane@example.org"]
    assert m["Subject"] == f"Re: My order is late [#{contact_id}]"
    text = m.get_body(("plain",)).get_content()
    link = re.search(r"https://help\.centre\.test/survey/(\S+)", text)
    assert link is not None and text.startswith("Thank you for contacting us. How did we do?"), text
    invited = [e for e in c.events() if e.type == "SurveyInvited"]
    assert [(e.contact_id, e.survey, e.via, e.channel, e.queue_id, e.agent_id) for e in invited] == [
        (contact_id, "ces", "email", "email", "mail", "a1")]
    assert c.container.surveys.opened(link.group(1)) == (contact_id, "ces", False)
    # resolved again after the customer's answer reopens it elsewhere: one invitation per contact and survey
    assert c.container.auto_surveys.send(contact_id) is False
