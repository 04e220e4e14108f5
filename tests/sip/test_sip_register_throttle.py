"""SIP REGISTER brute-force protection: wrong digests from an address or for a user are throttled with
503 Service Unavailable and Retry-After (RFC 3261 21.5.4), using the same throttle as API logins."""

from __future__ import annotations

from sip_fakes import request

from blendcc.adapters.channels.sip.digest import authorization
from blendcc.adapters.channels.sip.message import SipMessage, parse
from blendcc.adapters.channels.sip.registrar import Registrar
from blendcc.domain.throttle import SIP_POLICIES, Throttle
from blendcc.testing import FakeClock

URI = "sip:main@127.0.0.1:5060"


def _register(reg: Registrar, user: str, password: str, addr: tuple[str, int]) -> SipMessage:
    msg = parse(request("REGISTER", from_user=user).replace(b"To: <sip:main@", f"To: <sip:{user}@".encode()))
    first = reg.handle(msg, addr)
    if first.status != 401:  # a blocked address gets no challenge at all
        return first
    msg.add("Authorization", authorization(first.get("WWW-Authenticate") or "", user, password, "REGISTER", URI))
    return reg.handle(msg, addr)


def test_wrong_digests_for_a_user_are_throttled_with_503_and_retry_after() -> None:
    clock = FakeClock(1000.0)
    reg = Registrar("blendcc", {"a1": "pw", "a2": "pw2"}, throttle=Throttle(clock, SIP_POLICIES))
    phone = ("10.0.0.5", 5070)
    for _ in range(6):  # five free tries, the sixth starts a 1 s block
        assert _register(reg, "a1", "guess", phone).status == 401
    blocked = _register(reg, "a1", "pw", phone)  # the right password waits too
    assert (blocked.status, blocked.reason, blocked.get("Retry-After")) == (503, "Too Many Failed Authentications",
                                                                           "1")
    assert blocked.get("WWW-Authenticate") is None  # no fresh challenge while blocked
    assert _register(reg, "a2", "pw2", ("10.0.0.6", 5070)).status == 200  # other users and addresses are fine
    clock.advance(1)
    assert _register(reg, "a1", "guess", phone).status == 401  # 7th failure: 2 s
    assert _register(reg, "a1", "pw", phone).get("Retry-After") == "2"
    clock.advance(2)
    ok = _register(reg, "a1", "pw", phone)
    assert ok.status == 200 and reg.lookup("a1") is not None


def test_wrong_digests_from_one_address_are_throttled_across_users() -> None:
    clock = FakeClock(0.0)
    reg = Registrar("blendcc", {"a1": "pw"}, throttle=Throttle(clock, SIP_POLICIES))
    scanner = ("203.0.113.9", 5060)
    for i in range(21):  # 20 free tries per address, whatever the user name
        assert _register(reg, f"u{i}", "guess", scanner).status == 401
    assert _register(reg, "a1", "pw", scanner).status == 503
    assert _register(reg, "a1", "pw", ("10.0.0.5", 5070)).status == 200


def test_an_unauthenticated_first_register_is_not_a_failure() -> None:
    clock = FakeClock(0.0)
    throttle = Throttle(clock, SIP_POLICIES)
    reg = Registrar("blendcc", {"a1": "pw"}, throttle=throttle)
    msg = parse(request("REGISTER", from_user="a1").replace(b"To: <sip:main@", b"To: <sip:a1@"))
    for _ in range(30):
        assert reg.handle(msg, ("10.0.0.5", 5070)).status == 401  # the challenge round trip of every phone
    assert throttle.failures(("sip-addr", "10.0.0.5")) == 0
