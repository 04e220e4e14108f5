"""Scenario documents: the centre (same documents as the config API), agents with shifts, arrival streams.

A scenario is YAML (or a dict) validated by pydantic; ``load_scenario(path)`` reads a file and
``parse_scenario(doc)`` a dict, both raising ``ValidationFailed`` with the first problems. Times inside
a scenario are seconds from its ``start``. The centre part reuses the configuration models (queues,
workflows, calendars, skills, teams, routing settings) and is compiled by the same ``ConfigService``
cross-checks as the live configuration API (``build_catalog``).
"""

from __future__ import annotations

import csv
import math
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from blendcc.adapters.manual_clock import FakeClock
from blendcc.adapters.storage.memory.store import MemoryConfigRepository
from blendcc.app.admin.configuration import ConfigService, non_finite, pydantic_message
from blendcc.domain.agent import AgentConfig, Capacity
from blendcc.domain.calendar import BusinessHours
from blendcc.domain.channels import Channel
from blendcc.domain.errors import ValidationFailed
from blendcc.domain.queue import ID_PATTERN, QueueConfig, SkillConfig, TeamConfig
from blendcc.routing.catalog import Catalog, RoutingSettings
from blendcc.routing.workflow import Workflow
from blendcc.sim.distributions import NEVER, ZERO, Distribution, Patience

DEFAULT_START = datetime(2026, 1, 5, tzinfo=UTC)  # a Monday, midnight UTC


class _Doc(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Centre(_Doc):
    """The routing configuration, document for document as ``PUT /api/config/<kind>/<id>`` takes it.

    ``skills`` may be left out: every skill the queues, agents and workflows name is then declared.
    """

    skills: list[SkillConfig] | None = None
    teams: list[TeamConfig] = Field(default_factory=list)
    calendars: list[BusinessHours] = Field(default_factory=list)
    queues: list[QueueConfig] = Field(min_length=1)
    workflows: list[Workflow] = Field(min_length=1)
    settings: RoutingSettings = Field(default_factory=RoutingSettings)


class Break(_Doc):
    """Aux time inside a shift (``start_s`` from the scenario start)."""

    start_s: float = Field(ge=0)
    duration_s: float = Field(gt=0)
    reason: str = Field(default="break", min_length=1, max_length=40)


class Shift(_Doc):
    """Logged in from ``start_s`` to ``end_s`` (None: until the run ends), seconds from the start."""

    start_s: float = Field(default=0.0, ge=0)
    end_s: float | None = Field(default=None, gt=0)
    breaks: list[Break] = Field(default_factory=list)

    @model_validator(mode="after")
    def _order(self) -> Shift:
        if self.end_s is not None and self.end_s <= self.start_s:
            raise ValueError("shift end_s must be after start_s")
        for b in self.breaks:
            if b.start_s < self.start_s or (self.end_s is not None and b.start_s + b.duration_s > self.end_s):
                raise ValueError("a break must lie inside its shift")
        return self


class Staffing(_Doc):
    """Logged-in head count per interval (``counts[i]`` agents during interval ``i``); after the last
    interval the last count holds."""

    interval_s: float = Field(gt=0)
    counts: list[int] = Field(min_length=1)

    @field_validator("counts")
    @classmethod
    def _non_negative(cls, v: list[int]) -> list[int]:
        if any(n < 0 for n in v):
            raise ValueError("staffing counts must be >= 0")
        return v


class AgentGroup(_Doc):
    """Agents alike: ``count`` of them named ``<name>-<n>`` (or the given ``ids``), with the agent
    document's skills, queues, capacity and team, working ``shifts`` (default: the whole run) or
    following ``staffing`` counts. ``ring_delay`` is how long an offer rings before the agent answers
    (an offer rings out after the queue's ``offer_timeout_s``; the agent is back after
    ``after_missed_s``); ``acw`` is the after-contact work when the queue has no timed wrap-up."""

    name: str = Field(min_length=1, max_length=40, pattern=ID_PATTERN)
    count: int | None = Field(default=None, ge=0, le=100_000)
    ids: list[Annotated[str, Field(min_length=1, max_length=64, pattern=ID_PATTERN)]] | None = None
    skills: dict[str, int] = Field(default_factory=dict)
    queues: list[str] = Field(min_length=1)
    capacity: Capacity = Field(default_factory=Capacity)
    team_id: str | None = None
    shifts: list[Shift] | None = None
    staffing: Staffing | None = None
    ring_delay: Distribution = ZERO
    acw: Distribution = ZERO
    after_missed_s: float = Field(default=0.0, ge=0)

    @model_validator(mode="after")
    def _who(self) -> AgentGroup:
        if (self.count is None) == (self.ids is None):
            raise ValueError("give exactly one of count, ids")
        if self.shifts is not None and self.staffing is not None:
            raise ValueError("give shifts or staffing, not both")
        if self.staffing is not None and max(self.staffing.counts) > self.size:
            raise ValueError("staffing needs more agents than the group has (raise count)")
        return self

    @property
    def size(self) -> int:
        return len(self.ids) if self.ids is not None else int(self.count or 0)

    def agent_ids(self) -> list[str]:
        return list(self.ids) if self.ids is not None else [f"{self.name}-{i + 1}" for i in range(self.size)]


class Poisson(_Doc):
    """Poisson arrivals: a constant ``rate_per_s``, or ``per_interval`` expected arrivals in each
    ``interval_s`` (piecewise-constant rate), between ``start_s`` and ``end_s`` (default: the
    scenario's duration). ``max_arrivals`` stops the stream early."""

    kind: Literal["poisson"]
    rate_per_s: float | None = Field(default=None, gt=0)
    interval_s: float | None = Field(default=None, gt=0)
    per_interval: list[float] | None = None
    start_s: float = Field(default=0.0, ge=0)
    end_s: float | None = Field(default=None, gt=0)
    max_arrivals: int | None = Field(default=None, ge=1)

    @model_validator(mode="after")
    def _rate(self) -> Poisson:
        if (self.rate_per_s is None) == (self.per_interval is None):
            raise ValueError("give exactly one of rate_per_s, per_interval")
        if self.per_interval is not None:
            if self.interval_s is None:
                raise ValueError("per_interval needs interval_s")
            if any(x < 0 or not math.isfinite(x) for x in self.per_interval):
                raise ValueError("per_interval values must be finite and >= 0")
        return self


class ReplayContact(_Doc):
    """One recorded arrival: ``t_s`` from the start, and optionally its own handle time, patience,
    after-contact work, priority and attributes; a field left out (None) is drawn from the stream's
    distributions."""

    t_s: float = Field(ge=0)
    handle_s: float | None = Field(default=None, ge=0)
    patience_s: float | None = Field(default=None, ge=0)
    acw_s: float | None = Field(default=None, ge=0)
    priority: int | None = Field(default=None, ge=0, le=100)
    attributes: dict[str, Any] = Field(default_factory=dict)


class Replay(_Doc):
    """Recorded arrivals: ``contacts`` (full records), ``times_s`` (times only) or a ``csv`` file with a
    ``t_s`` column and optional ``handle_s``, ``patience_s``, ``acw_s``, ``priority`` columns; other
    columns become attributes. A relative CSV path is read from the scenario file's folder."""

    kind: Literal["replay"]
    contacts: list[ReplayContact] = Field(default_factory=list)
    times_s: list[float] = Field(default_factory=list)
    csv: str | None = None

    @model_validator(mode="after")
    def _some(self) -> Replay:
        if sum(1 for x in (self.contacts, self.times_s, self.csv) if x) != 1:
            raise ValueError("give exactly one of contacts, times_s, csv")
        if any(t < 0 or not math.isfinite(t) for t in self.times_s):
            raise ValueError("times_s must be finite and >= 0")
        return self

    def records(self) -> list[ReplayContact]:
        """The arrivals in time order (a CSV must have been loaded with ``load_scenario``)."""
        if self.csv is not None:
            raise ValidationFailed("replay csv is not loaded; use load_scenario(path) or give contacts")
        if self.times_s:
            return [ReplayContact(t_s=t) for t in sorted(self.times_s)]
        return sorted(self.contacts, key=lambda c: c.t_s)


class ArrivalStream(_Doc):
    """Contacts of one kind: channel, attributes (seen by the workflows), priority, workflow, the
    arrival process, handle time (talk) and patience (time a waiting customer gives before leaving).
    ``acw``, if given, is this kind of contact's after-contact work in queues without a timed wrap-up
    (instead of the answering agent group's ``acw``)."""

    name: str = Field(min_length=1, max_length=40, pattern=ID_PATTERN)
    channel: Channel = Channel.VOICE
    attributes: dict[str, Any] = Field(default_factory=dict)
    priority: int = Field(default=0, ge=0, le=100)
    workflow_id: str | None = None
    process: Annotated[Poisson | Replay, Field(discriminator="kind")]
    handle: Distribution
    patience: Patience = NEVER
    acw: Distribution | None = None


class Scenario(_Doc):
    """A whole simulated centre. ``duration_s`` is the arrival window; the run goes on until every
    contact has finished or ``horizon_s`` (default: duration + 1 day) is reached."""

    name: str = "scenario"
    start: datetime = DEFAULT_START
    duration_s: float = Field(gt=0, le=400 * 86400)
    horizon_s: float | None = Field(default=None, gt=0, le=800 * 86400)  # beyond, float time stops advancing
    report_interval_s: int = Field(default=900, le=86400)
    centre: Centre
    agents: list[AgentGroup] = Field(min_length=1)
    arrivals: list[ArrivalStream] = Field(min_length=1)

    @field_validator("start")
    @classmethod
    def _aware(cls, v: datetime) -> datetime:
        return v if v.tzinfo is not None else v.replace(tzinfo=UTC)

    @field_validator("report_interval_s")
    @classmethod
    def _interval(cls, v: int) -> int:
        if v <= 0 or v % 900:
            raise ValueError("report_interval_s must be a multiple of 900 (15 minutes)")
        return v

    @model_validator(mode="after")
    def _names(self) -> Scenario:
        seen: set[str] = set()
        for g in self.agents:
            for aid in g.agent_ids():
                if aid in seen:
                    raise ValueError(f"agent id {aid!r} is used twice")
                seen.add(aid)
        names = [s.name for s in self.arrivals]
        if len(set(names)) != len(names):
            raise ValueError("arrival stream names must be unique")
        if self.horizon_s is not None and self.horizon_s < self.duration_s:
            raise ValueError("horizon_s must be at least duration_s")
        return self

    @property
    def t0(self) -> float:
        return self.start.timestamp()

    @property
    def horizon(self) -> float:
        return self.horizon_s if self.horizon_s is not None else self.duration_s + 86400.0

    def expected_arrivals(self) -> float:
        """Expected arrivals per replication (to bound the work a request may ask for)."""
        total = 0.0
        for s in self.arrivals:
            p = s.process
            if isinstance(p, Replay):
                total += len(p.contacts) + len(p.times_s)
                continue
            end = min(self.duration_s, p.end_s or self.duration_s)
            if p.rate_per_s is not None:
                n = p.rate_per_s * max(0.0, end - p.start_s)
            else:
                width = p.interval_s or 1.0
                n = sum(x * max(0.0, min(1.0, (end - p.start_s - i * width) / width))
                        for i, x in enumerate(p.per_interval or []))
            total += min(n, p.max_arrivals) if p.max_arrivals is not None else n
        return total

    def agent_configs(self) -> list[AgentConfig]:
        return [AgentConfig(id=aid, skills=g.skills, queues=g.queues, capacity=g.capacity, team_id=g.team_id)
                for g in self.agents for aid in g.agent_ids()]

    def catalog(self) -> Catalog:
        """Compile the centre with the live configuration's cross-checks (ValidationFailed if broken)."""
        return compile_centre(self.centre, self.agent_configs())

    def check(self) -> Catalog:
        """The catalog, after checking that a workflow serves every arrival stream."""
        catalog = self.catalog()
        for stream in self.arrivals:
            try:
                catalog.workflow_for(stream.channel.value, stream.workflow_id)
            except ValidationFailed as exc:
                raise ValidationFailed(f"arrival stream {stream.name}: {exc}") from None
        return catalog


def compile_centre(centre: Centre, agents: list[AgentConfig]) -> Catalog:
    """The routing catalog for ``centre`` and ``agents``, through ``ConfigService`` as the API builds it."""
    repo = MemoryConfigRepository()
    skills = centre.skills
    if skills is None:
        used: set[str] = set()
        for q in centre.queues:
            used.update(q.skills)
        for a in agents:
            used.update(a.skills)
        for w in centre.workflows:
            for t in [*w.default, *(t for f in w.filters for t in f.targets)]:
                used.update(t.skills or {})
                for r in t.relax:
                    used.update(r.skills)
        skills = [SkillConfig(id=s) for s in sorted(used)]
    docs: list[tuple[str, str, BaseModel]] = [("skills", s.id, s) for s in skills]
    docs += [("teams", t.id, t) for t in centre.teams]
    docs += [("calendars", c.id, c) for c in centre.calendars]
    docs += [("queues", q.id, q) for q in centre.queues]
    docs += [("agents", a.id, a) for a in agents]
    docs += [("workflows", w.id, w) for w in centre.workflows]
    docs.append(("settings", "routing", centre.settings))
    seen: set[tuple[str, str]] = set()
    for kind, doc_id, model in docs:
        if (kind, doc_id) in seen:
            raise ValidationFailed(f"centre: {kind[:-1]} {doc_id!r} is defined twice")
        seen.add((kind, doc_id))
        repo.put(kind, doc_id, model.model_dump(mode="json"), 0.0, "scenario")
    return ConfigService(repo, FakeClock()).catalog


def parse_scenario(doc: Mapping[str, Any], base_dir: Path | None = None) -> Scenario:
    """Validate a scenario document (and load a replay CSV relative to ``base_dir``, if allowed)."""
    if not isinstance(doc, Mapping):
        raise ValidationFailed("a scenario must be a mapping (YAML document) at the top level")
    bad = non_finite(dict(doc))
    if bad is not None:
        raise ValidationFailed(f"{bad}: must be a finite number (NaN and Infinity are not allowed)")
    try:
        scenario = Scenario.model_validate(doc)
    except ValidationError as exc:
        raise ValidationFailed(f"scenario: {pydantic_message(exc)}") from None
    if any(isinstance(s.process, Replay) and s.process.csv for s in scenario.arrivals):
        if base_dir is None:
            raise ValidationFailed("replay csv files are only read from scenario files; give contacts instead")
        streams = []
        for stream in scenario.arrivals:
            if isinstance(stream.process, Replay) and stream.process.csv:
                loaded = Replay(kind="replay", contacts=read_replay_csv(base_dir / stream.process.csv))
                stream = stream.model_copy(update={"process": loaded})  # noqa: PLW2901
            streams.append(stream)
        scenario = scenario.model_copy(update={"arrivals": streams})
    scenario.check()  # cross-check the centre now, so a bad scenario fails before any run
    return scenario


def load_scenario(path: str | Path) -> Scenario:
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as exc:
        raise ValidationFailed(f"cannot read scenario {p}: {exc.strerror or exc}") from None
    try:
        doc = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ValidationFailed(f"scenario {p.name} is not valid YAML: {exc}") from None
    return parse_scenario(doc, base_dir=p.parent)


_NUMERIC = ("t_s", "handle_s", "patience_s", "acw_s")


def read_replay_csv(path: Path) -> list[ReplayContact]:
    """Recorded arrivals from a CSV with a header (``t_s`` required); empty cells mean "not recorded"."""
    try:
        with path.open(newline="", encoding="utf-8") as fh:
            reader = csv.DictReader(fh)
            if reader.fieldnames is None or "t_s" not in reader.fieldnames:
                raise ValidationFailed(f"replay csv {path.name}: needs a header with a t_s column")
            out: list[ReplayContact] = []
            for line, row in enumerate(reader, start=2):
                try:
                    values: dict[str, Any] = {}
                    attrs: dict[str, Any] = {}
                    for key, raw in row.items():
                        if raw is None or raw == "" or key is None:
                            continue
                        if key in _NUMERIC:
                            values[key] = float(raw)
                        elif key == "priority":
                            values[key] = int(raw)
                        else:
                            attrs[key] = raw
                    if non_finite(values) is not None:
                        raise ValueError("numbers must be finite")
                    out.append(ReplayContact(**values, attributes=attrs))
                except (ValueError, ValidationError) as exc:
                    msg = pydantic_message(exc) if isinstance(exc, ValidationError) else str(exc)
                    raise ValidationFailed(f"replay csv {path.name}, line {line}: {msg}") from None
    except OSError as exc:
        raise ValidationFailed(f"cannot read replay csv {path}: {exc.strerror or exc}") from None
    out.sort(key=lambda c: c.t_s)
    return out
