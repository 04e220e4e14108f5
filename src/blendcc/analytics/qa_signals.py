"""Automatic QA signals of a contact (long hold, long silence, negative end sentiment, required phrases missing,
prohibited phrases) and the sampling rule that picks contacts for human evaluation (seeded, reproducible)."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from blendcc.analytics.qa_scorecard import Signals


@dataclass(frozen=True, slots=True)
class Said:
    """One message of a thread: who wrote it (customer | agent), when, and its text."""

    author: str
    at: float
    body: str


@dataclass(frozen=True, slots=True)
class ContactFacts:
    hold_s: float
    messages: tuple[Said, ...]
    customer_end_sentiment: float | None


@dataclass(frozen=True, slots=True)
class Signal:
    kind: str  # long_hold | long_silence | negative_sentiment | required_phrase_missing | prohibited_phrase
    detail: str
    value: float | str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "detail": self.detail, "value": self.value}


def fold(text: str) -> str:
    """Text as phrases are matched: NFKC, case-folded, runs of spaces and punctuation as one space."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    return " " + " ".join(re.findall(r"\w+", folded)) + " "


def said(phrase: str, folded_text: str) -> bool:
    """A phrase said as whole words (fold both; Chinese has no spaces, so a phrase matches inside a word run)."""
    p = fold(phrase)
    return p in folded_text or (p.strip() != "" and not p.isascii() and p.strip() in folded_text)


def longest_silence(messages: Sequence[Said]) -> float:
    """The longest time a customer message waited for the agent's next message (0 without any)."""
    longest = 0.0
    waiting_since: float | None = None
    for m in sorted(messages, key=lambda m: m.at):
        if m.author == "customer" and waiting_since is None:
            waiting_since = m.at
        elif m.author == "agent" and waiting_since is not None:
            longest = max(longest, m.at - waiting_since)
            waiting_since = None
    return longest


def signals(facts: ContactFacts, cfg: Signals) -> list[Signal]:
    out: list[Signal] = []
    if facts.hold_s > cfg.long_hold_s:
        out.append(Signal("long_hold", f"on hold {facts.hold_s:.0f} s (over {cfg.long_hold_s:.0f} s)", facts.hold_s))
    silence = longest_silence(facts.messages)
    if silence > cfg.long_silence_s:
        out.append(Signal("long_silence", f"a customer message waited {silence:.0f} s for the agent "
                                          f"(over {cfg.long_silence_s:.0f} s)", silence))
    end = facts.customer_end_sentiment
    if end is not None and end < cfg.negative_end_below:
        out.append(Signal("negative_sentiment", f"the customer's last message scores {end:.2f} "
                                                f"(below {cfg.negative_end_below:.2f})", end))
    agent_text = fold(" ".join(m.body for m in facts.messages if m.author == "agent"))
    if facts.messages:  # phrases are checked on threads and call transcripts (a call without one has none)
        for r in cfg.required:
            if not any(said(p, agent_text) for p in r.phrases):
                out.append(Signal("required_phrase_missing", f"the agent never said {r.id} "
                                                             f"(any of: {', '.join(r.phrases)})", r.id))
        for p in cfg.prohibited:
            if said(p, agent_text):
                out.append(Signal("prohibited_phrase", f"the agent said {p!r}", p))
    return out


@dataclass(frozen=True, slots=True)
class Candidate:
    contact_id: str
    agent_id: str
    week: str  # e.g. "2026-W49" (the app layer computes it in the centre's time zone)
    flagged: bool = False


def _rank(seed: int, c: Candidate) -> str:
    return hashlib.sha256(f"{seed}\x00{c.agent_id}\x00{c.week}\x00{c.contact_id}".encode()).hexdigest()


def sample(candidates: Iterable[Candidate], per_agent_week: int, seed: int) -> list[dict[str, Any]]:
    """Contacts for human evaluation: per agent and week the ``per_agent_week`` contacts that rank first by a
    seeded hash (the same seed and contacts give the same pick, whatever their order), plus every flagged one.
    Each pick says why ('random', 'flagged' or both); sorted by agent, week, contact."""
    groups: dict[tuple[str, str], list[Candidate]] = {}
    for c in candidates:
        groups.setdefault((c.agent_id, c.week), []).append(c)
    out: list[dict[str, Any]] = []
    for key in sorted(groups):
        members = groups[key]
        randoms = {c.contact_id for c in sorted(members, key=lambda c: _rank(seed, c))[:per_agent_week]}
        for c in sorted(members, key=lambda c: c.contact_id):
            reasons = [r for r, hit in (("random", c.contact_id in randoms), ("flagged", c.flagged)) if hit]
            if reasons:
                out.append({"contact_id": c.contact_id, "agent_id": c.agent_id, "week": c.week, "reasons": reasons})
    return out
