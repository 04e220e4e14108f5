"""Operations endpoints outside /api (no token, like /health): Prometheus ``/metrics`` and ``/ready``, the
readiness a load balancer asks before sending traffic (the event store and the bus answer)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response

from blendcc.api.deps import C
from blendcc.api.models.common import ErrorBody, Readiness
from blendcc.domain.errors import DomainError

router = APIRouter(tags=["ops"])


class NotReady(DomainError):
    code = "unavailable"


@router.get("/metrics", response_class=Response,
            responses={200: {"content": {"text/plain": {"schema": {"type": "string"}}},
                             "description": "Prometheus text exposition format"}})
def metrics(c: C) -> Response:
    """Contacts and offers committed, commit latency and batch size, queue depth, the writer's queue, bus lag."""
    if c.metrics is None:
        raise NotReady("metrics are not wired in this deployment")
    body, content_type = c.metrics.render()
    return Response(body, media_type=content_type)


@router.get("/ready", response_model=Readiness, responses={503: {"model": ErrorBody}})
def ready(c: C) -> dict[str, Any]:
    """200 when this node can serve: its event store answers (and its Redis bus, when it has one); else 503."""
    last = c.views.last_seq()
    try:
        c.store.read(last, limit=1)  # a query on the log: the database answers
    except Exception as exc:
        raise NotReady("the event store is unavailable") from exc
    checks = {"store": "ok", "bus": "in-process"}
    ping = getattr(c.bus, "ping", None)
    if callable(ping):
        try:
            ping()
        except Exception as exc:
            raise NotReady("the event bus (Redis) is unavailable") from exc
        checks["bus"] = "ok"
    return {"status": "ready", "last_seq": last, "checks": checks}
