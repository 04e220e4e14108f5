"""DialerRepository contract: records, DNC entries and list imports behave alike on memory, SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

import pytest
from storage_backend import Backend

from blendcc.adapters.storage.dialer_repo import SqlDialerRepository
from blendcc.adapters.storage.memory.dialer import MemoryDialerRepository
from blendcc.dialer.dnc import GLOBAL, DncEntry
from blendcc.dialer.records import DialRecord, ListImport


@pytest.fixture
def repo(backend: Backend) -> Any:
    return MemoryDialerRepository() if backend.engine is None else SqlDialerRepository(backend.engine)


def rec(i: int, campaign: str = "c1", tz: str = "America/New_York", **kw: Any) -> DialRecord:
    return DialRecord(campaign_id=campaign, record_id=f"r{i}", phone=f"+1212555{i:04d}", tz=tz,
                      fields={"name": f"n{i}", "note": "é ✓"}, **kw)


def test_insert_keeps_existing_records_and_import_order(repo: Any) -> None:
    assert repo.insert_records([rec(3), rec(1), rec(2)]) == 3
    changed = rec(1, state="done", attempts=2, final_reason="sale")
    repo.put_records([changed])
    # a re-import of r1 does not reset it; r4 is new and comes last
    assert repo.insert_records([rec(1), rec(4)]) == 1
    rows = repo.records("c1")
    assert [r.record_id for r in rows] == ["r3", "r1", "r2", "r4"]
    assert repo.get_record("c1", "r1") == changed
    assert repo.get_record("c1", "nope") is None
    assert repo.get_record("c2", "r1") is None
    assert repo.records("c2") == []


def test_round_trip_of_every_field(repo: Any) -> None:
    full = rec(7, state="callback", attempts=3, attempts_today=2, attempts_day="2026-12-01",
               next_attempt_at=1796140800.5, last_outcome="human", callback_agent_id="a1", final_reason=None)
    repo.put_records([full])
    assert repo.get_record("c1", "r7") == full
    assert repo.records("c1") == [full]


def test_filters_by_state_and_due_time(repo: Any) -> None:
    repo.insert_records([rec(1), rec(2, state="scheduled", next_attempt_at=100.0),
                         rec(3, state="scheduled", next_attempt_at=200.0), rec(4, state="done")])
    assert [r.record_id for r in repo.records("c1", states=["pending", "scheduled"], due_by=150.0)] == ["r2", "r1"]
    assert [r.record_id for r in repo.records("c1", states=["done"])] == ["r4"]
    assert [r.record_id for r in repo.records("c1", limit=2, offset=1)] == ["r2", "r3"]
    assert repo.record_counts("c1") == {"pending": 1, "scheduled": 2, "done": 1}
    assert repo.record_counts("zz") == {}


def test_delete_records_of_one_campaign(repo: Any) -> None:
    repo.insert_records([rec(1), rec(2), rec(1, campaign="c2")])
    assert repo.delete_records("c1") == 2
    assert repo.records("c1") == []
    assert len(repo.records("c2")) == 1


def test_large_batch(repo: Any) -> None:
    assert repo.insert_records([rec(i) for i in range(4500)]) == 4500
    assert repo.record_counts("c1") == {"pending": 4500}
    assert repo.records("c1", offset=4499)[0].record_id == "r4499"


def test_dnc_global_and_campaign_scopes(repo: Any) -> None:
    assert repo.add_dnc([DncEntry(scope=GLOBAL, phone="+12125550001", reason="request", added_at=5.0),
                         DncEntry(scope="c1", phone="+12125550002", added_at=6.0)]) == 2
    assert repo.add_dnc([DncEntry(scope=GLOBAL, phone="+12125550001", reason="again", added_at=9.0),
                         DncEntry(scope="c2", phone="+12125550003")]) == 1
    assert repo.dnc_numbers("c1") == {"+12125550001", "+12125550002"}
    assert repo.dnc_numbers("c2") == {"+12125550001", "+12125550003"}
    assert repo.dnc_entries(GLOBAL) == [DncEntry(scope=GLOBAL, phone="+12125550001", reason="request", added_at=5.0)]
    assert repo.remove_dnc("c1", "+12125550002") is True
    assert repo.remove_dnc("c1", "+12125550002") is False
    assert repo.dnc_numbers("c1") == {"+12125550001"}


def test_list_imports(repo: Any) -> None:
    a = ListImport(import_id="i1", campaign_id="c1", at=10.0, source="list.csv", total=3, accepted=2,
                   rejected=1, duplicates=0, errors=((3, "not a valid number: '12'"),))
    b = ListImport(import_id="i2", campaign_id="c1", at=20.0, source="more.csv", total=1, accepted=0,
                   rejected=0, duplicates=1)
    repo.save_import(b)
    repo.save_import(a)
    assert repo.imports("c1") == [a, b]
    assert repo.imports("c2") == []


def test_campaign_states(repo: Any) -> None:
    assert repo.campaign_states() == {}
    repo.set_campaign_state("c1", "running", None, 10.0)
    repo.set_campaign_state("c2", "paused", "lunch", 11.0)
    repo.set_campaign_state("c1", "stopped", "list exhausted", 12.0)
    assert repo.campaign_states() == {"c1": ("stopped", "list exhausted", 12.0), "c2": ("paused", "lunch", 11.0)}


def test_implementations_match_the_ports(backend: Backend) -> None:
    """Both repositories and the fake telephony have every method of their port, with the same
    parameters (mypy checks the annotated assignments; the signature check holds at run time)."""
    import inspect
    import random

    from blendcc.adapters.manual_clock import FakeClock
    from blendcc.adapters.telephony.fake import FakeTelephony
    from blendcc.outbound_ports import DialerRepository, Telephony

    if backend.engine is None:
        repo: DialerRepository = MemoryDialerRepository()
    else:
        repo = SqlDialerRepository(backend.engine)
    tel: Telephony = FakeTelephony(FakeClock(), random.Random(1))
    for port, impl in ((DialerRepository, repo), (Telephony, tel)):
        for name, fn in vars(port).items():
            if name.startswith("_") or not callable(fn):
                continue
            want = list(inspect.signature(fn).parameters)[1:]
            assert list(inspect.signature(getattr(impl, name)).parameters) == want, (type(impl).__name__, name)


def test_due_records_come_in_selection_order_and_filter_by_zone(repo: Any) -> None:
    la = "America/Los_Angeles"
    repo.insert_records([rec(1, tz=la), rec(2), rec(3, state="scheduled", next_attempt_at=50.0),
                         rec(4, state="callback", next_attempt_at=90.0),
                         rec(5, state="scheduled", next_attempt_at=20.0),
                         rec(6, state="callback", next_attempt_at=10.0, tz=la), rec(7, state="done"),
                         rec(8, state="scheduled", next_attempt_at=500.0)])
    due = repo.records("c1", states=["pending", "scheduled", "callback"], due_by=100.0)
    assert [r.record_id for r in due] == ["r6", "r4", "r5", "r3", "r1", "r2"]
    assert [r.record_id for r in repo.records("c1", states=["pending", "scheduled", "callback"], due_by=100.0,
                                              limit=2, offset=3)] == ["r3", "r1"]
    ny = repo.records("c1", due_by=100.0, zones=["America/New_York"], states=["pending", "scheduled", "callback"])
    assert [r.record_id for r in ny] == ["r4", "r5", "r3", "r2"]
    assert repo.records("c1", zones=[]) == []
    assert repo.record_zones("c1") == {"America/Los_Angeles": 2, "America/New_York": 5}
    assert repo.record_zones("c2") == {}
