"""Wires problem management: the problem projections' reader, the service on the single writer, automatic linking
on the bus, the figures with the customers and the dialer's lists, and the problems in post-incident reports."""

from __future__ import annotations

from typing import Any

from blendcc.app.container import Container
from blendcc.app.crisis.problem_figures import ProblemFigures
from blendcc.app.crisis.problems import ProblemService
from blendcc.config import Settings
from blendcc.content_ports import ProblemReader


def wire_problems(container: Container, settings: Settings, reader: ProblemReader) -> ProblemService:
    store, kb = container.store, container.kb

    def article_exists(article_id: str) -> bool:
        return kb is None or any(v.article.id == article_id for v in kb.list())

    def crisis_exists(crisis_id: str) -> bool:
        return any(getattr(s.event, "crisis_id", None) == crisis_id for s in store.events_of_type(("CrisisStarted",)))

    service = ProblemService(reader, store, container.runtime, container.clock, article_exists, crisis_exists)
    service.attach(container.bus)
    container.problems = service
    container.problem_figures = ProblemFigures(service, container.customers.customers, container.campaigns,
                                               settings.timezone)
    reports: Any = container.incident_reports
    if reports is not None:
        reports.problems = lambda crisis_id: reader.problems(crisis_id=crisis_id)
    return service
