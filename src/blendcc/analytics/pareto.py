"""Pareto of contact reasons: count, share and cumulative share, most frequent first, with the 80% cut."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

CUT = 0.8


@dataclass(frozen=True, slots=True)
class ParetoRow:
    reason: str
    count: int
    share: float
    cumulative: float
    vital_few: bool  # inside the cut: the rows up to and including the one reaching 80% cumulative

    def to_dict(self) -> dict[str, Any]:
        return {"reason": self.reason, "count": self.count, "share": round(self.share, 4),
                "cumulative": round(self.cumulative, 4), "vital_few": self.vital_few}


def pareto(reasons: Mapping[str, str | None] | Iterable[str], cut: float = CUT) -> list[ParetoRow]:
    """``reasons``: contact id -> its reason (None: untagged, left out), or one reason per contact. Rows sorted
    by count descending then reason; shares of the tagged contacts; ``vital_few`` marks the rows up to the
    first whose cumulative share reaches ``cut``."""
    values = reasons.values() if isinstance(reasons, Mapping) else reasons
    counts = Counter(r for r in values if r)
    total = sum(counts.values())
    rows: list[ParetoRow] = []
    running = 0
    reached = False
    for reason, count in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])):
        running += count
        rows.append(ParetoRow(reason, count, count / total, running / total, not reached))
        reached = reached or running / total >= cut - 1e-12
    return rows
