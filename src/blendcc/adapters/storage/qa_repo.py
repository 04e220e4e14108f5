"""Quality evaluations and calibration sessions in SQL (``ports.QaStore``)."""

from __future__ import annotations

import builtins
import dataclasses
import json
from collections.abc import Collection, Mapping
from typing import Any

from sqlalchemy import Engine, select

from blendcc.adapters.storage.engine import writer
from blendcc.adapters.storage.qa_tables import qa_calibrations, qa_evaluation_revisions, qa_evaluations
from blendcc.domain.quality import Calibration, Evaluation

_JSON = ("answers", "comments")


def _row(e: Evaluation) -> dict[str, Any]:
    row = dataclasses.asdict(e)
    for k in _JSON:
        row[k] = json.dumps(row[k], ensure_ascii=False, sort_keys=True)
    return row


def _evaluation(r: Mapping[Any, Any]) -> Evaluation:
    data = dict(r)
    for k in _JSON:
        data[k] = json.loads(data[k])
    data["auto_failed"] = bool(data["auto_failed"])
    return Evaluation(**data)


class _NotOpen(Exception):
    """The revision is not open (or not current): the transaction is rolled back."""


class SqlQaStore:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._writer = writer(engine)

    def add(self, evaluation: Evaluation) -> None:
        row = _row(evaluation)
        with self._writer.begin() as conn:
            conn.execute(qa_evaluations.insert(), row)
            conn.execute(qa_evaluation_revisions.insert(), row)

    def revise(self, evaluation: Evaluation) -> bool:
        row = _row(evaluation)
        t = qa_evaluations
        with self._writer.begin() as conn:
            changed = conn.execute(t.update().where(t.c.id == evaluation.id,
                                                    t.c.revision == evaluation.revision - 1).values(**row)).rowcount
            if changed != 1:
                return False
            conn.execute(qa_evaluation_revisions.insert(), row)
        return True

    def respond(self, evaluation_id: str, revision: int, status: str, response: str | None, by: str,
                at: float) -> bool:
        values = {"status": status, "response": response, "responded_by": by, "responded_at": at}
        try:
            with self._writer.begin() as conn:
                for t in (qa_evaluations, qa_evaluation_revisions):
                    n = conn.execute(t.update().where(t.c.id == evaluation_id, t.c.revision == revision,
                                                      t.c.status == "open").values(**values)).rowcount
                    if n != 1:
                        raise _NotOpen  # rolls back both updates
        except _NotOpen:
            return False
        return True

    def get(self, evaluation_id: str) -> Evaluation | None:
        with self.engine.connect() as conn:
            r = conn.execute(select(qa_evaluations).where(qa_evaluations.c.id == evaluation_id)).mappings().first()
        return None if r is None else _evaluation(r)

    def revisions(self, evaluation_id: str) -> builtins.list[Evaluation]:
        t = qa_evaluation_revisions
        with self.engine.connect() as conn:
            rows = conn.execute(select(t).where(t.c.id == evaluation_id).order_by(t.c.revision)).mappings().all()
        return [_evaluation(r) for r in rows]

    def find(self, *, agent_id: str | None = None, contact_id: str | None = None, calibration_id: str | None = None,
             calibrations: bool = False, start: float | None = None, end: float | None = None,
             status: str | None = None, limit: int = 1000) -> builtins.list[Evaluation]:
        t = qa_evaluations
        q = select(t).order_by(t.c.contact_at, t.c.created_at, t.c.id).limit(limit)
        if agent_id is not None:
            q = q.where(t.c.agent_id == agent_id)
        if contact_id is not None:
            q = q.where(t.c.contact_id == contact_id)
        if calibration_id is not None:
            q = q.where(t.c.calibration_id == calibration_id)
        elif not calibrations:
            q = q.where(t.c.calibration_id.is_(None))
        if status is not None:
            q = q.where(t.c.status == status)
        if start is not None:
            q = q.where(t.c.contact_at >= start)
        if end is not None:
            q = q.where(t.c.contact_at < end)
        with self.engine.connect() as conn:
            return [_evaluation(r) for r in conn.execute(q).mappings().all()]

    def add_calibration(self, calibration: Calibration) -> None:
        with self._writer.begin() as conn:
            conn.execute(qa_calibrations.insert(), dataclasses.asdict(calibration))

    def calibration(self, calibration_id: str) -> Calibration | None:
        with self.engine.connect() as conn:
            r = conn.execute(select(qa_calibrations).where(qa_calibrations.c.id == calibration_id)).mappings().first()
        return None if r is None else Calibration(**dict(r))

    def calibrations(self, *, contact_id: str | None = None, start: float | None = None, end: float | None = None,
                     limit: int = 200) -> builtins.list[Calibration]:
        t = qa_calibrations
        q = select(t).order_by(t.c.created_at.desc(), t.c.id).limit(limit)
        if contact_id is not None:
            q = q.where(t.c.contact_id == contact_id)
        if start is not None:
            q = q.where(t.c.created_at >= start)
        if end is not None:
            q = q.where(t.c.created_at < end)
        with self.engine.connect() as conn:
            return [Calibration(**dict(r)) for r in conn.execute(q).mappings().all()]

    def calibration_sheets(self, calibration_ids: Collection[str]) -> builtins.list[Evaluation]:
        if not calibration_ids:
            return []
        t = qa_evaluations
        q = select(t).where(t.c.calibration_id.in_(sorted(set(calibration_ids)))).order_by(t.c.created_at, t.c.id)
        with self.engine.connect() as conn:
            return [_evaluation(r) for r in conn.execute(q).mappings().all()]
