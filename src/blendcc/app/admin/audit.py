"""The audit trail: records who changed, forced, listened to or exported what, with time and client address."""

from __future__ import annotations

import contextvars
import logging
from collections.abc import Mapping
from typing import Any

from blendcc.ports import AuditEvent, AuditLog, Clock

log = logging.getLogger(__name__)

#: The client address of the request being served (set by the API for each request; None elsewhere).
current_client: contextvars.ContextVar[str | None] = contextvars.ContextVar("blendcc_client", default=None)

#: Every action written to the audit log (past tense). Routes and services use these names only.
ACTIONS = frozenset({
    "login_succeeded", "login_failed", "login_locked_out", "logged_out", "token_refreshed",
    "refresh_token_reused", "user_created", "user_changed", "role_changed", "user_deactivated",
    "user_reactivated", "user_deleted", "totp_enrolled", "totp_enabled", "totp_disabled",
    "config_changed", "config_deleted", "config_rolled_back", "agent_state_forced", "call_listened",
    "call_whispered",
    "call_barged", "recording_downloaded", "voicemail_downloaded", "data_exported",
    "customer_merged", "customer_unmerged", "customer_erased", "agent_messaged", "contact_moved",
    "alert_acknowledged", "conversation_joined", "emergency_set", "emergency_cleared", "crisis_switched",
    "crisis_acknowledged",
    "temp_batch_created", "temp_batch_removed", "temp_agent_expired",
})


class Auditor:
    """Writes AuditEvents; ``record`` never raises (a failing audit write is logged, the action stands)."""

    def __init__(self, log_: AuditLog, clock: Clock) -> None:
        self.log = log_
        self.clock = clock

    def record(self, actor: Any, action: str, target: str | None = None, **detail: Any) -> AuditEvent:
        """``actor`` is a username or anything with a ``username`` (a Principal)."""
        if action not in ACTIONS:
            raise ValueError(f"unknown audit action {action!r}")
        name = actor if actor is None or isinstance(actor, str) else str(actor.username)
        event = AuditEvent(actor=name, action=action, target=target, detail=_plain(detail),
                           at=self.clock.now(), client=current_client.get())
        try:
            self.log.record(event)
        except Exception:
            log.exception("audit: cannot record %s by %s", action, name)
        return event

    def query(self, **filters: Any) -> list[AuditEvent]:
        return self.log.query(**filters)


def _plain(detail: Mapping[str, Any]) -> dict[str, Any]:
    """JSON-safe detail: values that are not JSON scalars or containers become their str()."""
    def fix(v: Any) -> Any:
        if v is None or isinstance(v, (bool, int, float, str)):
            return v
        if isinstance(v, Mapping):
            return {str(k): fix(x) for k, x in v.items()}
        if isinstance(v, (list, tuple, set, frozenset)):
            return [fix(x) for x in v]
        return str(v)

    return {k: fix(v) for k, v in detail.items()}
