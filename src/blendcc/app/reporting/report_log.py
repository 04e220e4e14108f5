"""One read of the event log per report run: each part's (types, window) needs merged, every event decoded once."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from heapq import merge

from blendcc.domain.events import Event
from blendcc.ports import Store, StoredEvent

Need = tuple[Sequence[str], float, float]  # (event type names, start, end): what one part of a report reads


class ReportLog:
    """The events a report's parts read, fetched together: per type, the union of the windows asked for it
    (types with the same window in one query), merged in log order. ``of`` answers each part exactly as
    ``Store.events_of_type(types, start, end)`` would (same events, same order), without reading the log
    again: a part that asked for a type over a window gets every event of that type in it."""

    def __init__(self, store: Store, needs: Iterable[Need]):
        spans: dict[str, tuple[float, float]] = {}
        for types, start, end in needs:
            for name in types:
                lo, hi = spans.get(name, (start, end))
                spans[name] = (min(lo, start), max(hi, end))
        groups: dict[tuple[float, float], list[str]] = {}
        for name, span in sorted(spans.items()):
            groups.setdefault(span, []).append(name)
        self.spans = spans
        reads = [store.events_of_type(names, lo, hi) for (lo, hi), names in sorted(groups.items())]
        self.stored: list[StoredEvent] = list(merge(*reads, key=lambda s: s.seq)) if len(reads) > 1 else \
            (reads[0] if reads else [])

    def of(self, types: Sequence[str], start: float, end: float) -> list[Event]:
        """The events of ``types`` with ``start <= at < end``, in log order (every type must have been asked
        for over a window covering this one)."""
        for name in types:
            lo, hi = self.spans.get(name, (start, start))
            if start < lo or end > hi:
                raise ValueError(f"the report log was not read for {name} over [{start}, {end})")
        names = frozenset(types)
        return [s.event for s in self.stored if s.event.type in names and start <= s.event.at < end]
