"""IVR flow documents: the node kinds, prompt references and the whole-flow validation rules."""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, model_validator

DTMF = "0123456789*#"
ID_PATTERN = r"^[A-Za-z0-9_.\-]+$"
#: Prompt ids name files (``<prompt_id>.wav``): a letter or digit first, dots only between other characters,
#: so ``..``, ``.hidden``, ``a/b`` and ``a..b`` are refused (docs/security.md, "Input validation").
PROMPT_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_\-]*(\.[A-Za-z0-9_\-]+)*$"
LANGUAGE_PATTERN = r"^[a-z]{2,3}(-[a-z0-9]{2,8})*$"
Seconds = Annotated[float, Field(gt=0, le=3600)]


class _Strict(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class PromptRef(_Strict):
    """What to play: an uploaded/rendered prompt id, or text spoken by TTS in ``language`` (or both: the text
    is then the transcript of the recording, shown by text channels such as the chat bot).

    Texts used for queue announcements may contain ``{position}``, ``{wait_minutes}`` and ``{wait_s}``."""

    prompt_id: str | None = Field(default=None, min_length=1, max_length=64, pattern=PROMPT_ID_PATTERN)
    text: str | None = Field(default=None, min_length=1, max_length=2000)
    language: str | None = Field(default=None, pattern=LANGUAGE_PATTERN)

    @model_validator(mode="after")
    def _something(self) -> PromptRef:
        if self.prompt_id is None and self.text is None:
            raise ValueError("a prompt needs a prompt_id or a text")
        return self


class _Node(_Strict):
    id: str = Field(min_length=1, max_length=64, pattern=ID_PATTERN)
    name: str = ""


class PlayNode(_Node):
    """Play a prompt to the end, then go on."""

    kind: Literal["play"]
    prompt: PromptRef
    next: str


class MenuOption(_Strict):
    key: str = Field(pattern=r"^[0-9*#]$", description="the DTMF key")
    next: str
    label: str = ""
    #: words a text channel accepts for this option (``billing``, ``money``); matched case-insensitively
    words: list[Annotated[str, Field(min_length=1, max_length=64)]] = Field(default_factory=list, max_length=20)


class MenuNode(_Node):
    """A DTMF choice with a timeout and retries; the chosen key is recorded as ``ivr.<attribute>``."""

    kind: Literal["menu"]
    prompt: PromptRef
    options: list[MenuOption] = Field(min_length=1)
    attribute: str | None = Field(default=None, pattern=ID_PATTERN, description="default: the node id")
    timeout_s: Seconds = 5.0
    retries: int = Field(default=2, ge=0, le=10, description="extra attempts after the first")
    invalid_prompt: PromptRef | None = None
    no_input_prompt: PromptRef | None = None
    on_failure: str = Field(description="node after the last failed attempt")

    @model_validator(mode="after")
    def _keys(self) -> MenuNode:
        keys = [o.key for o in self.options]
        dup = {k for k in keys if keys.count(k) > 1}
        if dup:
            raise ValueError(f"menu {self.id}: key {sorted(dup)[0]!r} is used twice")
        words = [w.lower() for o in self.options for w in o.words]
        dupw = {w for w in words if words.count(w) > 1}
        if dupw:
            raise ValueError(f"menu {self.id}: word {sorted(dupw)[0]!r} is used by two options")
        return self


class DigitRules(_Strict):
    """Validation of collected digits: length, Luhn checksum, regular expression (all that are set)."""

    min_length: int = Field(default=1, ge=1, le=64)
    max_length: int = Field(default=16, ge=1, le=64)
    luhn: bool = False
    pattern: str | None = Field(default=None, max_length=200, description="full match, e.g. ^4[0-9]{7}$")

    @model_validator(mode="after")
    def _consistent(self) -> DigitRules:
        if self.min_length > self.max_length:
            raise ValueError(f"min_length {self.min_length} is above max_length {self.max_length}")
        if self.pattern is not None:
            try:
                re.compile(self.pattern)
            except re.error as exc:
                raise ValueError(f"pattern {self.pattern!r} is not a regular expression: {exc}") from None
        return self


class CollectNode(_Node):
    """Collect several digits (account number, PIN...) ended by a terminator, ``max_length`` or a timeout."""

    kind: Literal["collect"]
    prompt: PromptRef
    attribute: str | None = Field(default=None, pattern=ID_PATTERN, description="default: the node id")
    rules: DigitRules = Field(default_factory=DigitRules)
    terminators: str = Field(default="#", pattern=r"^[*#]{0,2}$")
    timeout_s: Seconds = 6.0
    retries: int = Field(default=2, ge=0, le=10)
    invalid_prompt: PromptRef | None = None
    no_input_prompt: PromptRef | None = None
    next: str
    on_failure: str


class HoursNode(_Node):
    """Branch on a business-hours calendar (``calendars`` documents) at the current time."""

    kind: Literal["hours"]
    calendar: str = Field(min_length=1, max_length=64)
    open: str
    closed: str


class LookupNode(_Node):
    """Look the caller up by caller ID; branch on known/unknown and optionally on the customer's tier."""

    kind: Literal["lookup"]
    known: str
    unknown: str
    tiers: dict[str, str] = Field(default_factory=dict, description="tier -> node, checked before 'known'")


class SetNode(_Node):
    """Set contact attributes (routing sees them as ``attr.<name>``)."""

    kind: Literal["set"]
    attributes: dict[str, str | int | float | bool] = Field(min_length=1)
    next: str


class CallbackOffer(_Strict):
    """While waiting, pressing ``key`` asks for a call back that keeps the caller's place in line."""

    key: str = Field(default="1", pattern=r"^[0-9*#]$")
    prompt: PromptRef = PromptRef(text="Press 1 to be called back without losing your place in line.")
    confirm: PromptRef = PromptRef(text="Thank you. We will call you back. Goodbye.")
    after_s: float = Field(default=0.0, ge=0, le=3600, description="offer only after this much waiting")


class QueueNode(_Node):
    """Hand the call to routing (the contact carries the IVR choices), then entertain the caller while it
    waits: music on hold, comfort messages and position / expected-wait announcements every
    ``announce_every_s``, and an optional call-back offer."""

    kind: Literal["queue"]
    priority: int = Field(default=0, ge=-1000, le=1000)
    attributes: dict[str, str | int | float | bool] = Field(default_factory=dict)
    music: PromptRef | None = None
    comfort: list[PromptRef] = Field(default_factory=list, description="played in turn, one per announcement")
    announce_every_s: Seconds | None = None
    announce_position: bool = True
    announce_wait: bool = True
    position_prompt: PromptRef | None = None
    wait_prompt: PromptRef | None = None
    callback: CallbackOffer | None = None

    @model_validator(mode="after")
    def _announcing(self) -> QueueNode:
        if (self.comfort or self.callback is not None) and self.announce_every_s is None:
            raise ValueError(f"queue {self.id}: comfort messages and call-back offers need announce_every_s")
        return self


class VoicemailNode(_Node):
    """Play a greeting, then record a message into ``mailbox`` (at most ``max_seconds``)."""

    kind: Literal["voicemail"]
    mailbox: str = Field(min_length=1, max_length=64, pattern=ID_PATTERN)
    prompt: PromptRef | None = None
    max_seconds: float = Field(default=120.0, gt=0, le=1800)


class HangupNode(_Node):
    """Optionally say goodbye, then hang up."""

    kind: Literal["hangup"]
    prompt: PromptRef | None = None


Node = Annotated[PlayNode | MenuNode | CollectNode | HoursNode | LookupNode | SetNode | QueueNode
                 | VoicemailNode | HangupNode, Field(discriminator="kind")]
#: nodes after which the flow is over for the IVR (the contact is queued, recorded or gone)
TERMINAL = ("queue", "voicemail", "hangup")
#: nodes that wait for the caller (a loop must pass through one of them)
INPUT = ("menu", "collect")


def successors(node: Node) -> list[str]:
    """Every node id ``node`` may lead to."""
    if isinstance(node, PlayNode | SetNode):
        return [node.next]
    if isinstance(node, MenuNode):
        return [o.next for o in node.options] + [node.on_failure]
    if isinstance(node, CollectNode):
        return [node.next, node.on_failure]
    if isinstance(node, HoursNode):
        return [node.open, node.closed]
    if isinstance(node, LookupNode):
        return [*node.tiers.values(), node.known, node.unknown]
    return []


class IvrFlow(BaseModel):
    """A validated IVR flow (config kind ``ivr_flows``): node ids unique, every reference resolves, every
    node reachable from ``start``, and no loop that does not wait for the caller."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(min_length=1, max_length=64)
    name: str = ""
    language: str = Field(default="en", pattern=LANGUAGE_PATTERN, description="TTS language of text prompts")
    start: str
    nodes: list[Node] = Field(min_length=1, max_length=500)
    max_visits: int = Field(default=50, ge=1, le=1000,
                            description="node visits before the call goes to 'fallback' (a caller looping in menus)")
    fallback: str | None = Field(default=None, description="terminal node used after max_visits; default hang up")
    _index: dict[str, Node] = PrivateAttr(default_factory=dict)

    @model_validator(mode="after")
    def _graph(self) -> IvrFlow:
        by_id: dict[str, Node] = {}
        for n in self.nodes:
            if n.id in by_id:
                raise ValueError(f"node id {n.id!r} is used twice")
            by_id[n.id] = n
        if self.start not in by_id:
            raise ValueError(f"start: unknown node {self.start!r}")
        for n in self.nodes:
            for ref in successors(n):
                if ref not in by_id:
                    raise ValueError(f"node {n.id}: unknown node {ref!r}")
        if self.fallback is not None:
            fb = by_id.get(self.fallback)
            if fb is None:
                raise ValueError(f"fallback: unknown node {self.fallback!r}")
            if fb.kind not in TERMINAL:
                raise ValueError(f"fallback: node {self.fallback!r} must be a queue, voicemail or hangup node")
        cycle = _loop_without_input(by_id)
        if cycle:
            raise ValueError(f"loop without caller input: {' -> '.join(cycle)}")
        seen = {self.start}
        todo = [self.start]
        while todo:
            for ref in successors(by_id[todo.pop()]):
                if ref not in seen:
                    seen.add(ref)
                    todo.append(ref)
        if self.fallback is not None:
            seen.add(self.fallback)
        unreachable = [n.id for n in self.nodes if n.id not in seen]
        if unreachable:
            raise ValueError(f"unreachable nodes: {', '.join(unreachable)}")
        self._index = by_id
        return self

    def node(self, node_id: str) -> Node:
        """The node with this id (KeyError if there is none)."""
        private = self.__pydantic_private__  # direct: pydantic's attribute hook costs more than the lookup
        assert private is not None
        found: Node = private["_index"][node_id]
        return found

    def has_node(self, node_id: str) -> bool:
        private = self.__pydantic_private__
        return private is not None and node_id in private["_index"]


def _loop_without_input(by_id: dict[str, Node]) -> list[str] | None:
    """A cycle through nodes that never wait for the caller (it would spin forever), or None."""
    state: dict[str, int] = {}  # 1 on the stack, 2 done

    def visit(nid: str, path: list[str]) -> list[str] | None:
        state[nid] = 1
        path.append(nid)
        for ref in successors(by_id[nid]):
            if by_id[ref].kind in INPUT:
                continue
            if state.get(ref) == 1:
                return [*path[path.index(ref):], ref]
            if ref not in state:
                found = visit(ref, path)
                if found:
                    return found
        path.pop()
        state[nid] = 2
        return None

    for nid, node in by_id.items():
        if node.kind not in INPUT and nid not in state:
            found = visit(nid, [])
            if found:
                return found
    return None


def luhn_ok(digits: str) -> bool:
    """The Luhn (mod 10) checksum of a digit string holds."""
    if not digits.isdigit():
        return False
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 1:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def digits_valid(rules: DigitRules, digits: str) -> bool:
    """Collected digits pass every rule that is set."""
    if not (rules.min_length <= len(digits) <= rules.max_length) or not all(c in "0123456789" for c in digits):
        return False
    if rules.luhn and not luhn_ok(digits):
        return False
    return rules.pattern is None or re.fullmatch(rules.pattern, digits) is not None
