"""Property: whatever the caller and the driver send, the interpreter never raises, respects the visit
cap, and a bounded number of further timeouts ends the IVR in a queue, voicemail, call-back or hang-up."""

from __future__ import annotations

import copy

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from blendcc.ivr.flow import IvrFlow
from blendcc.ivr.interpreter import (
    CallerHungUp,
    Dtmf,
    Event,
    IvrContext,
    LookupResult,
    PromptFinished,
    QueueUpdate,
    Timeout,
    start,
    step,
)

from .flows import HOURS, bank_flow

T0 = 1705309200.0


def _looping_flow() -> IvrFlow:
    f = bank_flow(max_visits=12)
    nodes = {n["id"]: n for n in f["nodes"]}
    nodes["menu"]["options"].append({"key": "9", "next": "menu"})
    nodes["menu"]["options"].append({"key": "*", "next": "account"})
    nodes["account"]["next"] = "menu"  # a valid card number goes back to the menu
    return IvrFlow.model_validate(f)


FLOWS = [IvrFlow.model_validate(bank_flow()), _looping_flow(),
         IvrFlow.model_validate(copy.deepcopy(bank_flow(max_visits=3, fallback="sales")))]

events = st.one_of(
    st.text(alphabet="0123456789*#?a", min_size=1, max_size=20).map(Dtmf),
    st.just(Timeout()), st.just(PromptFinished()), st.just(CallerHungUp()),
    st.builds(LookupResult, st.booleans(), st.sampled_from([None, "gold", "silver", ""]),
              st.sampled_from([None, "c1"])),
    st.builds(QueueUpdate, st.one_of(st.none(), st.integers(-3, 500)),
              st.one_of(st.none(), st.floats(allow_nan=True, allow_infinity=True))),
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(range(len(FLOWS))), st.booleans(), st.integers(0, 86400 * 7),
       st.lists(events, max_size=40))
def test_any_input_terminates_and_never_raises(which: int, caller: bool, offset: int, inputs: list[Event]) -> None:
    flow = FLOWS[which]
    ctx = IvrContext(caller_id="+33142000000" if caller else None, calendars={"office": HOURS})
    now = T0 + offset
    session, _ = start(flow, ctx, now)
    for ev in inputs:
        now += 1
        session, _ = step(flow, session, ev, now)
        assert session.visits <= flow.max_visits + 1  # the cap, plus the fallback node itself
        assert all(isinstance(v, str) for v in session.ivr.values())
    # a driver that only ever reports timeouts (nobody answers, prompts fail) ends the IVR part
    bound = flow.max_visits * 12 + 2
    for _ in range(bound):
        if session.finished:
            break
        now += 1
        session, _ = step(flow, session, Timeout(), now)
    assert session.finished, session.view()
    assert session.status in ("queued", "ended")
    assert session.outcome in ("queued", "hangup", "voicemail", "callback", "abandoned")
