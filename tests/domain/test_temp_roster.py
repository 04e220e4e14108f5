"""The temporary agents' roster: CSV rows checked with line numbers, the reduced skill profile, queues."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from blendcc.domain.temp_roster import Profile, RosterInvalid, agent_id_for, read_roster

KNOWN = {"billing", "tech", "french"}
QUEUES = {"sales": {}, "support": {"tech": 1}, "vip": {"billing": 4}}


def read(text: str, profile: Profile = Profile(), users: set[str] | None = None) -> list:  # type: ignore[type-arg]
    return read_roster(text, skills=KNOWN, teams={"t1"}, agents={"tmp-taken"}, users=users or {"bob"},
                       profile=profile, queues=QUEUES)


def test_rows_become_recruits_with_a_reduced_profile() -> None:
    rows = read("\ufeffName,Email,Skills,Team\n\nAnna,Anna.B@x.org,billing:5; tech=2,t1\n"
                "Omar,omar,french:1|tech:4,\n", Profile(max_level=2, allowed=frozenset({"tech", "billing"})))
    assert [(r.line, r.login, r.agent_id, r.team, r.skills, r.queues) for r in rows] == [
        (3, "Anna.B@x.org", "tmp-anna.b", "t1", {"billing": 2, "tech": 2}, ("sales", "support")),
        (4, "omar", "tmp-omar", None, {"tech": 2}, ("sales", "support"))]
    assert rows[1].requested == {"french": 1, "tech": 4}


def test_a_queues_column_names_the_queues() -> None:
    rows = read("name,login,skills,team,queues\nA,a,billing:3,,vip;sales\n")
    assert rows[0].queues == ("vip", "sales")


def test_every_problem_is_named_by_line_and_column() -> None:
    with pytest.raises(RosterInvalid) as exc:
        read("name,login,skills,team,queues\n"
             "A,BOB,tech:1,,\n"  # an existing user (case-insensitive)
             "B,b,tech:0;tech:1,x,ghost\n"  # level 0, unknown team, unknown queue
             "C,b,,,\n"  # duplicate login, no skills
             "D,taken,french,,\n"  # agent id taken, no level
             "E,d e,french:2,,\n")  # whitespace in the login
    found = {(e.line, e.column) for e in exc.value.errors}
    assert found == {(2, "login"), (3, "skills"), (3, "team"), (3, "queues"), (4, "login"), (4, "skills"),
                     (5, "login"), (5, "skills"), (6, "login")}
    assert str(exc.value).startswith("the roster has 9 problem(s), nothing was created: line 2, login")
    assert "line 6, login" in str(exc.value)


@pytest.mark.parametrize("text", ["", "\n\n", "a,b\n1,2\n", "name,login,skills\n"])
def test_a_roster_without_its_columns_or_rows_is_refused(text: str) -> None:
    with pytest.raises(RosterInvalid):
        read(text)


def test_only_listed_skills_leave_nothing_for_some() -> None:
    with pytest.raises(RosterInvalid, match="no skill is left"):
        read("name,login,skills\nA,a,french:2\n", Profile(allowed=frozenset({"tech"})))


@given(st.text(max_size=40))
def test_agent_ids_are_always_valid_ids(login: str) -> None:
    import re

    assert re.fullmatch(r"tmp-[a-z0-9_.\-]+", agent_id_for(login))
    assert len(agent_id_for(login)) <= 64


def test_email_and_phone_columns_are_checked() -> None:
    rows = read("name,login,email,phone,skills\nA,a,a@x.org,+44 20 7946 0000,tech:1\nB,b@x.org,,,tech:1\n")
    assert [(r.login, r.email, r.phone) for r in rows] == [("a", "a@x.org", "+442079460000"),
                                                           ("b@x.org", "b@x.org", None)]
    with pytest.raises(RosterInvalid) as exc:
        read("name,login,email,phone,skills\nA,a,not-mail,0123,tech:1\n")
    assert {(e.line, e.column) for e in exc.value.errors} == {(2, "email"), (2, "phone")}
