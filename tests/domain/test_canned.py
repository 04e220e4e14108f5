"""Canned responses: placeholders checked when saved, filled at use, the / search order."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from blendcc.domain.canned import CannedResponse, placeholders, render, search


def canned(rid: str, shortcut: str, body: str, title: str = "") -> CannedResponse:
    return CannedResponse(id=rid, scope="queue", owner="support", shortcut=shortcut, title=title, body=body)


def test_placeholders_are_filled_and_missing_ones_reported() -> None:
    body = "Hi {customer.name}, I am {agent.name}. Ticket {contact.id} ({customer.fields.plan}) {{literal}}"
    text, missing = render(body, {"customer.name": "Jane", "agent.name": "Ann", "contact.id": "c-1"})
    assert text == "Hi Jane, I am Ann. Ticket c-1 () {literal}"
    assert missing == ["customer.fields.plan"]
    assert placeholders(body) == ["customer.name", "agent.name", "contact.id", "customer.fields.plan"]


def test_unknown_placeholders_are_refused_when_saved() -> None:
    with pytest.raises(ValidationError, match=r"unknown placeholder\(s\) \{customer.nmae\}"):
        canned("r", "hi", "Hi {customer.nmae}")
    assert canned("r", "hi", "Hi {customer.fields.vip_level} {not.a.placeholder with spaces}").body


@given(st.text(max_size=200), st.dictionaries(st.sampled_from(["customer.name", "agent.name"]),
                                              st.text(max_size=20)))
def test_text_without_placeholders_is_unchanged_but_for_doubled_braces(body: str, values: dict[str, str]) -> None:
    plain = body.replace("{", "(").replace("}", ")")
    assert render(plain, values) == (plain, [])


def test_search_ranks_shortcut_prefix_then_title_then_body() -> None:
    rs = [canned("1", "refund", "We refunded you."), canned("2", "hello", "Hello!", title="Refund policy"),
          canned("3", "bye", "Bye, and sorry about the refund"), canned("4", "thanks", "Thanks")]
    assert [r.id for r in search(rs, "ref")] == ["1", "2", "3"]
    assert [r.id for r in search(rs, "")] == ["3", "2", "1", "4"]  # everything, by shortcut
    assert [r.id for r in search(rs, "REFUND", limit=2)] == ["1", "2"]
