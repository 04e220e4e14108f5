"""Telephony events: what the network reports about an outbound call (ringing, answered, busy...)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

TelephonyEventKind = Literal["ringing", "answered", "busy", "no_answer", "failed", "hangup"]
AnsweredBy = Literal["human", "machine", "fax", "unknown"]
KINDS: tuple[str, ...] = ("ringing", "answered", "busy", "no_answer", "failed", "hangup")


@dataclass(frozen=True, slots=True, kw_only=True)
class TelephonyEvent:
    """``answered_by`` is set on 'answered' (AMD verdict; 'unknown' without AMD). ``cause`` refines
    'failed' ('invalid', 'disconnected', 'congestion', ...) when the network says why."""

    call_id: str
    kind: TelephonyEventKind
    at: float
    answered_by: AnsweredBy | None = None
    cause: str | None = None
