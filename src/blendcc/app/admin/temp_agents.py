"""Temporary agents: a batch onboarded from a CSV roster (agent documents, logins that expire, a reduced skill
profile, initial passwords shown once) and removed in one step (logins disabled, logged out, documents deleted)."""

from __future__ import annotations

import builtins
import contextlib
import secrets
import uuid
from collections.abc import Callable
from typing import Any

from blendcc.app.admin.audit import Auditor
from blendcc.app.admin.auth import AuthService
from blendcc.app.admin.config_errors import InvalidDocument
from blendcc.app.admin.configuration import ConfigService
from blendcc.domain import crisis_events as ce
from blendcc.domain.errors import DomainError, InvalidState, NotFound, ValidationFailed
from blendcc.domain.temp_roster import Profile, Recruit, RosterInvalid, RowError, read_roster
from blendcc.domain.usernames import username_key
from blendcc.ports import Clock, Commands, ConfigRepository
from blendcc.routing.commands import AppendEvents

KIND = "temp_agent_batches"
#: the longest a batch may last (seconds)
MAX_DURATION_S = 90 * 86400


def _located(exc: RosterInvalid) -> InvalidDocument:
    """The roster's problems as a document error, each at ``["csv", line, column]``."""
    return InvalidDocument(exc.message, [{"loc": ["csv", e.line, e.column], "msg": e.text()} for e in exc.errors])


class TempAgents:
    """Onboard, list and remove batches of temporary agents. ``logout`` logs an agent out of routing (forced,
    ending its contacts); ``logged_in`` says whether it is logged in."""

    def __init__(self, repo: ConfigRepository, config: ConfigService, auth: AuthService, commands: Commands,
                 clock: Clock, profile: Profile, *, logout: Callable[[str], object],
                 logged_in: Callable[[str], bool], audit: Auditor | None = None) -> None:
        self.repo = repo
        self.config = config
        self.auth = auth
        self.commands = commands
        self.clock = clock
        self.profile = profile
        self.logout = logout
        self.logged_in = logged_in
        self.audit = audit

    # ------------------------------------------------------------------ reads

    def list(self) -> builtins.list[dict[str, Any]]:
        """Every batch, newest first, with its state (active, expired, removed)."""
        docs = [dict(d.body) for d in self.repo.list(KIND) if not d.deleted]
        return [self._view(b) for b in sorted(docs, key=lambda b: (-float(b["created_at"]), b["id"]))]

    def get(self, batch_id: str) -> dict[str, Any]:
        return self._view(self._batch(batch_id))

    def _batch(self, batch_id: str) -> dict[str, Any]:
        doc = self.repo.get(KIND, batch_id)
        if doc is None or doc.deleted:
            raise NotFound(f"batch {batch_id!r} does not exist")
        return dict(doc.body)

    def _view(self, batch: dict[str, Any]) -> dict[str, Any]:
        now = self.clock.now()
        state = "removed" if batch.get("removed_at") is not None else (
            "expired" if now >= float(batch["expires_at"]) else "active")
        return {**batch, "state": state, "count": len(batch.get("agents") or [])}

    # ------------------------------------------------------------------ onboarding

    def onboard(self, name: str, csv_text: str, expires_at: float, by: str,
                crisis_id: str | None = None) -> dict[str, Any]:
        """Create every agent of the roster or none; returns the batch and each login's initial password
        (shown this once: only its hash is kept)."""
        now = self.clock.now()
        name = name.strip()
        if not name or len(name) > 100:
            raise ValidationFailed("name: give the batch a name of 1-100 characters")
        if expires_at <= now:
            raise ValidationFailed("expires_at: must be in the future")
        if expires_at > now + MAX_DURATION_S:
            raise ValidationFailed(f"expires_at: a batch lasts at most {MAX_DURATION_S // 86400} days")
        docs = self.config.docs
        try:
            recruits = read_roster(csv_text, skills=set(docs["skills"]), teams=set(docs["teams"]),
                                   agents=set(docs["agents"]), profile=self.profile,
                                   queues={q: dict(getattr(d, "skills", {}) or {}) for q, d in docs["queues"].items()},
                                   users={username_key(u.username) for u in self.auth.users.list()})
        except RosterInvalid as exc:
            raise _located(exc) from None
        bodies = [(r, self._agent_body(r)) for r in recruits]
        problems = []
        for r, body in bodies:  # each document as the configuration service would check it
            try:
                self.config.check("agents", r.agent_id, body)
            except InvalidDocument as exc:
                problems.append(RowError(r.line, "row", exc.message))
        if problems:
            raise _located(RosterInvalid(problems))
        batch_id = f"tb-{uuid.uuid4().hex[:10]}"
        created_agents: builtins.list[str] = []
        created_users: builtins.list[str] = []
        credentials = []
        try:
            for r, body in bodies:
                self.config.put("agents", r.agent_id, body, by)
                created_agents.append(r.agent_id)
            for r, _ in bodies:
                password = secrets.token_urlsafe(12)
                self.auth.set_user(r.login, password, "agent", r.agent_id, actor=by, expires_at=expires_at,
                                   email=r.email, phone=r.phone)
                created_users.append(r.login)
                credentials.append({"username": r.login, "agent_id": r.agent_id, "password": password})
        except DomainError:
            self._undo(created_agents, created_users, by)
            raise
        batch = {"id": batch_id, "name": name, "expires_at": expires_at, "created_by": by, "created_at": now,
                 "crisis_id": crisis_id, "removed_at": None, "removed_by": None,
                 "profile": {"max_level": self.profile.max_level, "allowed": sorted(self.profile.allowed)},
                 "agents": [{"agent_id": r.agent_id, "username": r.login, "name": r.name, "team_id": r.team,
                             "skills": r.skills, "requested": r.requested, "queues": list(r.queues)}
                            for r in recruits]}
        self.repo.put(KIND, batch_id, batch, now, by)
        ids = tuple(r.agent_id for r in recruits)
        self.commands.execute(AppendEvents((ce.TempAgentsOnboarded(
            at=now, batch_id=batch_id, name=name, agents=ids, expires_at=expires_at, by=by,
            crisis_id=crisis_id),)))
        self._audit(by, "temp_batch_created", batch_id, name=name, agents=len(ids), expires_at=expires_at,
                    crisis_id=crisis_id)
        return {"batch": self._view(batch), "credentials": credentials}

    def _agent_body(self, r: Recruit) -> dict[str, Any]:
        body: dict[str, Any] = {"id": r.agent_id, "name": r.name, "skills": dict(r.skills), "queues": list(r.queues)}
        if r.team is not None:
            body["team_id"] = r.team
        return body

    def _undo(self, agents: builtins.list[str], users: builtins.list[str], by: str) -> None:
        """A failed onboarding: delete what it had created (all or nothing)."""
        for username in users:
            self.auth.users.delete(username)
        for agent_id in reversed(agents):
            with contextlib.suppress(DomainError):
                self.config.delete("agents", agent_id, by)

    # ------------------------------------------------------------------ removal and expiry

    def remove(self, batch_id: str, by: str) -> dict[str, Any]:
        """In one step: log every agent out of routing, disable its login (sessions end, sockets close),
        delete its agent document (history kept). Safe to repeat after a partial failure."""
        batch = self._batch(batch_id)
        if batch.get("removed_at") is not None:
            raise InvalidState(f"batch {batch_id!r} was already removed")
        agents = [dict(a) for a in batch.get("agents") or []]
        failures: builtins.list[str] = []
        for a in agents:
            if a["agent_id"] in self.config.docs["agents"] and self.logged_in(a["agent_id"]):
                try:
                    self.logout(a["agent_id"])
                except DomainError as exc:
                    failures.append(f"{a['agent_id']}: {exc.message}")
        for a in agents:
            user = self.auth.users.get(a["username"])
            if user is not None and user.active:
                self.auth.update_user(user.username, actor=by, active=False)
        for a in agents:
            if a["agent_id"] in self.config.docs["agents"]:
                try:
                    self.config.delete("agents", a["agent_id"], by)
                except DomainError as exc:
                    failures.append(f"{a['agent_id']}: {exc.message}")
        if failures:
            raise InvalidState(f"batch {batch_id!r} is only partly removed (try again): {'; '.join(failures)}")
        now = self.clock.now()
        done = {**batch, "removed_at": now, "removed_by": by}
        self.repo.put(KIND, batch_id, done, now, by)
        ids = tuple(a["agent_id"] for a in agents)
        self.commands.execute(AppendEvents((ce.TempAgentsRemoved(at=now, batch_id=batch_id, agents=ids, by=by),)))
        self._audit(by, "temp_batch_removed", batch_id, agents=len(ids))
        return self._view(done)

    def sweep(self) -> int:
        """Batches past their expiry: their agents still logged in to routing are logged out (their logins
        already fail). Returns how many agents it logged out."""
        now = self.clock.now()
        count = 0
        for batch in self.list():
            if batch["state"] != "expired":
                continue
            for a in batch.get("agents") or []:
                if a["agent_id"] in self.config.docs["agents"] and self.logged_in(a["agent_id"]):
                    try:
                        self.logout(a["agent_id"])
                        count += 1
                    except DomainError:
                        continue
                    self.auth.revoke_user(a["username"])
                    self._audit(None, "temp_agent_expired", a["agent_id"], batch_id=batch["id"], at=now)
        return count

    def _audit(self, actor: str | None, action: str, target: str | None, **detail: Any) -> None:
        if self.audit is not None:
            self.audit.record(actor, action, target, **detail)
