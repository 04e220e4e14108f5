"""The voice call lifecycle: the customer's call leg as the voice channel handles it, from answer to hang-up."""

from __future__ import annotations

from enum import StrEnum

from blendcc.domain.lifecycle import Lifecycle


class VoiceCallState(StrEnum):
    """Where a customer's voice call is. The values are the ``state`` strings of ``GET /api/voice/calls``."""

    NEW = "new"  # answered by the gateway, nothing decided yet
    IVR = "ivr"  # an IVR flow plays prompts and reads digits
    QUEUED = "queued"  # a contact exists and waits for an agent (music on hold)
    RINGING = "ringing"  # an agent's phone rings for it
    CONNECTED = "connected"  # bridged to the agent's phone
    VOICEMAIL = "voicemail"  # the caller leaves a message; the contact left the queue
    SURVEY = "survey"  # the agent ended the conversation; the caller answers the post-call survey by DTMF
    ENDED = "ended"  # every leg is down


V = VoiceCallState

#: A dialer call adopted after the engine connected it starts RINGING (the agent's phone rings).
#: CONNECTED -> SURVEY: the agent ended the call and the queue offers a post-call survey.
#: CONNECTED -> QUEUED is a blind transfer; CONNECTED -> RINGING a consulted transfer whose consulted
#: agent takes the caller on the phone already live. Staying in a state is not a step.
VOICE_CALL = Lifecycle[VoiceCallState](
    "voice call",
    steps={
        V.NEW: {V.IVR, V.QUEUED, V.ENDED},
        V.IVR: {V.QUEUED, V.VOICEMAIL, V.ENDED},
        V.QUEUED: {V.RINGING, V.VOICEMAIL, V.ENDED},
        V.RINGING: {V.CONNECTED, V.QUEUED, V.VOICEMAIL, V.ENDED},
        V.CONNECTED: {V.QUEUED, V.RINGING, V.SURVEY, V.ENDED},
        V.VOICEMAIL: {V.ENDED},
        V.SURVEY: {V.ENDED},
        V.ENDED: (),
    },
    initial={V.NEW, V.RINGING},
    exits={V.ENDED},
)

#: the caller is still waiting for an agent: hanging up now counts as an abandon
UNANSWERED = frozenset({V.QUEUED, V.RINGING})
