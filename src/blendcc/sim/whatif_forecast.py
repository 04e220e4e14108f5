"""Surge what-if on a forecast: the rows ``blendcc forecast`` writes (interval_start, volume, aht_s) as a baseline
scenario of one queue, one Poisson stream per interval (its volume, exponential talk at its AHT) and the
published agents per report interval (``with_published``); callers abandon after an exponential patience when
one is given (Erlang A), else never (Erlang C)."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from blendcc.domain.errors import ValidationFailed
from blendcc.domain.queue import QueueConfig
from blendcc.routing.workflow import Target, Workflow
from blendcc.sim.distributions import NEVER, Exponential
from blendcc.sim.scenario import AgentGroup, ArrivalStream, Centre, Poisson, Scenario

MAX_ROWS = 31 * 96


def _row(row: Mapping[str, Any], line: int) -> tuple[datetime, float, float]:
    try:
        start = datetime.fromisoformat(str(row["interval_start"]))
        volume, aht = float(row["volume"]), float(row["aht_s"])
    except (KeyError, TypeError, ValueError) as exc:
        raise ValidationFailed(f"forecast row {line}: needs interval_start (ISO 8601), volume and aht_s "
                               f"({exc})") from None
    if start.tzinfo is None:
        raise ValidationFailed(f"forecast row {line}: interval_start needs a UTC offset")
    if not (math.isfinite(volume) and volume >= 0 and math.isfinite(aht) and (aht > 0 or volume == 0)):
        raise ValidationFailed(f"forecast row {line}: volume must be >= 0 and aht_s > 0")
    return start, volume, aht


def forecast_scenario(rows: Sequence[Mapping[str, Any]], report_interval_s: int, agents: int,
                      patience_s: float | None = None) -> Scenario:
    """The baseline scenario of ``rows`` (one queue and channel: the rows of a single forecast series)."""
    if not rows or len(rows) > MAX_ROWS:
        raise ValidationFailed(f"a forecast of 1 to {MAX_ROWS} intervals is needed")
    if patience_s is not None and not (math.isfinite(patience_s) and patience_s > 0):
        raise ValidationFailed("patience must be > 0 seconds")
    parsed = sorted((_row(r, i) for i, r in enumerate(rows, start=2)), key=lambda x: x[0])
    first = parsed[0][0]
    width = (parsed[1][0] - first).total_seconds() if len(parsed) > 1 else float(report_interval_s)
    if width <= 0 or 86_400 % width:
        raise ValidationFailed("the forecast's intervals must be regular and divide a day (one queue and channel)")
    streams = []
    for k, (start, volume, aht) in enumerate(parsed):
        offset = (start - first).total_seconds()
        if abs(offset - k * width) > 1e-6:
            raise ValidationFailed(f"forecast row {k + 2}: intervals must follow each other every {width:g} s "
                                   "(one queue and channel, no gaps)")
        if volume > 0:
            streams.append(ArrivalStream(
                name=f"i{k}", process=Poisson(kind="poisson", rate_per_s=volume / width, start_s=offset,
                                               end_s=offset + width),
                handle=Exponential(dist="exponential", mean_s=aht),
                patience=NEVER if patience_s is None else Exponential(dist="exponential", mean_s=patience_s)))
    if not streams:
        raise ValidationFailed("the forecast has no volume")
    queue = QueueConfig(id="forecast", name="forecast", wrap_up_s=0.0)
    centre = Centre(queues=[queue], workflows=[Workflow(id="w", name="forecast", default=[Target(queue="forecast")])])
    group = AgentGroup(name="agent", count=max(agents, 1), queues=["forecast"])
    return Scenario(name="forecast", start=first, duration_s=len(parsed) * width, report_interval_s=report_interval_s,
                    centre=centre, agents=[group], arrivals=streams)
