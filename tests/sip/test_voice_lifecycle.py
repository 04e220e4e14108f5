"""Property: no sequence of gateway and agent events moves a voice call outside the voice call table.

The voice service runs against the fake gateway on a real container; every write of ``VoiceCall.state``
(by ``move`` or any other way) is checked against ``VOICE_CALL`` as it happens.
"""

from __future__ import annotations

import itertools
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sip_fakes import FakeGateway, FakeLeg

from blendcc.app.channels.voice.ivr import IvrDriver
from blendcc.app.channels.voice.model import VoiceCall
from blendcc.app.channels.voice.service import VoiceService, VoiceSettings
from blendcc.app.channels.voice.survey import VoiceSurveys
from blendcc.domain.channels import Channel
from blendcc.domain.errors import DomainError
from blendcc.domain.lifecycle.voice import VOICE_CALL, VoiceCallState

SEEN: set[tuple[VoiceCallState, VoiceCallState]] = set()
T0 = 1_705_309_200.0  # Monday 15 January 2024, 09:00 UTC
_RUNS = itertools.count()


@pytest.fixture
def watched_calls(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[tuple[Any, Any]]]:
    """Record every write of ``VoiceCall.state`` and fail on a step outside the table."""
    bad: list[tuple[Any, Any]] = []
    original = VoiceCall.__setattr__

    def setattr_(self: VoiceCall, name: str, value: Any) -> None:
        if name == "state":
            old = self.__dict__.get("state")
            if old is None:
                if value not in VOICE_CALL.initial:
                    bad.append((None, value))
            elif value is not old:
                if not isinstance(value, VoiceCallState) or not VOICE_CALL.allows(old, value):
                    bad.append((old, value))
                else:
                    SEEN.add((old, value))
        original(self, name, value)

    monkeypatch.setattr(VoiceCall, "__setattr__", setattr_)
    yield bad


actions = st.lists(st.tuples(st.sampled_from(["call", "call", "login", "logout", "answer", "answer", "fail",
                                              "customer_bye", "agent_bye", "hold", "unhold", "transfer", "wrap",
                                              "tick", "tick", "digit", "prompt"]),
                             st.integers(0, 5)), min_size=5, max_size=40)


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(steps=actions)
@example(steps=[("login", 0), ("call", 0), ("answer", 0), ("agent_bye", 0), ("digit", 4), ("prompt", 0)])
@example(steps=[("login", 0), ("call", 0), ("answer", 0), ("wrap", 0), ("agent_bye", 0), ("customer_bye", 0)])
def test_no_event_sequence_moves_a_voice_call_outside_its_table(sqlite_template: Path, tmp_path: Path,
                                                                watched_calls: list[tuple[Any, Any]],
                                                                steps: list[tuple[str, int]]) -> None:
    from blendcc.adapters.manual_clock import FakeClock
    from blendcc.bootstrap import build_container
    from blendcc.config import Settings

    db = tmp_path / f"voice-{next(_RUNS)}.db"  # a fresh centre for every example
    shutil.copyfile(sqlite_template, db)
    clock = FakeClock(T0)
    settings_ = Settings(database_url=f"sqlite:///{db}", admin_password="voice-admin-pw", secret_key="voice-test-key")
    c = build_container(settings_, clock=clock, run_migrations=False)
    c.config.put("queues", "sales", {"name": "Sales", "wrap_up_s": None, "offer_timeout_s": 20,
                                     "surveys": {"voice": {"survey": "csat"}}}, "t")  # the post-call survey
    c.config.put("queues", "care", {"name": "Care", "wrap_up_s": 0, "offer_timeout_s": 20}, "t")
    for aid in ("a1", "a2"):
        c.config.put("agents", aid, {"name": aid, "queues": ["sales", "care"]}, "t")
    c.config.put("workflows", "main", {"default": [{"queue": "sales"}]}, "t")
    gw = FakeGateway()
    gw.phones.update({"a1", "a2"})
    voice = VoiceService(c.contacts, c.agents, c.bus, gw,  # type: ignore[arg-type]
                         VoiceSettings(recording_dir=tmp_path / "rec"))
    ivr = IvrDriver(voice, lambda vc: None, lambda prompt, language: "/prompt.wav", clock.now)
    voice.ivr_start = None  # no entry flow: calls go straight to routing (the survey uses the driver only)
    VoiceSurveys(voice, ivr, lambda qid: (q.surveys.get(Channel.VOICE) if (q := c.views.queue_config(qid)) else None),
                 c.surveys)
    customers: list[FakeLeg] = []
    try:
        for kind, i in steps:
            calls = list(voice.calls.values())
            vc = calls[i % len(calls)] if calls else None
            agent = ("a1", "a2")[i % 2]
            try:
                if kind == "call":
                    leg = FakeLeg(f"cust-{len(customers)}")
                    customers.append(leg)
                    voice.incoming(leg, f"+4420794600{len(customers):02d}", "0800123")
                elif kind == "login":
                    c.agents.login(agent)
                elif kind == "logout":
                    c.agents.logout(agent, force=bool(i % 3 == 0))
                elif kind == "tick":
                    clock.advance(5.0 * (i + 1))
                    c.runtime.tick()
                elif vc is None:
                    continue
                elif kind == "answer" and vc.agent_leg is not None:
                    voice.agent_answered(vc.agent_leg)
                elif kind == "fail" and vc.agent_leg is not None:
                    voice.agent_failed(vc.agent_leg, 486)
                elif kind == "customer_bye":
                    voice.leg_ended(vc.customer)
                elif kind == "agent_bye" and vc.agent_leg is not None:
                    voice.leg_ended(vc.agent_leg)
                elif kind == "digit":
                    voice.dtmf(vc.customer, "0123456789#"[i])
                elif kind == "prompt" and vc.customer.id in gw.playing:
                    gw.finish_prompt(vc.customer)
                elif kind in ("hold", "unhold") and vc.agent_leg is not None:
                    voice.phone_hold(vc.agent_leg, kind == "hold")
                elif kind == "transfer" and vc.agent_id is not None:
                    c.agents.transfer(vc.agent_id, vc.contact_id, ("sales", "care")[i % 2], None)
                elif kind == "wrap" and vc.agent_id is not None:
                    c.agents.wrap_up(vc.agent_id, vc.contact_id, None, None)
            except DomainError:
                pass  # refused commands are fine; what matters is the call's state
            assert watched_calls == [], f"voice call steps outside the table: {watched_calls}"
    finally:
        voice.close()
        c.store.engine.dispose()
        db.unlink(missing_ok=True)
