"""Channel health from deliveries: only a run of failures makes a channel unhealthy, one success heals it, and
only the changes are reported (per channel instance)."""

from __future__ import annotations

import pytest

from blendcc.app.crisis.delivery_health import DeliveryHealth
from blendcc.domain.conversation import ChannelRef

SMS, MAIL = ChannelRef("sms", "main"), ChannelRef("email", "support")


def test_a_run_of_failures_reports_unhealthy_once_and_a_success_heals() -> None:
    told: list[tuple[str, bool, str]] = []
    health = DeliveryHealth(lambda c, ok, d: told.append((c, ok, d)), failures=3)
    health(SMS, False, "503")
    health(SMS, False, "503")
    health(SMS, True)
    health(SMS, False, "503")
    health(SMS, False, "503")
    assert told == []  # never three in a row
    health(MAIL, False, "relay refused")
    health(SMS, False, "timeout")
    health(SMS, False, "timeout")  # still down: not told again
    assert told == [("sms:main", False, "3 deliveries in a row failed: timeout")]
    health(SMS, True)
    health(SMS, True)
    assert told[1:] == [("sms:main", True, "a delivery went through")]
    assert all(c != "email:support" for c, _, _ in told)  # one failure of another instance: nothing


def test_the_threshold_must_be_positive() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        DeliveryHealth(lambda *a: None, failures=0)
