"""The state of the live statistics folds as plain data (for snapshots, ADR 0059) and back, exactly: floats as they are.

``*_state`` copies a fold's state into tuples, lists and dicts of plain values (nothing the fold changes later, so it
can be encoded later while the fold goes on); ``restore_*`` puts such data back into an empty fold. Each record type's
field names travel with the data: data written by another version of a record is refused (``ValueError``), never
misread.
"""

from __future__ import annotations

from dataclasses import fields
from operator import attrgetter
from typing import Any

from blendcc.analytics.agent_stats import AgentTime
from blendcc.analytics.digital_stats import DigitalCounters, DigitalFold, _Agent, _Conv
from blendcc.analytics.ivr_stats import IvrCounters
from blendcc.analytics.queue_stats import CounterKey, QueueCounters

_QUEUE = tuple(f.name for f in fields(QueueCounters))
_DIGITAL = tuple(f.name for f in fields(DigitalCounters))
_IVR = tuple(f.name for f in fields(IvrCounters))
_CONV = tuple(f.name for f in fields(_Conv))
_q_values = attrgetter(*_QUEUE)
_d_values = attrgetter(*_DIGITAL)
_i_values = attrgetter(*_IVR)
_c_values = attrgetter(*_CONV)
_KEYED = ("started_key",)  # _Conv fields holding a DigitalKey (a tuple; a list in JSON)


def names() -> dict[str, list[str]]:
    """The field names of each record the data holds (what ``check_names`` compares on restore)."""
    return {"queue": list(_QUEUE), "digital": list(_DIGITAL), "ivr": list(_IVR), "conv": list(_CONV)}


def check_names(data: dict[str, Any]) -> None:
    if data.get("names") != names():
        raise ValueError("the folds' records have other fields than this version's")


def queue_counters_state(counters: dict[CounterKey, QueueCounters]) -> list[list[Any]]:
    return [[k[0], k[1], k[2], _q_values(c)] for k, c in counters.items()]


def restore_queue_counters(rows: list[list[Any]]) -> dict[CounterKey, QueueCounters]:
    return {(float(start), str(q), str(ch)): QueueCounters(*values) for start, q, ch, values in rows}


def agent_time_state(times: dict[str, AgentTime]) -> list[list[Any]]:
    return [[a, dict(t.seconds), dict(t.aux_by_reason), t.handled] for a, t in times.items()]


def restore_agent_time(rows: list[list[Any]]) -> dict[str, AgentTime]:
    return {str(a): AgentTime(dict(seconds), dict(aux), int(handled)) for a, seconds, aux, handled in rows}


def ivr_state(ivr: dict[tuple[str, str], IvrCounters]) -> list[list[Any]]:
    return [[flow, dialled, _i_values(c)] for (flow, dialled), c in ivr.items()]


def restore_ivr(rows: list[list[Any]]) -> dict[tuple[str, str], IvrCounters]:
    return {(str(flow), str(dialled)): IvrCounters(*values) for flow, dialled, values in rows}


def _digital_rows(counters: dict[Any, DigitalCounters]) -> list[list[Any]]:
    return [[k, _d_values(c)] for k, c in counters.items()]


def digital_state(fold: DigitalFold) -> dict[str, Any]:
    """The digital fold's counters, rollups, conversations, agents' open handling and its floor."""
    return {"floor": fold.floor, "counters": _digital_rows(fold.counters),
            "by_queue": _digital_rows(fold.by_queue), "by_channel": _digital_rows(fold.by_channel),
            "total": _d_values(fold.total),
            # a tuple of each conversation's fields is a copy: the values are immutable (keys are tuples, and a
            # resolution's delta dict is never changed once made: taking it back makes a new one)
            "convs": list(zip(fold.convs, map(_c_values, fold.convs.values()), strict=True)),
            "agents": [[a, sorted(x.contacts), x.since] for a, x in fold.agents.items()],
            "contact_agent": dict(fold.contact_agent)}


def _key(value: Any) -> tuple[float, str, str, str]:
    start, q, ch, agent = value
    return (float(start), str(q), str(ch), str(agent))


def restore_digital(fold: DigitalFold, data: dict[str, Any]) -> None:
    """Put ``digital_state`` data back into ``fold`` (a fresh one with the same settings)."""
    fold.floor = float(data["floor"])
    fold.counters = {_key(k): DigitalCounters(*v) for k, v in data["counters"]}
    fold.by_queue = {str(k): DigitalCounters(*v) for k, v in data["by_queue"]}
    fold.by_channel = {str(k): DigitalCounters(*v) for k, v in data["by_channel"]}
    fold.total = DigitalCounters(*data["total"])
    convs: dict[str, _Conv] = {}
    at_contribution = _CONV.index("contribution")
    for cid, row in data["convs"]:
        values = list(row)
        for name in _KEYED:
            i = _CONV.index(name)
            if values[i] is not None:
                values[i] = _key(values[i])
        if values[at_contribution] is not None:
            key, delta = values[at_contribution]
            values[at_contribution] = (_key(key), dict(delta))
        convs[str(cid)] = _Conv(*values)
    fold.convs = convs
    fold.agents = {str(a): _Agent(set(contacts), float(since)) for a, contacts, since in data["agents"]}
    fold.contact_agent = {str(k): str(v) for k, v in data["contact_agent"].items()}
