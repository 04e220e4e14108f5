"""Engine commands for emergency modes: a queue, a site (``site:<id>``) or the whole centre (``*``) closed,
callback-only or overflowing to another queue; ``arrival_override`` is what ``Engine._enter_step`` asks for
each arrival."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from blendcc.domain import events as ev
from blendcc.domain.crisis_events import CENTRE, EMERGENCY_MODES, SITE, EmergencyModeCleared, EmergencyModeSet
from blendcc.domain.errors import NotFound, ValidationFailed
from blendcc.domain.queue import QueueConfig
from blendcc.mypyc_hints import mypyc_attr
from blendcc.routing.state import LiveState

MESSAGE_MAX = 1000


@mypyc_attr(native_class=False)  # a mixin hierarchy: compiled methods, Python class (ADR 0061)
class EmergencyMixin(LiveState):
    """Emergency modes are state folded from ``EmergencyModeSet``/``Cleared`` (``LiveState.emergency``); a
    mode applies to contacts entering a queue from the moment it is set (those already waiting stay, as
    with a queue's closing hours)."""

    # provided by the class this is mixed into (``Engine``/``LiveState``); annotations only: a
    # class-level ``if TYPE_CHECKING`` cannot be compiled (mypyc, ADR 0061)
    _emit: Callable[[ev.Event], None]
    _take: Callable[[], list[ev.Event]]

    def set_emergency(self, scope: str, mode: str, now: float, *, overflow_queue: str | None = None,
                      message: str = "", by: str | None = None, crisis_id: str | None = None,
                      since: float | None = None) -> list[ev.Event]:
        check_scope(scope, self.catalog.queues)
        if mode not in EMERGENCY_MODES:
            raise ValidationFailed(f"unknown emergency mode {mode!r}; use one of {', '.join(EMERGENCY_MODES)}")
        if mode == "overflow":
            if not overflow_queue:
                raise ValidationFailed("emergency mode 'overflow' needs overflow_queue")
            if overflow_queue not in self.catalog.queues:
                raise NotFound(f"overflow queue {overflow_queue!r} does not exist")
            if overflow_queue == scope:
                raise ValidationFailed("a queue cannot overflow to itself")
        elif overflow_queue is not None:
            raise ValidationFailed(f"overflow_queue applies only to mode 'overflow', not {mode!r}")
        if len(message) > MESSAGE_MAX:
            raise ValidationFailed(f"the emergency message is longer than {MESSAGE_MAX} characters")
        current = self.emergency.get(scope)
        previous = None if current is None else emergency_dict(current)
        self._emit(EmergencyModeSet(scope=scope, mode=mode, overflow_queue=overflow_queue, message=message, by=by,
                                    crisis_id=crisis_id, previous=previous, since=since, at=now))
        return self._take()

    def clear_emergency(self, scope: str, now: float, *, by: str | None = None,
                        crisis_id: str | None = None) -> list[ev.Event]:
        if scope not in self.emergency:
            return []  # already in normal mode: nothing happens (idempotent)
        self._emit(EmergencyModeCleared(scope=scope, by=by, crisis_id=crisis_id, at=now))
        return self._take()

    def arrival_override(self, queue_id: str, overflowed: bool = False) -> EmergencyModeSet | None:
        """The emergency mode a contact entering ``queue_id`` meets: the queue's own, else its site's, else the
        centre's. The target of an emergency overflow is spared the site's and the centre's mode
        (``overflowed``: the contact was sent there by one; a centre-wide overflow spares its own target)."""
        em = self.emergency
        if not em:
            return None
        own = em.get(queue_id)
        if own is not None or overflowed:
            return own
        queue = self.catalog.queues.get(queue_id)
        if queue is not None and queue.site is not None:
            site = em.get(SITE + queue.site)
            if site is not None and site.overflow_queue != queue_id:
                return site
        centre = em.get(CENTRE)
        if centre is not None and centre.overflow_queue == queue_id:
            return None
        return centre


def check_scope(scope: str, queues: Mapping[str, QueueConfig]) -> None:
    """``scope`` names the centre (``*``), a queue or a site (``site:<id>``, some queue's ``site``)."""
    if scope == CENTRE or scope in queues:
        return
    if scope.startswith(SITE):
        if any(q.site == scope[len(SITE):] for q in queues.values()):
            return
        raise NotFound(f"no queue is at site {scope[len(SITE):]!r} (set a queue's 'site' first)")
    raise NotFound(f"queue {scope!r} does not exist (use '*' for the whole centre, 'site:<id>' for a site)")


def emergency_dict(e: EmergencyModeSet) -> dict[str, object]:
    """The plain view of an emergency mode (API, wallboard, ``previous``)."""
    return {"scope": e.scope, "mode": e.mode, "overflow_queue": e.overflow_queue, "message": e.message,
            "since": e.at if e.since is None else e.since, "by": e.by, "crisis_id": e.crisis_id}
