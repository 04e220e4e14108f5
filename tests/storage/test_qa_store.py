"""Quality evaluations in SQL on SQLite and PostgreSQL: revisions kept, a stale re-score or a second response
refused without changing anything, finding by agent, contact, period and calibration."""

from __future__ import annotations

from dataclasses import replace

import pytest
from sqlalchemy import Engine

from blendcc.adapters.storage.qa_repo import SqlQaStore
from blendcc.domain.quality import Calibration, Evaluation


@pytest.fixture
def repo(sql_engine: Engine) -> SqlQaStore:
    return SqlQaStore(sql_engine)


def evaluation(eid: str, agent: str = "a1", at: float = 100.0, **kw: object) -> Evaluation:
    base = Evaluation(id=eid, revision=1, contact_id=f"c-{eid}", agent_id=agent, team_id="t1", queue_id="sales",
                      channel="chat", contact_at=at, scorecard_id="chat", scorecard_version=1, evaluator="sup",
                      answers={"greet": "yes", "skill": 4, "verify": "na"}, comments={"skill": "ok"}, comment="",
                      score=0.8, auto_failed=False, created_at=at + 10)
    return replace(base, **kw)


def test_revisions_and_responses(repo: SqlQaStore) -> None:
    repo.add(evaluation("e1"))
    assert repo.get("e1") == evaluation("e1")  # answers and comments round-trip as JSON
    assert repo.respond("e1", 1, "disputed", "I did greet", "ann", 200.0)
    assert not repo.respond("e1", 1, "acknowledged", None, "ann", 201.0)  # not open any more
    assert repo.get("e1").status == "disputed"
    two = evaluation("e1", revision=2, score=1.0, reply="agreed", created_at=300.0)
    assert not repo.revise(replace(two, revision=3))  # not the next revision: nothing stored
    assert repo.revise(two)
    assert not repo.revise(two)  # the same revision twice
    current = repo.get("e1")
    assert current is not None and (current.revision, current.status, current.score) == (2, "open", 1.0)
    history = repo.revisions("e1")
    assert [(e.revision, e.status, e.response) for e in history] == [(1, "disputed", "I did greet"), (2, "open", None)]
    assert not repo.respond("e1", 1, "acknowledged", None, "ann", 400.0)  # an old revision
    assert repo.respond("e1", 2, "acknowledged", "thanks", "ann", 400.0)
    assert [e.status for e in repo.revisions("e1")] == ["disputed", "acknowledged"]


def test_find_by_agent_contact_period_and_calibration(repo: SqlQaStore) -> None:
    repo.add(evaluation("e1", at=100.0))
    repo.add(evaluation("e2", agent="a2", at=200.0))
    repo.add_calibration(Calibration("k1", "c-e1", "chat", 1, "sup", 50.0))
    repo.add(evaluation("k-sup", at=100.0, contact_id="c-e1", calibration_id="k1"))
    assert repo.calibration("k1") == Calibration("k1", "c-e1", "chat", 1, "sup", 50.0)
    assert repo.calibration("nope") is None and repo.get("nope") is None
    assert [e.id for e in repo.find()] == ["e1", "e2"]  # calibration scores apart
    assert [e.id for e in repo.find(calibrations=True)] == ["e1", "k-sup", "e2"]
    assert [e.id for e in repo.find(agent_id="a2")] == ["e2"]
    assert [e.id for e in repo.find(contact_id="c-e1")] == ["e1"]
    assert [e.id for e in repo.find(start=150.0, end=250.0)] == ["e2"]
    assert [e.id for e in repo.find(calibration_id="k1")] == ["k-sup"]


def test_calibrations_newest_first_by_contact_and_period_with_their_sheets(repo: SqlQaStore) -> None:
    for cid, contact, at in (("k1", "c-1", 100.0), ("k2", "c-2", 200.0), ("k3", "c-1", 300.0)):
        repo.add_calibration(Calibration(cid, contact, "chat", 1, "sup", at))
    assert [c.id for c in repo.calibrations()] == ["k3", "k2", "k1"]
    assert [c.id for c in repo.calibrations(contact_id="c-1")] == ["k3", "k1"]
    assert [c.id for c in repo.calibrations(start=150.0, end=300.0)] == ["k2"]  # [start, end)
    assert [c.id for c in repo.calibrations(limit=2)] == ["k3", "k2"]
    repo.add(evaluation("x1", calibration_id="k1", evaluator="sup", created_at=110.0))
    repo.add(evaluation("x2", calibration_id="k1", evaluator="sue", created_at=120.0))
    repo.add(evaluation("x3", calibration_id="k3", evaluator="tom", created_at=310.0))
    repo.add(evaluation("x4"))  # not a calibration sheet
    assert [(e.id, e.calibration_id) for e in repo.calibration_sheets(["k1", "k3", "k2"])] == [
        ("x1", "k1"), ("x2", "k1"), ("x3", "k3")]
    assert repo.calibration_sheets([]) == []
