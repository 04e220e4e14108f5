"""The failure throttle (shared by API logins and SIP REGISTER): back-off, caps, forgetting, memory bound."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from blendcc.domain.throttle import Throttle, ThrottlePolicy, retry_after_header
from blendcc.testing import FakeClock

USER = ("login-user", "admin")
ADDR = ("login-addr", "10.0.0.7")


def test_free_failures_then_exponential_back_off_capped() -> None:
    clock = FakeClock(1000.0)
    policy = ThrottlePolicy(free_failures=3, base_delay_s=2.0, max_delay_s=10.0, forget_after_s=3600.0)
    t = Throttle(clock, default=policy)
    assert [t.failed([USER]) for _ in range(3)] == [0.0, 0.0, 0.0]
    assert t.retry_after([USER]) == 0.0
    delays = []
    for _ in range(4):
        delays.append(t.failed([USER]))
        assert t.retry_after([USER]) == delays[-1]
        clock.advance(delays[-1])
        assert t.retry_after([USER]) == 0.0
    assert delays == [2.0, 4.0, 8.0, 10.0]  # doubling, then the cap
    assert t.failures(USER) == 7


def test_keys_are_independent_and_success_clears_only_the_given_key() -> None:
    clock = FakeClock(0.0)
    t = Throttle(clock, {"login-user": ThrottlePolicy(free_failures=1), "login-addr": ThrottlePolicy(free_failures=3)})
    t.failed([USER, ADDR])
    assert t.failed([USER, ADDR]) == 1.0  # the user's policy blocks; the address still has free tries
    assert t.retry_after([("login-user", "bob"), ADDR]) == 0.0
    assert t.retry_after([("login-user", "bob"), ADDR, USER]) == 1.0
    clock.advance(1.0)
    t.succeeded([USER])
    assert t.failures(USER) == 0 and t.failures(ADDR) == 2


def test_failures_are_forgotten_after_a_quiet_period_and_memory_is_bounded() -> None:
    clock = FakeClock(0.0)
    t = Throttle(clock, default=ThrottlePolicy(free_failures=1, forget_after_s=60.0), max_keys=3)
    t.failed([USER])
    clock.advance(59.0)
    t.failed([USER])
    assert t.failures(USER) == 2
    clock.advance(61.0)
    assert t.failures(USER) == 0 and t.retry_after([USER]) == 0.0
    for i in range(5):
        t.failed([("login-user", f"u{i}")])
    assert [t.failures(("login-user", f"u{i}")) for i in range(5)] == [0, 0, 1, 1, 1]


def test_retry_after_header_is_whole_seconds_rounded_up() -> None:
    assert [retry_after_header(s) for s in (0.2, 1.0, 1.01, 899.5)] == ["1", "1", "2", "900"]


@given(st.lists(st.tuples(st.sampled_from(["fail", "ok", "wait"]), st.floats(0, 100)), max_size=60))
def test_blocks_are_bounded_and_only_after_the_free_failures(steps: list[tuple[str, float]]) -> None:
    clock = FakeClock(0.0)
    policy = ThrottlePolicy(free_failures=3, base_delay_s=1.0, max_delay_s=30.0, forget_after_s=1e12)
    t = Throttle(clock, default=policy)
    failures = 0  # since the last success (nothing is forgotten with this policy)
    for op, dt in steps:
        if op == "fail":
            failures += 1
            assert t.failed([USER]) == policy.delay(failures)
        elif op == "ok":
            t.succeeded([USER])
            failures = 0
        else:
            clock.advance(dt)
        wait = t.retry_after([USER])
        assert 0.0 <= wait <= policy.max_delay_s
        if failures <= policy.free_failures:
            assert wait == 0.0
