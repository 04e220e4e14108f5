"""What flows into the IVR interpreter (caller and driver events) and what it asks the driver to do.

Driver contract (voice gateway, simulator, chat bot): run the actions of one answer in order.
``Play`` queues audio (prompts play one after another; ``loop`` repeats it until the next ``Play``,
which replaces it). ``Collect`` starts listening at once (digits barge in and stop the queued prompts)
and its timeout starts when the queued prompts have finished; when it runs out, send ``Timeout()``.
``Wait`` asks for a ``Timeout()`` after ``timeout_s`` (queue announcements). ``Hangup``, ``Voicemail``
and ``Callback`` take effect once the queued prompts have finished. ``Lookup`` is answered with
``LookupResult``; send ``PromptFinished()`` when a non-looping prompt of a ``play`` node ends.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from blendcc.ivr.flow import PromptRef

# ---------------------------------------------------------------------- events (into the interpreter)


@dataclass(frozen=True)
class Dtmf:
    """One or more keys pressed by the caller (each character is handled in turn)."""

    digits: str


@dataclass(frozen=True)
class Timeout:
    """A ``Collect`` or ``Wait`` ran out (also accepted as 'cannot play' / 'no lookup answer')."""


@dataclass(frozen=True)
class PromptFinished:
    """The prompt of a ``play`` node has been played to the end."""


@dataclass(frozen=True)
class CallerHungUp:
    """The caller went away."""


@dataclass(frozen=True)
class LookupResult:
    """The answer to ``Lookup``: is the caller a known customer, and of which tier."""

    customer_known: bool
    tier: str | None = None
    customer_id: str | None = None


@dataclass(frozen=True)
class QueueUpdate:
    """Where the queued contact stands (for position / expected-wait announcements)."""

    position: int | None
    expected_wait_s: float | None = None


Event = Dtmf | Timeout | PromptFinished | CallerHungUp | LookupResult | QueueUpdate

# ---------------------------------------------------------------------- actions (out of the interpreter)


@dataclass(frozen=True)
class Play:
    prompt: PromptRef
    loop: bool = False


@dataclass(frozen=True)
class Collect:
    max_digits: int
    timeout_s: float
    terminators: str = ""


@dataclass(frozen=True)
class Wait:
    timeout_s: float


@dataclass(frozen=True)
class Lookup:
    caller_id: str


@dataclass(frozen=True)
class SetAttributes:
    attributes: Mapping[str, Any]


@dataclass(frozen=True)
class EnqueueContact:
    """Create the contact and route it: ``ivr`` holds the choices (routing sees ``ivr.menu == '2'``)."""

    ivr: Mapping[str, str]
    attributes: Mapping[str, Any]
    priority: int = 0


@dataclass(frozen=True)
class Hangup:
    pass


@dataclass(frozen=True)
class Voicemail:
    """Record a message (after the queued prompts) into ``mailbox``, then hang up."""

    mailbox: str
    max_seconds: float
    ivr: Mapping[str, str] = field(default_factory=dict)
    attributes: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Callback:
    """Call ``number`` back when an agent is free; ``keep_place``: the queued contact keeps its position
    (the driver leaves it in the queue instead of abandoning it), then hang up."""

    number: str
    keep_place: bool = True
    ivr: Mapping[str, str] = field(default_factory=dict)
    attributes: Mapping[str, Any] = field(default_factory=dict)


Action = Play | Collect | Wait | Lookup | SetAttributes | EnqueueContact | Hangup | Voicemail | Callback
