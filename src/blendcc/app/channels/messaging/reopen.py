"""Which resolved conversation a customer's new message continues (the reopen window), and a conversation's chain."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from blendcc.domain.conversation import ChannelRef
from blendcc.domain.lifecycle.conversation import within_reopen_window
from blendcc.ports import ReportReader

#: contact attribute naming the contact a reopened conversation continues (the email channel sets it too)
REOPENS_ATTRIBUTE = "reopens"
#: how many of a customer's latest contacts are searched for the one to reopen
_SEARCH = 50


@dataclass(frozen=True, slots=True)
class Previous:
    """A resolved contact a new message continues: its id, when it was resolved and its owner."""

    contact_id: str
    resolved_at: float
    owner: str | None


def _resolved(row: dict[str, Any] | None) -> Previous | None:
    if row is None or row.get("outcome") != "completed" or row.get("closed_at") is None:
        return None
    return Previous(str(row["contact_id"]), float(row["closed_at"]), row.get("agent_id"))


def previous_conversation(reader: ReportReader, *, customer_id: str | None, channel: ChannelRef,
                          named: str | None, now: float, days: float, instance_attribute: str) -> Previous | None:
    """The resolved conversation a message at ``now`` reopens, or None (then it is a new conversation).

    ``named``: the contact the channel says the message answers (an email's thread); otherwise the
    customer's most recently resolved contact on the same channel instance. Only a contact resolved
    (closed as completed) within ``days`` is reopened."""
    if named is not None:
        found = _resolved(reader.interaction(named))
    elif customer_id is None:
        return None
    else:
        found = None
        for row in reader.interactions(customer_id=customer_id, limit=_SEARCH):
            attrs = row.get("attributes") or {}
            if row.get("channel") != channel.kind or attrs.get(instance_attribute, "default") != channel.instance:
                continue
            candidate = _resolved(row)
            if candidate is not None and (found is None or candidate.resolved_at > found.resolved_at):
                found = candidate
    if found is None or not within_reopen_window(found.resolved_at, now, days):
        return None
    return found
