"""Property: no simulated campaign moves a dial attempt outside the dial attempt table.

Short campaigns of every mode run in the simulator (the real dialing service, engine and simulated
telephony); every write of ``DialAttempt.state`` is checked against ``DIAL_ATTEMPT`` as it happens.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from blendcc.app.outbound.state import DialAttempt
from blendcc.domain.errors import InvalidState
from blendcc.domain.lifecycle.attempt import DIAL_ATTEMPT, AttemptState
from blendcc.sim.dialer_sim import run_campaign


@pytest.fixture
def watched_attempts(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    seen: dict[str, Any] = {"bad": [], "steps": set(), "finished": 0}
    original = DialAttempt.__setattr__

    def setattr_(self: DialAttempt, name: str, value: Any) -> None:
        if name == "state":
            try:
                old = self.state
            except AttributeError:  # being constructed
                old = None
            if old is None:
                if value not in DIAL_ATTEMPT.initial:
                    seen["bad"].append((None, value))
            elif value is not old:
                if not isinstance(value, AttemptState) or not DIAL_ATTEMPT.allows(old, value):
                    seen["bad"].append((old, value))
                seen["steps"].add((old, value))
                seen["finished"] += value is AttemptState.FINISHED
        original(self, name, value)

    monkeypatch.setattr(DialAttempt, "__setattr__", setattr_)
    return seen


@settings(max_examples=12, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(mode=st.sampled_from(["preview", "progressive", "predictive"]), p_live=st.sampled_from([0.2, 0.5, 0.9]),
       seed=st.integers(0, 10_000), agents=st.integers(1, 4), wrap_up_s=st.sampled_from([0.0, 10.0, 30.0]))
def test_no_campaign_moves_a_dial_attempt_outside_its_table(watched_attempts: dict[str, Any], mode: str,
                                                            p_live: float, seed: int, agents: int,
                                                            wrap_up_s: float) -> None:
    before = watched_attempts["finished"]
    run_campaign(mode=mode, p_live=p_live, seed=seed, agents=agents, hours=0.2, wrap_up_s=wrap_up_s, records=150)
    assert watched_attempts["bad"] == [], f"dial attempt steps outside the table: {watched_attempts['bad']}"
    assert watched_attempts["finished"] > before  # attempts were placed and finished


def test_a_dial_attempt_refuses_a_step_outside_the_table() -> None:
    attempt = DialAttempt("call-1", "camp", None, 0.0, None)  # type: ignore[arg-type]
    with pytest.raises(InvalidState, match="dial attempt call-1 is ringing; cannot become connected"):
        attempt.move(AttemptState.CONNECTED)
    assert attempt.state is AttemptState.RINGING
    attempt.move(AttemptState.WAITING)
    attempt.move(AttemptState.WAITING)  # staying is no step
    attempt.move(AttemptState.CONNECTED)
    attempt.move(AttemptState.FINISHED)
    with pytest.raises(InvalidState):
        attempt.move(AttemptState.RINGING)
