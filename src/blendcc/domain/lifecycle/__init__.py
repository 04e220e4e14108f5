"""Lifecycle tables: the typed states of each live thing and the only steps allowed between them."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from enum import StrEnum
from typing import Generic, TypeVar

from blendcc.domain.errors import InvalidState

S = TypeVar("S", bound=StrEnum)


class Lifecycle(Generic[S]):
    """One transition table.

    ``on[state][trigger]`` is the state a trigger (the name of the stored event that causes the step,
    e.g. ``"ContactHeld"``) moves ``state`` to; a table built from ``steps`` alone (for states derived
    rather than caused by one event) has no triggers. ``steps[state]`` is the frozenset of states
    ``state`` may become. ``initial`` are the states a new thing starts in; ``exits`` the states in
    which it may leave the live state. Commands ask ``on``/``steps`` (or ``check``) and raise
    ``InvalidState``; folds look the next state up (one dict and one frozenset or dict lookup) and so
    never move outside the table.
    """

    __slots__ = ("exits", "initial", "name", "on", "steps")

    def __init__(self, name: str, on: Mapping[S, Mapping[str, S]] | None = None, *,
                 steps: Mapping[S, Iterable[S]] | None = None, initial: Iterable[S], exits: Iterable[S]):
        if (on is None) == (steps is None):
            raise ValueError(f"{name}: give the table as triggers (on) or as steps, not both")
        self.name = name
        self.on: dict[S, dict[str, S]] = {s: dict(t) for s, t in on.items()} if on is not None else {}
        raw = {s: t.values() for s, t in on.items()} if on is not None else dict(steps or {})
        self.steps: dict[S, frozenset[S]] = {s: frozenset(nxt) for s, nxt in raw.items()}
        self.initial: frozenset[S] = frozenset(initial)
        self.exits: frozenset[S] = frozenset(exits)
        states = set(self.steps)
        for nxt in self.steps.values():
            if not nxt <= states:
                raise ValueError(f"{name}: {sorted(nxt - states)} have no row in the table")
        if not (self.initial | self.exits) <= states:
            raise ValueError(f"{name}: initial and exit states must have a row in the table")

    def allows(self, current: S, new: S) -> bool:
        """True if ``current -> new`` is a step of the table."""
        return new in self.steps[current]

    def check(self, current: S, new: S, subject: str) -> None:
        """Raise InvalidState unless ``current -> new`` is a step of the table."""
        if new not in self.steps[current]:
            raise InvalidState(f"{self.name} {subject} is {current.value}; cannot become {new.value}")

    def after(self, current: S, trigger: str, subject: str) -> S:
        """The state ``trigger`` moves ``current`` to; InvalidState if the table has no such step."""
        nxt = self.on[current].get(trigger)
        if nxt is None:
            raise InvalidState(f"{self.name} {subject} is {current.value}; {trigger} cannot happen now")
        return nxt

    def by_trigger(self, trigger: str) -> dict[S, S]:
        """``{state: next state}`` for one trigger: the states it may happen in (one lookup on hot paths)."""
        return {s: row[trigger] for s, row in self.on.items() if trigger in row}

    def pairs(self) -> frozenset[tuple[S, S]]:
        """Every allowed (from, to) step."""
        return frozenset((a, b) for a, nxt in self.steps.items() for b in nxt)
