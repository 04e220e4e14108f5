"""IVR figures (to queue, IVR abandoned, IVR contained) and the contact row a call ended in the IVR leaves."""

from __future__ import annotations

from typing import Any

from blendcc.analytics.interactions import apply_change, row_change
from blendcc.analytics.ivr_stats import IvrCounters, fold, ivr_kpis
from blendcc.analytics.queue_stats import deltas
from blendcc.domain import events as ev
from blendcc.domain.events import event_from_dict
from blendcc.domain.ivr_events import IvrCallEnded


def ended(cid: str, reason: str, at: float = 1000.0, ivr_s: float = 12.0, flow: str = "bank",
          dialled: str = "0800") -> IvrCallEnded:
    return IvrCallEnded(at=at, contact_id=cid, channel="voice", reason=reason, flow_id=flow,
                        caller_id="+442079460000", dialled=dialled, ivr_s=ivr_s, ivr={"menu": "3"},
                        path=("welcome", "menu", "account"), last_node="account")


def created(cid: str, at: float = 1000.0, attributes: dict[str, Any] | None = None, channel: str = "voice",
            direction: str = "inbound") -> ev.ContactCreated:
    attrs = {"ivr_flow": "bank", "dialled_number": "0800"} if attributes is None else attributes
    return ev.ContactCreated(at=at, contact_id=cid, channel=channel, direction=direction, customer_id=None,
                             priority=0, attributes=attrs)


def _bucket(t: float) -> float:
    return float(int(t // 900) * 900)


def test_figures_per_flow_and_dialled_number() -> None:
    table = fold([ended("a", "ivr_abandoned", ivr_s=10), ended("b", "ivr_abandoned", ivr_s=20),
                  ended("c", "ivr_contained", ivr_s=30), created("d"), created("e", at=2000.0),
                  ended("f", "ivr_contained", dialled="0900")], _bucket)
    assert set(table) == {(900.0, "bank", "0800"), (1800.0, "bank", "0800"), (900.0, "bank", "0900")}
    assert ivr_kpis(table[(900.0, "bank", "0800")]) == {
        "ivr_calls": 4, "to_queue": 1, "ivr_abandoned": 2, "ivr_contained": 1, "ivr_abandon_rate": 0.5,
        "ivr_containment": 0.25, "avg_ivr_abandon_s": 15.0, "avg_ivr_contained_s": 30.0}
    assert ivr_kpis(table[(1800.0, "bank", "0800")])["to_queue"] == 1  # counted when it left the IVR
    assert ivr_kpis(table[(900.0, "bank", "0900")])["ivr_contained"] == 1


def test_contacts_without_an_ivr_flow_and_other_channels_are_not_ivr_calls() -> None:
    table = fold([created("a", attributes={}), created("b", channel="chat"),
                  created("c", direction="outbound"), ended("d", "something_else")], _bucket)
    assert table == {}


def test_rates_without_calls_are_none() -> None:
    kpis = ivr_kpis(IvrCounters())
    assert kpis["ivr_calls"] == 0 and kpis["ivr_containment"] is None and kpis["ivr_abandon_rate"] is None


def test_calls_ended_in_the_ivr_change_no_queue_counter() -> None:
    def thresholds(_q: str, _c: str) -> tuple[float, float]:
        return (20.0, 5.0)

    assert deltas(ended("a", "ivr_abandoned"), thresholds) == []
    assert deltas(ended("b", "ivr_contained"), thresholds) == []


def test_the_row_is_a_closed_inbound_voice_contact_with_the_ivr_path_and_reason() -> None:
    change = row_change(ended("a", "ivr_abandoned", at=1000.0, ivr_s=12.0))
    assert change is not None
    row = apply_change(None, change)
    assert row is not None
    assert (row["state"], row["outcome"], row["channel"], row["direction"]) == (
        "closed", "ivr_abandoned", "voice", "inbound")
    assert row["created_at"] == 988.0 and row["ended_at"] == row["closed_at"] == 1000.0
    assert row["queue_id"] is None and row["first_queued_at"] is None and row["offers"] == 0
    assert row["attributes"] == {"ivr_flow": "bank", "ivr_path": ["welcome", "menu", "account"], "ivr_s": 12.0,
                                 "caller_id": "+442079460000", "dialled_number": "0800", "ivr": {"menu": "3"}}


def test_the_event_round_trips_through_its_stored_form() -> None:
    e = ended("a", "ivr_contained")
    back = event_from_dict(e.type, e.to_dict())
    assert isinstance(back, IvrCallEnded)
    assert back.reason == "ivr_contained" and list(back.path) == ["welcome", "menu", "account"]
    assert dict(back.ivr) == {"menu": "3"} and back.ivr_s == 12.0
