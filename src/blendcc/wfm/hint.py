"""A greedy first schedule (contract hours met, breaks placed) handed to CP-SAT as its starting point."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from blendcc.wfm.shifts import BreakRule


@dataclass(frozen=True, slots=True)
class Option:
    agent: int
    day: int
    template: str
    start: int  # slot index
    length: int  # slots


#: (agent, day, template, rule index, break start slot, length in slots)
BreakKey = tuple[int, int, str, int, int, int]


def _value(residual: Sequence[float], start: int, length: int, under_w: int, over_w: int) -> float:
    """Objective gain of one more agent on [start, start+length): covered shortage minus new excess."""
    gain = 0.0
    for u in range(start, start + length):
        short = min(1.0, max(0.0, residual[u]))
        gain += under_w * short - over_w * (1.0 - short)
    return gain


def greedy(options: Sequence[Option], agents_weeks: Mapping[tuple[int, tuple[int, int]], list[int]],
           limits: Mapping[tuple[int, tuple[int, int]], tuple[int, int]], max_days: Sequence[int],
           rules: Mapping[str, Sequence[BreakRule]],
           offsets: Mapping[tuple[str, int, int], list[tuple[int, int]]],
           required: Sequence[float], step: int, under_w: int, over_w: int,
           rest: Sequence[int] = ()) -> tuple[set[int], set[BreakKey]]:
    """Chosen option indices and break placements: agent by agent, the best-valued shifts (dynamic
    programme over the week's days, so contract minimum and maximum and days per week hold; a shift too
    close to the previous one for the rest rule moves later, or is dropped), then each break where the
    remaining requirement is lowest."""
    residual = list(required)
    chosen: set[int] = set()
    placed: set[BreakKey] = set()
    free_from: dict[int, int] = {}  # agent -> first slot the next shift may start (end + rest)
    for (ai, week), ids in sorted(agents_weeks.items()):
        lo, hi = limits[(ai, week)]
        per_day: dict[int, dict[int, tuple[float, int]]] = defaultdict(dict)  # day -> length -> (value, option)
        for i in ids:
            o = options[i]
            v = _value(residual, o.start, o.length, under_w, over_w)
            best = per_day[o.day].get(o.length)
            if best is None or v > best[0]:
                per_day[o.day][o.length] = (v, i)
        # states: (days worked, minutes) -> (value, picks)
        states: dict[tuple[int, int], tuple[float, tuple[int, ...]]] = {(0, 0): (0.0, ())}
        for day in sorted(per_day):
            nxt = dict(states)
            for (d, mins), (val, sofar) in states.items():
                if d >= max_days[ai]:
                    continue
                for length, (v, i) in per_day[day].items():
                    key = (d + 1, mins + length * step)
                    if key[1] > hi:
                        continue
                    cand = (val + v, (*sofar, i))
                    if key not in nxt or cand[0] > nxt[key][0]:
                        nxt[key] = cand
            states = nxt
        ok = [s for k, s in states.items() if lo <= k[1] <= hi]
        if not ok:
            continue  # refused before the model is built; nothing to hint
        _, best_picks = max(ok, key=lambda s: s[0])
        picks: list[int] = []
        for first in sorted(best_picks, key=lambda j: options[j].start):
            pick, o = first, options[first]
            earliest = free_from.get(ai, -1)
            if o.start < earliest:
                later = [j for j in ids if options[j].day == o.day and options[j].length == o.length
                         and options[j].start >= earliest]
                if not later:
                    continue
                pick = max(later, key=lambda j: _value(residual, options[j].start, o.length, under_w, over_w))
                o = options[pick]
            free_from[ai] = o.start + o.length + (rest[ai] if rest else 0)
            picks.append(pick)
        for i in picks:
            o = options[i]
            chosen.add(i)
            taken: set[int] = set()
            for ri, _rule in enumerate(rules[o.template]):
                best_key: tuple[float, int, int] | None = None
                for off, n in offsets[(o.template, ri, o.length)]:
                    b = o.start + off
                    span = range(b, b + n)
                    if any(u in taken for u in span):
                        continue
                    cost = sum(residual[u] for u in span)
                    if best_key is None or cost < best_key[0]:
                        best_key = (cost, b, n)
                if best_key is None:
                    continue
                _, b, n = best_key
                taken.update(range(b, b + n))
                placed.add((o.agent, o.day, o.template, ri, b, n))
            for u in range(o.start, o.start + o.length):
                if u not in taken:
                    residual[u] -= 1.0
    return chosen, placed
