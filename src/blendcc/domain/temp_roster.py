"""Temporary agents' roster: the CSV (name, login or email, skills with levels, team) read and checked row by
row with line numbers, and the reduced skill profile (levels capped, only allowed skills) each agent gets."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field

from blendcc.domain.errors import ValidationFailed
from blendcc.domain.usernames import username_key, validate_new

#: the most rows one batch may hold
MAX_ROWS = 2000
_SKILL = re.compile(r"^\s*([A-Za-z0-9_.\-]{1,64})\s*[:=]\s*(\S+)\s*$")
_ID_BAD = re.compile(r"[^A-Za-z0-9_.\-]+")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_PHONE = re.compile(r"^\+[1-9][0-9]{6,14}$")
COLUMNS = ("name", "login", "skills", "team", "queues", "email", "phone")


@dataclass(frozen=True, slots=True)
class Profile:
    """The reduced skill profile of temporary agents: every level at most ``max_level``; with ``allowed``
    set, only those skills are kept."""

    max_level: int = 3
    allowed: frozenset[str] = frozenset()

    def reduce(self, skills: Mapping[str, int]) -> dict[str, int]:
        return {s: min(level, self.max_level) for s, level in skills.items()
                if not self.allowed or s in self.allowed}


@dataclass(frozen=True, slots=True)
class RowError:
    line: int
    column: str
    message: str

    def text(self) -> str:
        return f"line {self.line}, {self.column}: {self.message}"


@dataclass(frozen=True, slots=True)
class Recruit:
    """One temporary agent of the roster: ``skills`` as granted, ``requested`` as the file asked."""

    line: int
    name: str
    login: str
    agent_id: str
    team: str | None
    skills: dict[str, int]
    requested: dict[str, int] = field(default_factory=dict)
    queues: tuple[str, ...] = ()
    email: str | None = None
    phone: str | None = None


class RosterInvalid(ValidationFailed):
    """The roster is refused as a whole; ``errors`` names every bad row by line and column."""

    def __init__(self, errors: list[RowError]) -> None:
        shown = "; ".join(e.text() for e in errors[:10]) or "empty roster"
        more = f" (and {len(errors) - 10} more)" if len(errors) > 10 else ""
        super().__init__(f"the roster has {len(errors)} problem(s), nothing was created: {shown}{more}")
        self.errors = errors


def agent_id_for(login: str) -> str:
    """The agent id of a temporary login: ``tmp-`` and the login's id-safe characters (at most 64)."""
    local = login.split("@", 1)[0] if "@" in login else login
    slug = _ID_BAD.sub("-", local).strip("-.").lower() or "agent"
    return f"tmp-{slug}"[:64]


def read_roster(text: str, *, skills: Collection[str], teams: Collection[str], agents: Collection[str],
                users: Collection[str], profile: Profile,
                queues: Mapping[str, Mapping[str, int]] | None = None) -> list[Recruit]:
    """Every row as a recruit, or RosterInvalid listing each problem (all or nothing). ``users`` are the
    existing usernames' keys (``username_key``); ``agents`` the configured agent ids; ``queues`` each queue's
    required skills: the optional ``queues`` column names the agent's queues (';' between them), else the
    agent serves every queue whose required skills its granted profile meets."""
    queues = queues or {}
    rows = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    header = next(rows, None)
    errors: list[RowError] = []
    if header is None or not any(h.strip() for h in header):
        raise RosterInvalid([RowError(1, "header", f"the file is empty; the first line names the columns "
                                                  f"{', '.join(COLUMNS)}")])
    names = [h.strip().lower() for h in header]
    col = {n: i for i, n in enumerate(names)}
    login_col = col.get("login", col.get("email"))
    missing = [c for c in ("name", "skills") if c not in col] + (["login (or email)"] if login_col is None else [])
    if missing:
        raise RosterInvalid([RowError(1, "header", f"missing column(s) {', '.join(missing)}; "
                                                  f"the columns are {', '.join(COLUMNS)}")])
    out: list[Recruit] = []
    seen_logins: dict[str, int] = {}
    seen_ids: dict[str, int] = {}
    for fields in rows:
        line = rows.line_num
        if not any(f.strip() for f in fields):
            continue  # blank lines
        if len(out) + len(errors) >= MAX_ROWS:
            errors.append(RowError(line, "row", f"a batch holds at most {MAX_ROWS} agents"))
            break

        def cell(name: str | None, fields: list[str] = fields) -> str:
            i = col.get(name or "") if name else None
            return fields[i].strip() if i is not None and i < len(fields) else ""

        row_errors: list[RowError] = []
        name = cell("name")
        if not name:
            row_errors.append(RowError(line, "name", "empty"))
        elif len(name) > 100:
            row_errors.append(RowError(line, "name", "longer than 100 characters"))
        login = fields[login_col].strip() if login_col is not None and login_col < len(fields) else ""
        agent_id = ""
        try:
            login = validate_new(login)
            key = username_key(login)
            agent_id = agent_id_for(login)
            if key in users:
                row_errors.append(RowError(line, "login", f"user {login!r} already exists"))
            elif key in seen_logins:
                row_errors.append(RowError(line, "login", f"{login!r} is also on line {seen_logins[key]}"))
            elif agent_id in agents:
                row_errors.append(RowError(line, "login", f"agent {agent_id!r} already exists"))
            elif agent_id in seen_ids:
                row_errors.append(RowError(line, "login", f"gives agent id {agent_id!r}, as line "
                                                          f"{seen_ids[agent_id]} does; choose another login"))
            seen_logins.setdefault(key, line)
            seen_ids.setdefault(agent_id, line)
        except ValidationFailed as exc:
            row_errors.append(RowError(line, "login", exc.message))
        requested = _skills(cell("skills"), line, skills, row_errors)
        team = cell("team") or None
        if team is not None and team not in teams:
            row_errors.append(RowError(line, "team", f"unknown team {team!r}"))
        granted = profile.reduce(requested)
        if requested and not granted:
            row_errors.append(RowError(line, "skills", "no skill is left in the temporary profile (allowed: "
                                                       f"{', '.join(sorted(profile.allowed))})"))
        named = [q.strip() for q in re.split(r"[;|,]", cell("queues")) if q.strip()]
        for q in named:
            if q not in queues:
                row_errors.append(RowError(line, "queues", f"unknown queue {q!r}"))
        # with a login column, the email column is the address; without one, it is the login (an address if it
        # looks like one)
        email = (cell("email") if "login" in col else "") or (login if "@" in login else "") or None
        if email is not None and (len(email) > 254 or not _EMAIL.match(email)):
            row_errors.append(RowError(line, "email", f"{email[:60]!r} is not an email address"))
        phone = cell("phone").replace(" ", "") or None
        if phone is not None and not _PHONE.match(phone):
            row_errors.append(RowError(line, "phone", f"{phone[:20]!r} is not a phone number in E.164 (+4420...)"))
        serves = tuple(dict.fromkeys(named)) if named else tuple(
            q for q, need in queues.items() if all(granted.get(s, 0) >= lvl for s, lvl in need.items()))
        if row_errors:
            errors.extend(row_errors)
            continue
        out.append(Recruit(line, name, login, agent_id, team, granted, requested, serves, email, phone))
    if errors:
        raise RosterInvalid(errors)
    if not out:
        raise RosterInvalid([RowError(2, "row", "the roster has no agents")])
    return out


def _skills(text: str, line: int, known: Collection[str], errors: list[RowError]) -> dict[str, int]:
    """``billing:3; french:2`` (also ``=`` and ``|`` or ``,`` between skills) -> {skill: level}."""
    out: dict[str, int] = {}
    parts = [p for p in re.split(r"[;|,]", text) if p.strip()]
    if not parts:
        errors.append(RowError(line, "skills", "empty; write skill:level pairs such as billing:3;french:2"))
    for part in parts:
        m = _SKILL.match(part)
        if m is None:
            errors.append(RowError(line, "skills", f"{part.strip()[:40]!r} is not skill:level"))
            continue
        skill, level_text = m.group(1), m.group(2)
        if not level_text.isdigit() or not 1 <= int(level_text) <= 5:
            errors.append(RowError(line, "skills", f"level of {skill!r} must be a whole number 1-5, "
                                                   f"got {level_text[:10]!r}"))
        elif skill not in known:
            errors.append(RowError(line, "skills", f"unknown skill {skill!r}"))
        elif skill in out:
            errors.append(RowError(line, "skills", f"skill {skill!r} given twice"))
        else:
            out[skill] = int(level_text)
    return out
