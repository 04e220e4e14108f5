"""The post-call survey: when the agent ends a call whose queue offers one, the caller stays on and answers by DTMF.

Plugs into ``VoiceService.after_call`` and runs the survey as an IVR flow (``ivr/survey.py``) through the
``IvrDriver``: the question, one more try after a wrong key or silence, then thanks or goodbye, and the call
ends. The survey's start is stored as ``SurveyInvited`` (via ``ivr``), the key as ``SurveyAnswered`` with the
contact's agent, queue and channel (``SurveyService.record``: a low score raises the same alert as a link's).
A caller who hangs up before a valid key leaves the invitation unanswered. Runs on the gateway's loop; the
stores are written off it (``gateway.submit``, one worker in order, so the invitation is stored first).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from blendcc.analytics.surveys import SCALES
from blendcc.app.channels.voice.ivr import IvrDriver
from blendcc.app.channels.voice.model import VoiceCall
from blendcc.app.channels.voice.service import VoiceService
from blendcc.app.surveys.service import SurveyService
from blendcc.app.surveys.texts import survey_texts
from blendcc.domain.queue import SurveyOffer
from blendcc.ivr.flow import IvrFlow, PromptRef
from blendcc.ivr.session import IvrSession
from blendcc.ivr.survey import SCORE, survey_flow

log = logging.getLogger(__name__)
VIA = "ivr"


class VoiceSurveys:
    """``offer_for(queue_id)``: the voice survey the queue offers (None: the call simply ends)."""

    def __init__(self, voice: VoiceService, ivr: IvrDriver, offer_for: Callable[[str | None], SurveyOffer | None],
                 surveys: SurveyService) -> None:
        self.voice = voice
        self.gateway = voice.gateway
        self.ivr = ivr
        self.offer_for = offer_for
        self.surveys = surveys
        self._flows: dict[SurveyOffer, IvrFlow] = {}
        self.stats = {"offered": 0, "answered": 0, "unanswered": 0}
        voice.after_call = self.start

    def start(self, vc: VoiceCall) -> bool:
        """The agent ended ``vc``: take the caller to its queue's survey; False when the queue offers none."""
        offer = self.offer_for(vc.queue_id)
        if offer is None:
            return False
        flow = self.flow(offer)
        self.voice.begin_survey(vc)
        self.stats["offered"] += 1
        cid = vc.contact_id
        self.gateway.submit(lambda: self.surveys.offered(cid, offer.survey, VIA), _logged(cid, "invitation"))
        self.ivr.run(vc, flow, lambda session, hung_up: self._ended(cid, offer.survey, session))
        return True

    def flow(self, offer: SurveyOffer) -> IvrFlow:
        """The survey flow of an offer (built once per offer: queue documents change rarely)."""
        flow = self._flows.get(offer)
        if flow is None:
            low, high = SCALES[offer.survey]
            question = None
            if offer.text is not None or offer.prompt_id is not None:
                question = PromptRef(text=offer.text, prompt_id=offer.prompt_id)
            flow = self._flows[offer] = survey_flow(offer.survey, low, high, question, offer.language,
                                                    words=survey_texts(offer.language))
        return flow

    def _ended(self, contact_id: str, survey: str, session: IvrSession) -> None:
        score = session.ivr.get(SCORE)
        if score is None:  # hung up first, or no valid key after the second try
            self.stats["unanswered"] += 1
            return
        self.stats["answered"] += 1
        value = int(score)
        self.gateway.submit(lambda: self.surveys.record(contact_id, survey, value), _logged(contact_id, "answer"))


def _logged(contact_id: str, what: str) -> Callable[[Any, Exception | None], None]:
    def done(_: Any, error: Exception | None) -> None:
        if error is not None:
            log.warning("post-call survey %s of %s not stored: %s", what, contact_id, error)

    return done
