"""The pure IVR interpreter: ``start`` and ``step`` turn (flow, session, event, now) into (session, actions).

No I/O and no clock: the driver (voice service, simulator, text bot) passes ``now`` and carries out the
actions (see ``blendcc.ivr.messages`` for the contract). Every event either moves the caller on, counts
a retry, or is ignored; node visits are capped by ``flow.max_visits``, so any input ends in a queue, a
voicemail, a call-back or a hang-up.
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Mapping
from typing import Any

from blendcc.ivr.flow import (
    CollectNode,
    HangupNode,
    HoursNode,
    IvrFlow,
    LookupNode,
    MenuNode,
    PlayNode,
    PromptRef,
    QueueNode,
    SetNode,
    VoicemailNode,
    digits_valid,
)
from blendcc.ivr.messages import (
    Action,
    Callback,
    CallerHungUp,
    Collect,
    Dtmf,
    EnqueueContact,
    Event,
    Hangup,
    Lookup,
    LookupResult,
    Play,
    PromptFinished,
    QueueUpdate,
    SetAttributes,
    Timeout,
    Voicemail,
    Wait,
)
from blendcc.ivr.session import IvrContext, IvrSession, Outcome

Result = tuple[IvrSession, list[Action]]

#: default announcement texts per language ({position}, {wait_minutes}, {wait_s})
POSITION_TEXT = {
    "en": "You are number {position} in line.",
    "fr": "Vous êtes le numéro {position} dans la file d'attente.",
    "de": "Sie sind Nummer {position} in der Warteschlange.",
    "es": "Usted es el número {position} en la fila.",
}
WAIT_TEXT = {
    "en": "Your expected wait is about {wait_minutes} minutes.",
    "fr": "Votre temps d'attente est d'environ {wait_minutes} minutes.",
    "de": "Die voraussichtliche Wartezeit beträgt etwa {wait_minutes} Minuten.",
    "es": "El tiempo de espera estimado es de unos {wait_minutes} minutos.",
}


def start(flow: IvrFlow, context: IvrContext, now: float) -> Result:
    """A new caller enters ``flow`` at ``now``."""
    session = IvrSession(flow_id=flow.id, context=context, started_at=now, node=flow.start, updated_at=now)
    return _enter(flow, session, flow.start, now)


def step(flow: IvrFlow, session: IvrSession, event: Event, now: float) -> Result:
    """Feed one event; returns the new session and what to do. Never raises for any event."""
    session = session.evolve(events=session.events + 1, updated_at=now)
    if session.status == "ended":
        return session, []
    if not flow.has_node(session.node):  # the flow was edited under a live call
        if session.status == "queued":
            return session, []
        return _end(session, "hangup"), [Hangup()]
    if isinstance(event, CallerHungUp):
        outcome = session.outcome if session.status == "queued" else "abandoned"
        return session.evolve(status="ended", waiting="none", outcome=outcome), []
    if isinstance(event, Dtmf):
        actions: list[Action] = []
        for key in event.digits:
            session, more = _key(flow, session, key, now)
            actions += more
            if session.finished and session.status != "queued":
                break
        return session, actions
    node = flow.node(session.node)
    if isinstance(event, QueueUpdate):
        if session.status == "queued":
            wait = event.expected_wait_s
            ok = wait is None or (math.isfinite(wait) and wait >= 0)
            return session.evolve(position=event.position, expected_wait_s=wait if ok else None), []
        return session, []
    if session.status == "queued":
        if isinstance(event, Timeout) and isinstance(node, QueueNode) and node.announce_every_s is not None:
            return _announce(flow, session, node, node.announce_every_s, now)
        return session, []
    if session.waiting == "prompt" and isinstance(event, PromptFinished | Timeout) and isinstance(node, PlayNode):
        return _enter(flow, session, node.next, now)
    if session.waiting == "lookup" and isinstance(node, LookupNode):
        if isinstance(event, LookupResult):
            return _looked_up(flow, session, node, event, now)
        if isinstance(event, Timeout):
            return _looked_up(flow, session, node, LookupResult(False), now)
        return session, []
    if session.waiting == "input" and isinstance(event, Timeout):
        if isinstance(node, CollectNode) and session.digits:
            return _collected(flow, session, node, now)
        if isinstance(node, MenuNode | CollectNode):
            return _failed(flow, session, node, node.no_input_prompt, now)
    return session, []


# ---------------------------------------------------------------------- entering nodes


def _enter(flow: IvrFlow, session: IvrSession, node_id: str, now: float) -> Result:
    """Go to ``node_id`` and run the nodes that need no answer (set, hours) until one waits or ends."""
    actions: list[Action] = []
    while True:
        if session.visits >= flow.max_visits and node_id != flow.fallback:
            if flow.fallback is None:
                return _end(session, "hangup"), [*actions, Hangup()]
            node_id = flow.fallback
        node = flow.node(node_id)
        session = session.evolve(node=node_id, visits=session.visits + 1, path=(*session.path, node_id),
                          attempts=0, digits="", waiting="none")
        if isinstance(node, SetNode):
            attrs = dict(node.attributes)
            session = session.evolve(attributes={**session.attributes, **attrs})
            actions.append(SetAttributes(attrs))
            node_id = node.next
        elif isinstance(node, HoursNode):
            node_id = node.open if session.context.open_at(node.calendar, now) else node.closed
        elif isinstance(node, LookupNode):
            caller = session.context.caller_id
            if not caller:
                session = _record_customer(session, LookupResult(False))
                node_id = node.unknown
                continue
            return session.evolve(waiting="lookup"), [*actions, Lookup(caller)]
        elif isinstance(node, PlayNode):
            return session.evolve(waiting="prompt"), [*actions, Play(_lang(flow, node.prompt))]
        elif isinstance(node, MenuNode | CollectNode):
            return session.evolve(waiting="input"), [*actions, Play(_lang(flow, node.prompt)), _collect(node)]
        elif isinstance(node, QueueNode):
            return _queue(flow, session, node, now, actions)
        elif isinstance(node, VoicemailNode):
            if node.prompt is not None:
                actions.append(Play(_lang(flow, node.prompt)))
            actions.append(Voicemail(node.mailbox, node.max_seconds, dict(session.ivr), _attrs(flow, session)))
            return _end(session, "voicemail"), actions
        else:
            assert isinstance(node, HangupNode)
            if node.prompt is not None:
                actions.append(Play(_lang(flow, node.prompt)))
            return _end(session, "hangup"), [*actions, Hangup()]


def _end(session: IvrSession, outcome: Outcome) -> IvrSession:
    return session.evolve(status="ended", waiting="none", outcome=outcome)


def _collect(node: MenuNode | CollectNode) -> Collect:
    if isinstance(node, MenuNode):
        return Collect(1, node.timeout_s, "")
    return Collect(node.rules.max_length, node.timeout_s, node.terminators)


def _lang(flow: IvrFlow, prompt: PromptRef, **values: Any) -> PromptRef:
    """The prompt with the flow's language filled in and announcement placeholders replaced."""
    text = prompt.text
    if text is not None and values:
        # a literal brace or an unknown placeholder: say the text as written
        with contextlib.suppress(KeyError, IndexError, ValueError, AttributeError):
            text = text.format(**values)
    return prompt.model_copy(update={"language": prompt.language or flow.language, "text": text})


def _attrs(flow: IvrFlow, session: IvrSession) -> dict[str, Any]:
    out: dict[str, Any] = {**session.attributes, "ivr_flow": flow.id}
    if session.customer_known is not None:
        out["customer_known"] = session.customer_known
    if session.tier is not None:
        out["tier"] = session.tier
    return out


# ---------------------------------------------------------------------- caller input


def _key(flow: IvrFlow, session: IvrSession, key: str, now: float) -> Result:
    if session.swallow:  # '#' after a number that was already complete at its maximum length
        swallowed = key in session.swallow
        session = session.evolve(swallow="")
        if swallowed:
            return session, []
    node = flow.node(session.node)
    if session.status == "queued":
        cb = node.callback if isinstance(node, QueueNode) else None
        caller = session.context.caller_id
        if cb is not None and key == cb.key and caller and _may_offer_callback(session, cb.after_s, now):
            cb_action = Callback(caller, True, dict(session.ivr), _attrs(flow, session))
            return _end(session, "callback"), [cb_action, Play(_lang(flow, cb.confirm)), Hangup()]
        return session, []
    if session.waiting != "input":
        return session, []  # typed ahead during a plain prompt or a lookup: dropped
    if isinstance(node, MenuNode):
        for option in node.options:
            if option.key == key:
                session = session.evolve(ivr={**session.ivr, node.attribute or node.id: key})
                return _enter(flow, session, option.next, now)
        return _failed(flow, session, node, node.invalid_prompt, now)
    if isinstance(node, CollectNode):
        if key in node.terminators:
            if not session.digits:
                return _failed(flow, session, node, node.no_input_prompt, now)
            return _collected(flow, session, node, now)
        session = session.evolve(digits=session.digits + key)
        if len(session.digits) >= node.rules.max_length:
            session, actions = _collected(flow, session, node, now)
            return session.evolve(swallow=node.terminators), actions
    return session, []


def _collected(flow: IvrFlow, session: IvrSession, node: CollectNode, now: float) -> Result:
    if digits_valid(node.rules, session.digits):
        session = session.evolve(ivr={**session.ivr, node.attribute or node.id: session.digits})
        return _enter(flow, session, node.next, now)
    return _failed(flow, session, node, node.invalid_prompt, now)


def _failed(flow: IvrFlow, session: IvrSession, node: MenuNode | CollectNode, prompt: PromptRef | None,
            now: float) -> Result:
    """An invalid or missing answer: try again (with the explanation first) or give up."""
    attempts = session.attempts + 1
    if attempts > node.retries:
        return _enter(flow, session, node.on_failure, now)
    actions: list[Action] = []
    if prompt is not None:
        actions.append(Play(_lang(flow, prompt)))
    actions += [Play(_lang(flow, node.prompt)), _collect(node)]
    return session.evolve(attempts=attempts, digits=""), actions


# ---------------------------------------------------------------------- lookups


def _record_customer(session: IvrSession, result: LookupResult) -> IvrSession:
    ivr = {**session.ivr, "customer": "known" if result.customer_known else "unknown"}
    if result.customer_known and result.tier:
        ivr["tier"] = result.tier
    return session.evolve(ivr=ivr, customer_known=result.customer_known,
                   tier=result.tier if result.customer_known else None,
                   customer_id=result.customer_id if result.customer_known else None)


def _looked_up(flow: IvrFlow, session: IvrSession, node: LookupNode, result: LookupResult, now: float) -> Result:
    session = _record_customer(session, result)
    if not result.customer_known:
        return _enter(flow, session, node.unknown, now)
    target = node.tiers.get(result.tier or "", node.known)
    return _enter(flow, session, target, now)


# ---------------------------------------------------------------------- waiting in queue


def _queue(flow: IvrFlow, session: IvrSession, node: QueueNode, now: float, actions: list[Action]) -> Result:
    attrs = {**_attrs(flow, session), **node.attributes}
    session = session.evolve(status="queued", waiting="queue", outcome="queued", queued_at=now,
                      attributes={**session.attributes, **node.attributes})
    actions = [*actions, EnqueueContact(dict(session.ivr), attrs, node.priority)]
    if node.music is not None:
        actions.append(Play(_lang(flow, node.music), loop=True))
    if node.announce_every_s is not None:
        actions.append(Wait(node.announce_every_s))
    return session, actions


def _may_offer_callback(session: IvrSession, after_s: float, now: float) -> bool:
    return session.queued_at is not None and now - session.queued_at >= after_s


def _announce(flow: IvrFlow, session: IvrSession, node: QueueNode, every_s: float, now: float) -> Result:
    """The announcement timer ran out: comfort message, position, expected wait, call-back offer."""
    lang = flow.language.split("-")[0]
    actions: list[Action] = []
    if node.comfort:
        actions.append(Play(_lang(flow, node.comfort[session.announcements % len(node.comfort)])))
    values = _wait_values(session)
    if node.announce_position and session.position is not None and session.position > 0:
        prompt = node.position_prompt or PromptRef(text=POSITION_TEXT.get(lang, POSITION_TEXT["en"]))
        actions.append(Play(_lang(flow, prompt, **values)))
    if node.announce_wait and session.expected_wait_s is not None:
        prompt = node.wait_prompt or PromptRef(text=WAIT_TEXT.get(lang, WAIT_TEXT["en"]))
        actions.append(Play(_lang(flow, prompt, **values)))
    cb = node.callback
    if cb is not None and session.context.caller_id and _may_offer_callback(session, cb.after_s, now):
        actions.append(Play(_lang(flow, cb.prompt)))
    if node.music is not None and actions:
        actions.append(Play(_lang(flow, node.music), loop=True))
    actions.append(Wait(every_s))
    return session.evolve(announcements=session.announcements + 1), actions


def _wait_values(session: IvrSession) -> Mapping[str, Any]:
    wait = session.expected_wait_s
    return {"position": session.position if session.position is not None else "",
            "wait_s": round(wait) if wait is not None else "",
            "wait_minutes": max(1, math.ceil(wait / 60)) if wait is not None else ""}


__all__ = [
    "Action", "Callback", "CallerHungUp", "Collect", "Dtmf", "EnqueueContact", "Event", "Hangup",
    "IvrContext", "IvrSession", "Lookup", "LookupResult", "Play", "PromptFinished", "QueueUpdate",
    "SetAttributes", "Timeout", "Voicemail", "Wait", "start", "step",
]
