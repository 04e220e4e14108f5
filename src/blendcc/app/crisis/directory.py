"""Who a crisis message names by role, team or the temporary batches, resolved when it is sent to the email and
phone stored on each active user (an expired or deactivated user is never told)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from blendcc.crisis.playbook import Recipient
from blendcc.ports import User, UserRepository


class Directory:
    """``agents`` and ``teams``: the configured documents by id (an agent's ``team_id``, a team's ``supervisor``);
    ``expired(user)``: its temporary login is over; ``temporary()``: usernames of the active temporary batches."""

    def __init__(self, users: UserRepository, agents: Callable[[], Mapping[str, Any]],
                 teams: Callable[[], Mapping[str, Any]], expired: Callable[[User], bool],
                 temporary: Callable[[], Iterable[str]] = tuple) -> None:
        self.users = users
        self.agents = agents
        self.teams = teams
        self.expired = expired
        self.temporary = temporary

    def people(self, *, users: Sequence[str] = (), role: str | None = None, team: str | None = None,
               temporary: bool = False) -> list[Recipient]:
        """Every active user named, of ``role``, of ``team`` (its agents and supervisor) or of an active temporary
        batch (the union), with an email or a phone; in username order."""
        everyone = [u for u in self.users.list() if u.active and not self.expired(u)]
        named = {n.casefold() for n in users}
        temps = {n.casefold() for n in self.temporary()} if temporary else set()
        agents = self.agents()
        supervisor = getattr(self.teams().get(team), "supervisor", None) if team else None
        out = []
        for u in everyone:
            key = u.username.casefold()
            in_team = team is not None and (
                getattr(agents.get(u.agent_id or ""), "team_id", None) == team or u.username == supervisor)
            wanted = key in named or key in temps or (role is not None and u.role == role) or in_team
            if wanted and (u.email or u.phone):
                out.append(Recipient(name=u.username, email=u.email, phone=u.phone))
        return out

    def expand(self, recipients: Iterable[Recipient]) -> list[Recipient]:
        """The recipients with each role or team replaced by its people (a recipient's own addresses are kept);
        one entry per name."""
        out: dict[str, Recipient] = {}
        for r in recipients:
            if r.email or r.phone or r.webhook:
                out.setdefault(r.name, r.model_copy(update={"role": None, "team": None}))
            if r.role is not None or r.team is not None:
                for person in self.people(role=r.role, team=r.team):
                    out.setdefault(person.name, person)
        return list(out.values())
