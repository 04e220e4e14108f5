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
